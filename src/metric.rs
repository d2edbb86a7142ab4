//! Metrics: how a key result is measured, and the progress each kind yields.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{CheckInValue, Progress, Weight};

/// How a key result is measured.
///
/// Every kind yields a progress between 0 and 1 (numeric metrics up to the
/// set's progress cap), computed exactly:
///
/// | kind | progress |
/// |---|---|
/// | [`Numeric`](Metric::Numeric) | (current − start) / (target − start), clamped; works for increase and decrease |
/// | [`Binary`](Metric::Binary) | 1 when done, else 0 |
/// | [`Milestones`](Metric::Milestones) | done weight / total weight |
/// | [`AtLeast`](Metric::AtLeast) / [`AtMost`](Metric::AtMost) | 1 when current ≥ (≤) threshold, inclusive, else 0 |
/// | [`Range`](Metric::Range) | 1 when low ≤ current ≤ high, else 0 |
/// | [`Manual`](Metric::Manual) | as given, clamped to [0, 1] |
///
/// A metric whose `current` is absent has not been measured yet: numeric
/// metrics then stand at their start, the others at 0.
///
/// # Example
/// ```
/// use okrs::{Decimal, Metric};
///
/// // "Reduce password resets from 1000 to 100": a decreasing metric.
/// let resets = Metric::numeric(1000.into(), 100.into()).with_current(550.into());
/// assert_eq!(resets.progress(Decimal::ONE).value(), Decimal::new(5, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Metric {
    /// A number moving from `start` toward `target`, up or down.
    Numeric {
        /// Where the number stood when the key result was set.
        start: Decimal,
        /// Where it should stand at the end.
        target: Decimal,
        /// Where it stands now; absent means "at start".
        current: Option<Decimal>,
        /// The unit, for display only (`"%"`, `"EUR"`, `"customers"`).
        unit: Option<String>,
        /// The commit and stretch values beside the target (puzzle/okr's
        /// zones), written `"commit"` and `"stretch"` in the metric; boxed,
        /// so that a metric without them stays small.
        zones: Option<Box<Zones>>,
    },
    /// Done or not done.
    Binary {
        /// Whether it is done.
        done: bool,
    },
    /// A list of weighted milestones.
    Milestones {
        /// The milestones, in order.
        milestones: Vec<Milestone>,
    },
    /// Achieved when `current ≥ threshold`.
    AtLeast {
        /// The lowest acceptable value, inclusive.
        threshold: Decimal,
        /// The measured value; absent means not measured (progress 0).
        current: Option<Decimal>,
    },
    /// Achieved when `current ≤ threshold`.
    AtMost {
        /// The highest acceptable value, inclusive.
        threshold: Decimal,
        /// The measured value; absent means not measured (progress 0).
        current: Option<Decimal>,
    },
    /// Achieved while `low ≤ current ≤ high`.
    Range {
        /// The lower bound, inclusive.
        low: Decimal,
        /// The upper bound, inclusive.
        high: Decimal,
        /// The measured value; absent means not measured (progress 0).
        current: Option<Decimal>,
    },
    /// Progress stated directly by the owner.
    Manual {
        /// The stated progress; clamped to [0, 1]. Absent means 0.
        progress: Decimal,
    },
}

/// The commit and stretch values of a numeric metric, beside its target
/// (puzzle/okr's zones): in the metric's direction, start before commit
/// before target before stretch. Either may be absent. Progress stays
/// relative to the target; the zones say which of these values the key
/// result has reached ([`Metric::zone_at`]).
///
/// # Example
/// ```
/// use okrs::{Metric, Zone, Zones};
/// let m = Metric::numeric(0.into(), 100.into())
///     .with_zones(Zones::new(Some(60.into()), Some(130.into())))
///     .with_current(70.into());
/// assert!(m.validate().is_ok());
/// assert_eq!(m.zone_at(None), Some(Zone::Commit));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Zones {
    /// The value whose reach keeps a promise: short of it is a fail.
    pub commit: Option<Decimal>,
    /// The value beyond the target that counts as a stretch reached.
    pub stretch: Option<Decimal>,
}

impl Zones {
    /// Commit and stretch values, either absent. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::Zones;
    /// let zones = Zones::new(Some(60.into()), None);
    /// assert_eq!(zones.commit, Some(60.into()));
    /// assert!(!zones.is_empty() && Zones::new(None, None).is_empty());
    /// ```
    #[must_use]
    pub fn new(commit: Option<Decimal>, stretch: Option<Decimal>) -> Self {
        Self { commit, stretch }
    }

    /// Whether neither value is given (see [`new`](Self::new)). O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.commit.is_none() && self.stretch.is_none()
    }
}

/// Where a numeric key result with [`Zones`] stands: short of its commit
/// value, past it, at its target, or at its stretch value. Written
/// `"fail"`, `"commit"`, `"target"`, `"stretch"`.
///
/// # Example
/// ```
/// use okrs::Zone;
/// assert_eq!(Zone::ALL[1], Zone::Commit);
/// assert_eq!(Zone::Stretch.to_string(), "stretch");
/// assert!(Zone::Fail < Zone::Target);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    /// Short of the commit value (or, without one, of the target).
    Fail,
    /// The commit value reached, the target not yet.
    Commit,
    /// The target reached (and, with a stretch value, not that).
    Target,
    /// The stretch value reached.
    Stretch,
}

impl Zone {
    /// Every zone, from fail to stretch.
    pub const ALL: [Zone; 4] = [Zone::Fail, Zone::Commit, Zone::Target, Zone::Stretch];

    /// The zone's name, as its `Display` and serde write it. O(1).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Fail => "fail",
            Self::Commit => "commit",
            Self::Target => "target",
            Self::Stretch => "stretch",
        }
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// The metric as documents write it: a tagged map whose numeric variant
/// carries `commit` and `stretch` beside `target`. [`Metric`] reads
/// through [`MetricVisitor`](repr::MetricVisitor) and writes through
/// [`MetricOut`](repr::MetricOut), which borrows it.
mod repr {
    use std::fmt;

    use rust_decimal::Decimal;
    use serde::de::{self, MapAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize};

    use super::{Metric, Milestone, Zones};
    use crate::number::serde_decimal;

    /// The kinds, as the `"kind"` tag names them.
    #[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        Numeric,
        Binary,
        Milestones,
        AtLeast,
        AtMost,
        Range,
        Manual,
    }

    impl Kind {
        /// The fields the kind takes, in the order errors list them.
        fn fields(self) -> &'static [&'static str] {
            match self {
                Self::Numeric => &["start", "target", "current", "unit", "commit", "stretch"],
                Self::Binary => &["done"],
                Self::Milestones => &["milestones"],
                Self::AtLeast | Self::AtMost => &["threshold", "current"],
                Self::Range => &["low", "high", "current"],
                Self::Manual => &["progress"],
            }
        }
    }

    /// A decimal field, read as every decimal of a document is.
    #[derive(Clone, Copy)]
    struct Number(Decimal);

    fn value(number: Option<Number>) -> Option<Decimal> {
        number.map(|n| n.0)
    }

    impl<'de> Deserialize<'de> for Number {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            serde_decimal::deserialize(d).map(Number)
        }
    }

    /// Every field any kind takes, each read by its own type as it comes
    /// (whatever the kind, a field's name fixes its type), so the map is
    /// read once and never buffered, whether `"kind"` comes first or
    /// last. Which fields the kind allows and needs is checked at the end
    /// of the map, with serde's own messages.
    #[derive(Default)]
    struct Fields {
        kind: Option<Kind>,
        start: Option<Number>,
        target: Option<Number>,
        current: Option<Number>,
        unit: Option<Option<String>>,
        commit: Option<Number>,
        stretch: Option<Number>,
        done: Option<bool>,
        milestones: Option<Vec<Milestone>>,
        threshold: Option<Number>,
        low: Option<Number>,
        high: Option<Number>,
        progress: Option<Number>,
        /// The first name no kind takes.
        unknown: Option<String>,
    }

    /// Reads a field once: a repeat is an error, as in a derived struct.
    fn once<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
        slot: &mut Option<T>,
        name: &'static str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *slot = Some(map.next_value()?);
        Ok(())
    }

    fn required<T, E: de::Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
        value.ok_or_else(|| E::missing_field(name))
    }

    /// A metric's key, read without allocating unless no kind takes it.
    enum Key {
        Kind,
        Start,
        Target,
        Current,
        Unit,
        Commit,
        Stretch,
        Done,
        Milestones,
        Threshold,
        Low,
        High,
        Progress,
        Unknown(String),
    }

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = Key;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a field name")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                    Ok(match v {
                        "kind" => Key::Kind,
                        "start" => Key::Start,
                        "target" => Key::Target,
                        "current" => Key::Current,
                        "unit" => Key::Unit,
                        "commit" => Key::Commit,
                        "stretch" => Key::Stretch,
                        "done" => Key::Done,
                        "milestones" => Key::Milestones,
                        "threshold" => Key::Threshold,
                        "low" => Key::Low,
                        "high" => Key::High,
                        "progress" => Key::Progress,
                        other => Key::Unknown(other.to_owned()),
                    })
                }
            }
            d.deserialize_identifier(KeyVisitor)
        }
    }

    pub(super) struct MetricVisitor;

    impl<'de> Visitor<'de> for MetricVisitor {
        type Value = Metric;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a metric (a map with its \"kind\")")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Metric, A::Error> {
            let mut f = Fields::default();
            while let Some(key) = map.next_key::<Key>()? {
                match key {
                    Key::Kind => once(&mut f.kind, "kind", &mut map)?,
                    Key::Start => once(&mut f.start, "start", &mut map)?,
                    Key::Target => once(&mut f.target, "target", &mut map)?,
                    Key::Current => once(&mut f.current, "current", &mut map)?,
                    Key::Unit => once(&mut f.unit, "unit", &mut map)?,
                    Key::Commit => once(&mut f.commit, "commit", &mut map)?,
                    Key::Stretch => once(&mut f.stretch, "stretch", &mut map)?,
                    Key::Done => once(&mut f.done, "done", &mut map)?,
                    Key::Milestones => once(&mut f.milestones, "milestones", &mut map)?,
                    Key::Threshold => once(&mut f.threshold, "threshold", &mut map)?,
                    Key::Low => once(&mut f.low, "low", &mut map)?,
                    Key::High => once(&mut f.high, "high", &mut map)?,
                    Key::Progress => once(&mut f.progress, "progress", &mut map)?,
                    Key::Unknown(name) => {
                        if f.unknown.is_none() {
                            f.unknown = Some(name);
                        }
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
            }
            let kind = required(f.kind, "kind")?;
            let given: [(&'static str, bool); 12] = [
                ("start", f.start.is_some()),
                ("target", f.target.is_some()),
                ("current", f.current.is_some()),
                ("unit", f.unit.is_some()),
                ("commit", f.commit.is_some()),
                ("stretch", f.stretch.is_some()),
                ("done", f.done.is_some()),
                ("milestones", f.milestones.is_some()),
                ("threshold", f.threshold.is_some()),
                ("low", f.low.is_some()),
                ("high", f.high.is_some()),
                ("progress", f.progress.is_some()),
            ];
            let allowed = kind.fields();
            if let Some(name) = f.unknown {
                return Err(de::Error::unknown_field(&name, allowed));
            }
            if let Some((name, _)) = given
                .iter()
                .find(|(name, given)| *given && !allowed.contains(name))
            {
                return Err(de::Error::unknown_field(name, allowed));
            }
            Ok(match kind {
                Kind::Numeric => Metric::Numeric {
                    start: required(f.start, "start")?.0,
                    target: required(f.target, "target")?.0,
                    current: value(f.current),
                    unit: f.unit.flatten(),
                    zones: Some(Zones::new(value(f.commit), value(f.stretch)))
                        .filter(|z| !z.is_empty())
                        .map(Box::new),
                },
                Kind::Binary => Metric::Binary {
                    done: f.done.unwrap_or_default(),
                },
                Kind::Milestones => Metric::Milestones {
                    milestones: required(f.milestones, "milestones")?,
                },
                Kind::AtLeast => Metric::AtLeast {
                    threshold: required(f.threshold, "threshold")?.0,
                    current: value(f.current),
                },
                Kind::AtMost => Metric::AtMost {
                    threshold: required(f.threshold, "threshold")?.0,
                    current: value(f.current),
                },
                Kind::Range => Metric::Range {
                    low: required(f.low, "low")?.0,
                    high: required(f.high, "high")?.0,
                    current: value(f.current),
                },
                Kind::Manual => Metric::Manual {
                    progress: value(f.progress).unwrap_or_default(),
                },
            })
        }
    }

    #[derive(Serialize)]
    #[serde(tag = "kind", rename_all = "kebab-case")]
    pub(super) enum MetricOut<'a> {
        Numeric {
            #[serde(with = "serde_decimal")]
            start: Decimal,
            #[serde(with = "serde_decimal")]
            target: Decimal,
            #[serde(
                with = "serde_decimal::option",
                skip_serializing_if = "Option::is_none"
            )]
            current: Option<Decimal>,
            #[serde(skip_serializing_if = "Option::is_none")]
            unit: Option<&'a str>,
            #[serde(
                with = "serde_decimal::option",
                skip_serializing_if = "Option::is_none"
            )]
            commit: Option<Decimal>,
            #[serde(
                with = "serde_decimal::option",
                skip_serializing_if = "Option::is_none"
            )]
            stretch: Option<Decimal>,
        },
        Binary {
            done: bool,
        },
        Milestones {
            milestones: &'a [Milestone],
        },
        AtLeast {
            #[serde(with = "serde_decimal")]
            threshold: Decimal,
            #[serde(
                with = "serde_decimal::option",
                skip_serializing_if = "Option::is_none"
            )]
            current: Option<Decimal>,
        },
        AtMost {
            #[serde(with = "serde_decimal")]
            threshold: Decimal,
            #[serde(
                with = "serde_decimal::option",
                skip_serializing_if = "Option::is_none"
            )]
            current: Option<Decimal>,
        },
        Range {
            #[serde(with = "serde_decimal")]
            low: Decimal,
            #[serde(with = "serde_decimal")]
            high: Decimal,
            #[serde(
                with = "serde_decimal::option",
                skip_serializing_if = "Option::is_none"
            )]
            current: Option<Decimal>,
        },
        Manual {
            #[serde(with = "serde_decimal")]
            progress: Decimal,
        },
    }

    impl<'a> From<&'a Metric> for MetricOut<'a> {
        fn from(metric: &'a Metric) -> Self {
            match metric {
                Metric::Numeric {
                    start,
                    target,
                    current,
                    unit,
                    zones,
                } => Self::Numeric {
                    start: *start,
                    target: *target,
                    current: *current,
                    unit: unit.as_deref(),
                    commit: zones.as_ref().and_then(|z| z.commit),
                    stretch: zones.as_ref().and_then(|z| z.stretch),
                },
                Metric::Binary { done } => Self::Binary { done: *done },
                Metric::Milestones { milestones } => Self::Milestones { milestones },
                Metric::AtLeast { threshold, current } => Self::AtLeast {
                    threshold: *threshold,
                    current: *current,
                },
                Metric::AtMost { threshold, current } => Self::AtMost {
                    threshold: *threshold,
                    current: *current,
                },
                Metric::Range { low, high, current } => Self::Range {
                    low: *low,
                    high: *high,
                    current: *current,
                },
                Metric::Manual { progress } => Self::Manual {
                    progress: *progress,
                },
            }
        }
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(repr::MetricVisitor)
    }
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        repr::MetricOut::from(self).serialize(serializer)
    }
}

/// One step of a [`Metric::Milestones`] key result.
///
/// # Example
/// ```
/// use okrs::{Milestone, Weight};
/// let m = Milestone::new("Pick a vendor").done(true).with_weight(Weight::ONE);
/// assert!(m.done);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Milestone {
    /// What the milestone is.
    pub title: String,
    /// Whether it is reached.
    #[serde(default)]
    pub done: bool,
    /// Its weight among the key result's milestones (default 1).
    #[serde(default, skip_serializing_if = "is_one")]
    pub weight: Weight,
}

fn is_one(w: &Weight) -> bool {
    *w == Weight::ONE
}

impl Milestone {
    /// A milestone not yet done, of weight 1. O(1).
    #[must_use]
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            done: false,
            weight: Weight::ONE,
        }
    }

    /// Sets whether it is done. O(1).
    #[must_use]
    pub fn done(mut self, done: bool) -> Self {
        self.done = done;
        self
    }

    /// Sets its weight. O(1).
    #[must_use]
    pub fn with_weight(mut self, weight: Weight) -> Self {
        self.weight = weight;
        self
    }
}

/// Why a metric cannot be measured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricError {
    /// A numeric metric whose start equals its target has no direction.
    #[error("start and target are both {0}: a numeric metric needs a distance to cover")]
    StartEqualsTarget(Decimal),
    /// A numeric metric whose values are so far apart that their difference
    /// overflows a decimal.
    #[error("the distance between start, target and current overflows a decimal")]
    Overflow,
    /// A range whose low bound lies above its high bound.
    #[error("range low {low} is above high {high}")]
    InvertedRange {
        /// The lower bound.
        low: Decimal,
        /// The upper bound.
        high: Decimal,
    },
    /// No milestones, milestones whose weights are all zero, or whose sum
    /// overflows: progress would be 0 / 0.
    #[error("milestones must not be empty, must not all weigh zero and must sum within range")]
    MilestoneWeights,
    /// A milestone with an empty title.
    #[error("milestone {0} has an empty title")]
    EmptyMilestoneTitle(usize),
    /// Commit or stretch values out of order: in the metric's direction,
    /// start before commit before target before stretch.
    #[error(
        "commit and stretch must lie in the metric's direction: start before commit before target before stretch"
    )]
    ZonesOutOfOrder,
}

impl Metric {
    /// A numeric metric from `start` to `target`, not yet measured. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::Metric;
    /// let m = Metric::numeric(0.into(), 3.into()).with_current(1.into());
    /// assert!(m.validate().is_ok());
    /// ```
    #[must_use]
    pub fn numeric(start: Decimal, target: Decimal) -> Self {
        Self::Numeric {
            start,
            target,
            current: None,
            unit: None,
            zones: None,
        }
    }

    /// Sets the commit and stretch values of a numeric metric (none when
    /// both are absent); other kinds are returned unchanged. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Metric, Zones};
    /// let m = Metric::numeric(0.into(), 10.into()).with_zones(Zones::new(Some(12.into()), None));
    /// assert!(m.validate().is_err()); // the commit value lies beyond the target
    /// ```
    #[must_use]
    pub fn with_zones(mut self, new: Zones) -> Self {
        if let Self::Numeric { zones, .. } = &mut self {
            *zones = (!new.is_empty()).then(|| Box::new(new));
        }
        self
    }

    /// The commit and stretch values of a numeric metric, if it has any.
    /// O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Metric, Zones};
    /// let m = Metric::numeric(0.into(), 10.into()).with_zones(Zones::new(None, Some(12.into())));
    /// assert_eq!(m.zones().and_then(|z| z.stretch), Some(12.into()));
    /// assert_eq!(Metric::binary(true).zones(), None);
    /// ```
    #[must_use]
    pub fn zones(&self) -> Option<&Zones> {
        match self {
            Self::Numeric { zones, .. } => zones.as_deref(),
            _ => None,
        }
    }

    /// Sets the unit of a numeric metric; other kinds are returned
    /// unchanged. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::Metric;
    /// let m = Metric::numeric(0.into(), 600_000.into()).with_unit("USD");
    /// assert!(matches!(m, Metric::Numeric { unit: Some(ref u), .. } if u == "USD"));
    /// ```
    #[must_use]
    pub fn with_unit(mut self, new: impl Into<String>) -> Self {
        if let Self::Numeric { unit, .. } = &mut self {
            *unit = Some(new.into());
        }
        self
    }

    /// A binary metric. O(1).
    #[must_use]
    pub fn binary(done: bool) -> Self {
        Self::Binary { done }
    }

    /// A manual metric stating its progress. O(1).
    #[must_use]
    pub fn manual(progress: Decimal) -> Self {
        Self::Manual { progress }
    }

    /// Sets the measured value of a numeric, at-least, at-most or range
    /// metric; other kinds are returned unchanged. O(1).
    #[must_use]
    pub fn with_current(mut self, value: Decimal) -> Self {
        match &mut self {
            Self::Numeric { current, .. }
            | Self::AtLeast { current, .. }
            | Self::AtMost { current, .. }
            | Self::Range { current, .. } => *current = Some(value),
            Self::Binary { .. } | Self::Milestones { .. } | Self::Manual { .. } => {}
        }
        self
    }

    /// The kind's name as documents spell it (`"numeric"`, `"at-least"`, …). O(1).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Numeric { .. } => "numeric",
            Self::Binary { .. } => "binary",
            Self::Milestones { .. } => "milestones",
            Self::AtLeast { .. } => "at-least",
            Self::AtMost { .. } => "at-most",
            Self::Range { .. } => "range",
            Self::Manual { .. } => "manual",
        }
    }

    /// Whether the metric is a control (`at-least`, `at-most`, `range`): a
    /// level to keep, which holds or is breached, rather than a target to
    /// reach. A review calls a control on track while it holds and off
    /// track while breached, never done before its period ends. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::Metric;
    /// let attrition = Metric::AtMost { threshold: 5.into(), current: None };
    /// assert!(attrition.is_control());
    /// assert!(!Metric::binary(false).is_control());
    /// ```
    #[must_use]
    pub fn is_control(&self) -> bool {
        matches!(
            self,
            Self::AtLeast { .. } | Self::AtMost { .. } | Self::Range { .. }
        )
    }

    /// Checks that the metric can be measured. O(milestones).
    ///
    /// # Errors
    /// [`MetricError`] saying why not: a numeric start equal to its target,
    /// an inverted range, milestones of zero total weight, a distance that
    /// overflows.
    pub fn validate(&self) -> Result<(), MetricError> {
        match self {
            Self::Numeric {
                start,
                target,
                current,
                zones,
                ..
            } => {
                if start == target {
                    return Err(MetricError::StartEqualsTarget(*start));
                }
                target.checked_sub(*start).ok_or(MetricError::Overflow)?;
                if let Some(current) = current {
                    current.checked_sub(*start).ok_or(MetricError::Overflow)?;
                }
                if let Some(zones) = zones {
                    // In the metric's direction: start < commit < target < stretch.
                    let up = target > start;
                    let before = |a: Decimal, b: Decimal| if up { a < b } else { a > b };
                    let ordered = zones
                        .commit
                        .is_none_or(|c| before(*start, c) && before(c, *target))
                        && zones.stretch.is_none_or(|s| before(*target, s));
                    if !ordered {
                        return Err(MetricError::ZonesOutOfOrder);
                    }
                }
                Ok(())
            }
            Self::Range { low, high, .. } if low > high => Err(MetricError::InvertedRange {
                low: *low,
                high: *high,
            }),
            Self::Milestones { milestones } => {
                if let Some(position) = milestones.iter().position(|m| m.title.trim().is_empty()) {
                    return Err(MetricError::EmptyMilestoneTitle(position));
                }
                match milestone_sums(milestones, |m| m.done) {
                    Some((_, total)) if !total.is_zero() => Ok(()),
                    _ => Err(MetricError::MilestoneWeights),
                }
            }
            _ => Ok(()),
        }
    }

    /// The progress this metric shows, clamped to `[0, cap]` for numeric
    /// metrics and to `[0, 1]` for the others. O(milestones).
    ///
    /// An invalid metric (see [`validate`](Self::validate)) measures 0.
    ///
    /// # Example
    /// ```
    /// use okrs::{Decimal, Metric};
    /// let over = Metric::numeric(0.into(), 10.into()).with_current(15.into());
    /// assert_eq!(over.progress(Decimal::ONE).value(), Decimal::ONE);
    /// assert_eq!(over.progress(Decimal::new(2, 0)).value(), Decimal::new(15, 1));
    /// ```
    #[must_use]
    pub fn progress(&self, cap: Decimal) -> Progress {
        match self {
            Self::Numeric {
                start,
                target,
                current,
                ..
            } => numeric_progress(*start, *target, current.unwrap_or(*start), cap),
            Self::Binary { done } => achieved(*done),
            Self::Milestones { milestones } => milestone_progress(milestones, |m| m.done),
            Self::AtLeast { threshold, current } => {
                achieved(current.is_some_and(|c| c >= *threshold))
            }
            Self::AtMost { threshold, current } => {
                achieved(current.is_some_and(|c| c <= *threshold))
            }
            Self::Range { low, high, current } => {
                achieved(current.is_some_and(|c| *low <= c && c <= *high))
            }
            Self::Manual { progress } => Progress::clamped(*progress, Decimal::ONE),
        }
    }

    /// The progress the metric would show with a checked-in value instead of
    /// its own `current`; with `None`, [`progress`](Self::progress). A value
    /// of the wrong kind (see [`fits`](Self::fits)) measures 0. O(milestones + titles).
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckInValue, Decimal, Metric};
    /// let m = Metric::numeric(0.into(), 40.into());
    /// let p = m.progress_at(Some(&CheckInValue::Number(10.into())), Decimal::ONE);
    /// assert_eq!(p.to_string(), "0.25");
    /// ```
    #[must_use]
    pub fn progress_at(&self, value: Option<&CheckInValue>, cap: Decimal) -> Progress {
        let Some(value) = value else {
            return self.progress(cap);
        };
        match (self, value) {
            (Self::Numeric { start, target, .. }, CheckInValue::Number(n)) => {
                numeric_progress(*start, *target, *n, cap)
            }
            (Self::Binary { .. }, CheckInValue::Done(done)) => achieved(*done),
            (Self::Milestones { milestones }, CheckInValue::Milestones(titles)) => {
                let reached = TitleSet::new(titles, milestones.len());
                milestone_progress(milestones, |m| reached.contains(&m.title))
            }
            (Self::AtLeast { threshold, .. }, CheckInValue::Number(n)) => achieved(n >= threshold),
            (Self::AtMost { threshold, .. }, CheckInValue::Number(n)) => achieved(n <= threshold),
            (Self::Range { low, high, .. }, CheckInValue::Number(n)) => {
                achieved(low <= n && n <= high)
            }
            (Self::Manual { .. }, CheckInValue::Number(n)) => Progress::clamped(*n, Decimal::ONE),
            _ => Progress::ZERO,
        }
    }

    /// The number a numeric metric stands at with a checked-in value (or,
    /// with `None`, its own `current`, else its start); `None` for other
    /// kinds. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckInValue, Metric};
    /// let m = Metric::numeric(5.into(), 10.into());
    /// assert_eq!(m.value_at(None), Some(5.into()));
    /// assert_eq!(m.value_at(Some(&CheckInValue::Number(7.into()))), Some(7.into()));
    /// assert_eq!(Metric::binary(true).value_at(None), None);
    /// ```
    #[must_use]
    pub fn value_at(&self, value: Option<&CheckInValue>) -> Option<Decimal> {
        let Self::Numeric { start, current, .. } = self else {
            return None;
        };
        Some(match value {
            Some(CheckInValue::Number(n)) => *n,
            Some(_) => *start,
            None => current.unwrap_or(*start),
        })
    }

    /// Whether a numeric metric stands on the wrong side of its start (a
    /// value moving away from the target): its progress is 0 and a review
    /// marks it regressed. Always false for other kinds. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::Metric;
    /// // Cut resets from 1000 to 100, and they went up to 1200.
    /// let resets = Metric::numeric(1000.into(), 100.into()).with_current(1200.into());
    /// assert!(resets.regressed_at(None));
    /// ```
    #[must_use]
    pub fn regressed_at(&self, value: Option<&CheckInValue>) -> bool {
        match (self, self.value_at(value)) {
            (Self::Numeric { start, target, .. }, Some(v)) => {
                if target > start {
                    v < *start
                } else {
                    v > *start
                }
            }
            _ => false,
        }
    }

    /// The zone a numeric metric with [`Zones`] stands in with a checked-in
    /// value (or its own `current`); `None` without zones. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckInValue, Metric, Zone, Zones};
    /// let m = Metric::numeric(0.into(), 100.into())
    ///     .with_zones(Zones::new(Some(60.into()), Some(130.into())));
    /// let at = |v: i64| m.zone_at(Some(&CheckInValue::Number(v.into())));
    /// assert_eq!((at(59), at(60), at(100), at(130)),
    ///            (Some(Zone::Fail), Some(Zone::Commit), Some(Zone::Target), Some(Zone::Stretch)));
    /// ```
    #[must_use]
    pub fn zone_at(&self, value: Option<&CheckInValue>) -> Option<Zone> {
        let (
            Self::Numeric {
                start,
                target,
                zones: Some(zones),
                ..
            },
            Some(v),
        ) = (self, self.value_at(value))
        else {
            return None;
        };
        let up = target > start;
        let reached = |x: Decimal| if up { v >= x } else { v <= x };
        Some(if zones.stretch.is_some_and(reached) {
            Zone::Stretch
        } else if reached(*target) {
            Zone::Target
        } else if zones.commit.is_some_and(reached) {
            Zone::Commit
        } else {
            Zone::Fail
        })
    }

    /// Checks that a checked-in value fits the metric: a number for numeric,
    /// threshold, range and manual metrics, `true`/`false` for binary, known
    /// milestone titles for milestones. O(milestones + titles).
    ///
    /// # Errors
    /// [`ValueMismatch`] saying what was expected.
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckInValue, Metric};
    /// assert!(Metric::binary(false).fits(&CheckInValue::Done(true)).is_ok());
    /// assert!(Metric::binary(false).fits(&CheckInValue::Number(1.into())).is_err());
    /// ```
    pub fn fits(&self, value: &CheckInValue) -> Result<(), ValueMismatch> {
        let expected = match self {
            Self::Binary { .. } => "true or false",
            Self::Milestones { .. } => "a list of milestone titles",
            _ => "a number",
        };
        if let (Self::Numeric { start, .. }, CheckInValue::Number(n)) = (self, value) {
            if n.checked_sub(*start).is_none() {
                return Err(ValueMismatch::OutOfRange(*n));
            }
        }
        match (self, value) {
            (Self::Binary { .. }, CheckInValue::Done(_))
            | (
                Self::Numeric { .. }
                | Self::AtLeast { .. }
                | Self::AtMost { .. }
                | Self::Range { .. }
                | Self::Manual { .. },
                CheckInValue::Number(_),
            ) => Ok(()),
            (Self::Milestones { milestones }, CheckInValue::Milestones(titles)) => {
                let known = TitleSet::new(milestones.iter().map(|m| &m.title), titles.len());
                match titles.iter().find(|t| !known.contains(t)) {
                    Some(unknown) => Err(ValueMismatch::UnknownMilestone(unknown.clone())),
                    None => Ok(()),
                }
            }
            _ => Err(ValueMismatch::Kind {
                expected,
                found: value.kind(),
            }),
        }
    }

    /// Whether the metric stands at its start: no `current`, not done, no
    /// milestone reached, manual progress 0. Key results with check-ins keep
    /// their metric so. O(milestones).
    #[must_use]
    pub fn is_at_start(&self) -> bool {
        match self {
            Self::Numeric { current, .. }
            | Self::AtLeast { current, .. }
            | Self::AtMost { current, .. }
            | Self::Range { current, .. } => current.is_none(),
            Self::Binary { done } => !done,
            Self::Milestones { milestones } => milestones.iter().all(|m| !m.done),
            Self::Manual { progress } => progress.is_zero(),
        }
    }

    /// The same metric standing at its start (see
    /// [`is_at_start`](Self::is_at_start)). O(milestones).
    #[must_use]
    pub fn at_start(&self) -> Self {
        self.measured(None)
    }

    /// The same metric measured at a checked-in value; `None` resets it to
    /// its start. A value that does not fit leaves it at its start.
    /// O(milestones + titles).
    #[must_use]
    pub fn measured(&self, value: Option<&CheckInValue>) -> Self {
        let mut metric = self.clone();
        match (&mut metric, value) {
            (
                Self::Numeric { current, .. }
                | Self::AtLeast { current, .. }
                | Self::AtMost { current, .. }
                | Self::Range { current, .. },
                value,
            ) => {
                *current = match value {
                    Some(CheckInValue::Number(n)) => Some(*n),
                    _ => None,
                };
            }
            (Self::Binary { done }, value) => {
                *done = matches!(value, Some(CheckInValue::Done(true)))
            }
            (Self::Milestones { milestones }, value) => {
                let reached = match value {
                    Some(CheckInValue::Milestones(titles)) => {
                        TitleSet::new(titles, milestones.len())
                    }
                    _ => TitleSet::new(&[] as &[String], 0),
                };
                for m in milestones {
                    m.done = reached.contains(&m.title);
                }
            }
            (Self::Manual { progress }, value) => {
                *progress = match value {
                    Some(CheckInValue::Number(n)) => *n,
                    _ => Decimal::ZERO,
                };
            }
        }
        metric
    }
}

/// Why a checked-in value does not fit a metric.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueMismatch {
    /// A value of the wrong kind.
    #[error("expected {expected}, found {found}")]
    Kind {
        /// What the metric takes.
        expected: &'static str,
        /// What was given.
        found: &'static str,
    },
    /// A number whose distance from the metric's start overflows a decimal.
    #[error("{0} is too far from the metric's start to measure")]
    OutOfRange(Decimal),
    /// A milestone title the metric does not list.
    #[error("{0:?} is not one of the key result's milestones")]
    UnknownMilestone(String),
}

fn achieved(yes: bool) -> Progress {
    if yes { Progress::ONE } else { Progress::ZERO }
}

fn numeric_progress(start: Decimal, target: Decimal, current: Decimal, cap: Decimal) -> Progress {
    let (Some(done), Some(distance)) = (current.checked_sub(start), target.checked_sub(start))
    else {
        return Progress::ZERO;
    };
    if distance.is_zero() {
        return Progress::ZERO;
    }
    let ratio = done.checked_div(distance).unwrap_or_else(|| {
        // Only a huge quotient overflows: its sign decides the clamp.
        if done.is_sign_negative() == distance.is_sign_negative() {
            cap
        } else {
            Decimal::ZERO
        }
    });
    Progress::clamped(ratio, cap)
}

fn milestone_progress(milestones: &[Milestone], done: impl Fn(&Milestone) -> bool) -> Progress {
    match milestone_sums(milestones, done) {
        Some((done, total)) if !total.is_zero() => {
            Progress::clamped(done.checked_div(total).unwrap_or_default(), Decimal::ONE)
        }
        _ => Progress::ZERO,
    }
}

/// (done weight, total weight), or `None` when the sum overflows.
fn milestone_sums(
    milestones: &[Milestone],
    is_done: impl Fn(&Milestone) -> bool,
) -> Option<(Decimal, Decimal)> {
    milestones
        .iter()
        .try_fold((Decimal::ZERO, Decimal::ZERO), |(done, total), m| {
            let w = m.weight.value();
            let done = if is_done(m) {
                done.checked_add(w)?
            } else {
                done
            };
            Some((done, total.checked_add(w)?))
        })
}

/// A set of titles to look milestones up in: a plain scan for a few, a
/// hash set once scanning would cost more than hashing (so a check-in
/// naming every one of many milestones stays linear).
enum TitleSet<'a> {
    Few(Vec<&'a str>),
    Many(std::collections::HashSet<&'a str>),
}

impl<'a> TitleSet<'a> {
    /// `titles`, to be probed about `probes` times. O(titles).
    fn new(titles: impl IntoIterator<Item = &'a String>, probes: usize) -> Self {
        let titles: Vec<&str> = titles.into_iter().map(String::as_str).collect();
        if titles.len().saturating_mul(probes) <= 256 {
            Self::Few(titles)
        } else {
            Self::Many(titles.into_iter().collect())
        }
    }

    /// O(1) average.
    fn contains(&self, title: &str) -> bool {
        match self {
            Self::Few(titles) => titles.contains(&title),
            Self::Many(titles) => titles.contains(title),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_milestones_are_looked_up_like_few() {
        // Past the scan threshold the set hashes; both must agree with a
        // plain search, whatever the sizes.
        for count in [1usize, 3, 17, 300] {
            let milestones: Vec<Milestone> = (0..count)
                .map(|i| Milestone::new(format!("m{i}")))
                .collect();
            let metric = Metric::Milestones {
                milestones: milestones.clone(),
            };
            let every: Vec<String> = milestones.iter().map(|m| m.title.clone()).collect();
            let half: Vec<String> = every.iter().step_by(2).cloned().collect();
            assert!(
                metric
                    .fits(&CheckInValue::Milestones(every.clone()))
                    .is_ok()
            );
            let mut unknown = half.clone();
            unknown.push("nope".into());
            assert_eq!(
                metric.fits(&CheckInValue::Milestones(unknown)),
                Err(ValueMismatch::UnknownMilestone("nope".into()))
            );
            let all =
                metric.progress_at(Some(&CheckInValue::Milestones(every.clone())), Decimal::ONE);
            assert_eq!(all, Progress::ONE, "{count}");
            let some =
                metric.progress_at(Some(&CheckInValue::Milestones(half.clone())), Decimal::ONE);
            let expected = Decimal::from(half.len()) / Decimal::from(count);
            assert_eq!(some.value(), expected, "{count}");
            let Metric::Milestones { milestones: done } =
                metric.measured(Some(&CheckInValue::Milestones(half.clone())))
            else {
                panic!("still milestones");
            };
            let reached: Vec<&str> = done
                .iter()
                .filter(|m| m.done)
                .map(|m| m.title.as_str())
                .collect();
            assert_eq!(reached, half.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }

    fn d(s: &str) -> Decimal {
        crate::parse_decimal(s).unwrap()
    }

    #[test]
    fn numeric_increase_and_decrease() {
        let up = Metric::numeric(d("0"), d("3")).with_current(d("1"));
        assert_eq!(up.progress(Decimal::ONE).value(), d("1") / d("3"));
        let down = Metric::numeric(d("1000"), d("100")).with_current(d("100"));
        assert_eq!(down.progress(Decimal::ONE), Progress::ONE);
        let backwards = Metric::numeric(d("10"), d("20")).with_current(d("5"));
        assert_eq!(backwards.progress(Decimal::ONE), Progress::ZERO);
        let unmeasured = Metric::numeric(d("10"), d("20"));
        assert_eq!(unmeasured.progress(Decimal::ONE), Progress::ZERO);
    }

    #[test]
    fn numeric_start_equal_target_is_invalid() {
        let m = Metric::numeric(d("5"), d("5"));
        assert_eq!(m.validate(), Err(MetricError::StartEqualsTarget(d("5"))));
        assert_eq!(m.progress(Decimal::ONE), Progress::ZERO);
    }

    #[test]
    fn numeric_huge_quotient_clamps_by_sign() {
        let m = Metric::numeric(Decimal::ZERO, d("0.0000000000000000000000000001"))
            .with_current(d("79228162514264337593543950335"));
        assert!(m.validate().is_ok());
        assert_eq!(m.progress(d("1.5")).value(), d("1.5"));
    }

    #[test]
    fn thresholds_are_inclusive() {
        let at_least = Metric::AtLeast {
            threshold: d("8"),
            current: Some(d("8")),
        };
        assert_eq!(at_least.progress(Decimal::ONE), Progress::ONE);
        let at_most = Metric::AtMost {
            threshold: d("8"),
            current: Some(d("8.01")),
        };
        assert_eq!(at_most.progress(Decimal::ONE), Progress::ZERO);
        let not_measured = Metric::AtLeast {
            threshold: d("8"),
            current: None,
        };
        assert_eq!(not_measured.progress(Decimal::ONE), Progress::ZERO);
    }

    #[test]
    fn range_bounds_are_inclusive_and_ordered() {
        let range = |c: &str| Metric::Range {
            low: d("1"),
            high: d("2"),
            current: Some(d(c)),
        };
        assert_eq!(range("1").progress(Decimal::ONE), Progress::ONE);
        assert_eq!(range("2").progress(Decimal::ONE), Progress::ONE);
        assert_eq!(range("2.1").progress(Decimal::ONE), Progress::ZERO);
        let inverted = Metric::Range {
            low: d("3"),
            high: d("2"),
            current: None,
        };
        assert!(matches!(
            inverted.validate(),
            Err(MetricError::InvertedRange { .. })
        ));
    }

    #[test]
    fn milestones_weigh_done_over_total() {
        let m = Metric::Milestones {
            milestones: vec![
                Milestone::new("a")
                    .done(true)
                    .with_weight(Weight::new(d("1")).unwrap()),
                Milestone::new("b").with_weight(Weight::new(d("3")).unwrap()),
            ],
        };
        assert_eq!(m.progress(Decimal::ONE).value(), d("0.25"));
        let zero = Metric::Milestones {
            milestones: vec![Milestone::new("a").with_weight(Weight::ZERO)],
        };
        assert_eq!(zero.validate(), Err(MetricError::MilestoneWeights));
        let empty = Metric::Milestones { milestones: vec![] };
        assert_eq!(empty.validate(), Err(MetricError::MilestoneWeights));
    }

    #[test]
    fn check_in_values_too_far_from_the_start_do_not_fit() {
        let m = Metric::numeric(d("-79228162514264337593543950335"), d("0"));
        let far = CheckInValue::Number(d("79228162514264337593543950335"));
        assert!(matches!(m.fits(&far), Err(ValueMismatch::OutOfRange(_))));
        assert!(m.fits(&CheckInValue::Number(d("-5"))).is_ok());
    }

    #[test]
    fn manual_is_clamped_to_one() {
        assert_eq!(Metric::manual(d("1.7")).progress(d("2")), Progress::ONE);
        assert_eq!(Metric::manual(d("-1")).progress(d("2")), Progress::ZERO);
    }
}
