//! Node identifiers: the one name every objective, key result and initiative
//! is known by, unique across a whole set.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smol_str::SmolStr;

/// The identifier of a node (objective, key result or initiative).
///
/// An id is non-empty and contains no control characters; any other Unicode
/// text is allowed. Ids of up to 23 bytes are held inline, without a heap
/// allocation; longer ones are reference counted, so every id is cheap to
/// clone. Ids compare and hash like the `str` they hold, so maps keyed by
/// `Id` can be searched with a `&str`.
///
/// # Example
/// ```
/// use okrs::Id;
///
/// let id: Id = "grow-bizops".parse()?;
/// assert_eq!(id.as_str(), "grow-bizops");
/// assert!(Id::new("").is_err());
/// # Ok::<(), okrs::IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(SmolStr);

/// Why a string is not a valid [`Id`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id was the empty string.
    #[error("an id must not be empty")]
    Empty,
    /// The id holds a control character (newline, tab, NUL, …).
    #[error("id {id:?} contains a control character")]
    ControlCharacter {
        /// The offending id, escaped.
        id: String,
    },
}

impl Id {
    /// Makes an id from text, checking that it is non-empty and free of
    /// control characters.
    ///
    /// # Errors
    /// [`IdError::Empty`] for `""`, [`IdError::ControlCharacter`] when the
    /// text holds a control character. O(length).
    ///
    /// # Example
    /// ```
    /// let id = okrs::Id::new("company-1")?;
    /// assert_eq!(id.to_string(), "company-1");
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    pub fn new(text: impl AsRef<str>) -> Result<Self, IdError> {
        let text = text.as_ref();
        if text.is_empty() {
            return Err(IdError::Empty);
        }
        // Most ids are ASCII, checked a byte at a time.
        let control = if text.is_ascii() {
            text.bytes().any(|b| b < 0x20 || b == 0x7f)
        } else {
            text.chars().any(char::is_control)
        };
        if control {
            return Err(IdError::ControlCharacter {
                id: text.to_owned(),
            });
        }
        Ok(Self(SmolStr::new(text)))
    }

    /// An id that skips validation, to name what a caller passed in an error.
    pub(crate) fn unchecked(text: &str) -> Self {
        Self(SmolStr::new(text))
    }

    /// An id of pieces joined, without validation (the caller knows the
    /// whole is an id), built in place: inline, without a heap allocation,
    /// when it fits. O(length).
    pub(crate) fn joined(pieces: &[&str]) -> Self {
        let mut text = smol_str::SmolStrBuilder::new();
        for piece in pieces {
            text.push_str(piece);
        }
        Self(text.finish())
    }

    /// The id as a string slice. O(1).
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for Id {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for Id {
    type Error = IdError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl TryFrom<String> for Id {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(IdVisitor)
    }
}

/// Reads an id straight from the text the format hands over, without an
/// intermediate `String` when the format can lend it.
struct IdVisitor;

impl serde::de::Visitor<'_> for IdVisitor {
    type Value = Id;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Id, E> {
        Id::new(text).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_control_characters() {
        assert_eq!(Id::new(""), Err(IdError::Empty));
        assert!(matches!(
            Id::new("a\nb"),
            Err(IdError::ControlCharacter { .. })
        ));
        assert!(matches!(
            Id::new("\u{7}"),
            Err(IdError::ControlCharacter { .. })
        ));
    }

    /// Every character up to U+10FF alone between letters: refused
    /// exactly when it is a control character, ASCII or not.
    #[test]
    fn refuses_each_control_character_and_no_other() {
        for c in '\0'..='\u{10ff}' {
            let text = format!("a{c}b");
            assert_eq!(Id::new(&text).is_err(), c.is_control(), "{c:?}");
        }
    }

    #[test]
    fn joined_is_the_pieces_text() {
        for pieces in [
            &["kr", "#", "1"][..],
            &["a-key-result-of-thirty-bytes", "#", "4294967295"],
            &[],
        ] {
            assert_eq!(Id::joined(pieces).as_str(), pieces.concat());
        }
    }

    #[test]
    fn accepts_unicode() {
        let id = Id::new("équipe-🚀").unwrap();
        assert_eq!(id.as_str(), "équipe-🚀");
    }

    #[test]
    fn borrows_as_str_for_lookups() {
        let mut set = std::collections::HashSet::new();
        set.insert(Id::new("x").unwrap());
        assert!(set.contains("x"));
    }
}
