//! Who may see an objective: [`Visibility`] (public or private), the
//! [`Viewer`] a view is made for and the [`ViewPolicy`] it follows.
//!
//! These are plain values; [`OkrSet::view`](crate::OkrSet::view) applies
//! them.

use serde::{Deserialize, Serialize};

/// Whether an objective (and everything under it) is visible to everyone.
///
/// A private objective is visible to its owners, to the people and groups
/// its `viewers` list, and to nobody else; its key results, sub-key
/// results and initiatives share its visibility. Under the transparency
/// model every objective is public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    /// Everyone may see it (the default).
    #[default]
    Public,
    /// Its owners and its viewers only.
    Private,
}

impl Visibility {
    /// Whether this is [`Visibility::Public`]. O(1).
    #[must_use]
    pub fn is_public(&self) -> bool {
        *self == Self::Public
    }
}

/// Who looks at a set: a person's id and the groups they belong to.
///
/// # Example
/// ```
/// use okrs::Viewer;
/// let ana = Viewer::new("ana").in_group("sales");
/// assert!(ana.is("sales") && ana.is("ana") && !ana.is("bob"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Viewer {
    /// The person, as owners and viewers name people.
    pub id: String,
    /// The groups the person belongs to, as viewers may name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

impl Viewer {
    /// A viewer in no group. O(1).
    #[must_use]
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            groups: Vec::new(),
        }
    }

    /// Adds a group. O(1) amortised.
    #[must_use]
    pub fn in_group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }

    /// Whether `name` is this person or one of their groups. O(groups).
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        self.id == name || self.groups.iter().any(|g| g == name)
    }

    /// Whether this viewer may see an objective with these owners,
    /// visibility and viewers. O(groups × (owners + viewers)).
    ///
    /// # Example
    /// ```
    /// use okrs::{Viewer, Visibility};
    /// let owners = ["lee".to_owned()];
    /// let viewers = ["finance".to_owned()];
    /// assert!(Viewer::new("lee").may_see(Visibility::Private, &owners, &viewers));
    /// assert!(Viewer::new("kim").in_group("finance").may_see(Visibility::Private, &owners, &viewers));
    /// assert!(!Viewer::new("kim").may_see(Visibility::Private, &owners, &viewers));
    /// assert!(Viewer::new("kim").may_see(Visibility::Public, &owners, &viewers));
    /// ```
    #[must_use]
    pub fn may_see(&self, visibility: Visibility, owners: &[String], viewers: &[String]) -> bool {
        visibility.is_public() || owners.contains(&self.id) || viewers.iter().any(|v| self.is(v))
    }
}

/// What a view shows of a visible node that hidden objectives contribute
/// to (see [`OkrSet::view_with`](crate::OkrSet::view_with)).
///
/// # Example
/// ```
/// use okrs::ViewPolicy;
/// assert_eq!(ViewPolicy::default(), ViewPolicy::Exclude);
/// assert_eq!(ViewPolicy::Fold.name(), "fold");
/// let named = ViewPolicy::ALL.into_iter().find(|p| p.name() == "fold");
/// assert_eq!(named, Some(ViewPolicy::Fold));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ViewPolicy {
    /// The node's progress is computed without the hidden contributions,
    /// as if the hidden objectives did not exist (the default).
    #[default]
    Exclude,
    /// The node shows its true progress, the number the whole set shows,
    /// with the hidden contributions folded into one anonymous member
    /// titled "hidden" whose share is shown but nothing else.
    Fold,
}

impl ViewPolicy {
    /// Every policy, in the order of their names in help texts.
    ///
    /// # Example
    /// ```
    /// let names: Vec<&str> = okrs::ViewPolicy::ALL.iter().map(|p| p.name()).collect();
    /// assert_eq!(names, ["exclude", "fold"]);
    /// ```
    pub const ALL: [Self; 2] = [Self::Exclude, Self::Fold];

    /// The policy's name, as serde and the command line write it. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::ViewPolicy;
    /// assert_eq!(ViewPolicy::Exclude.name(), "exclude");
    /// assert_eq!(serde_json::to_string(&ViewPolicy::Fold)?, r#""fold""#);
    /// assert_eq!(ViewPolicy::Fold.to_string(), "fold");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Exclude => "exclude",
            Self::Fold => "fold",
        }
    }
}

impl std::fmt::Display for ViewPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
