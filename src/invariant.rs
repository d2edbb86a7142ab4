//! Invariants: lookups that the crate's own structures guarantee, written
//! so.
//!
//! Library code never panics on any input, yet a lookup that cannot fail
//! must not hide a bug behind a plausible default either. These helpers do
//! both: a broken invariant stops debug builds, so every test that reaches
//! it fails naming what broke, while release builds go on with the
//! fallback.

/// `value`, which the caller's invariants guarantee is `Some`; `what` says
/// which invariant. Release builds fall back to `T::default()`.
#[track_caller]
#[inline]
pub(crate) fn sure<T: Default>(value: Option<T>, what: &'static str) -> T {
    debug_assert!(value.is_some(), "broken invariant: {what}");
    value.unwrap_or_default()
}

/// [`sure`] with an explicit fallback for types without a fitting default.
#[track_caller]
#[inline]
pub(crate) fn sure_or<T>(value: Option<T>, fallback: T, what: &'static str) -> T {
    debug_assert!(value.is_some(), "broken invariant: {what}");
    value.unwrap_or(fallback)
}

/// A count or index as the `u32` the compact structures store. Node
/// indices are `u32` in the graph already, and the set refuses documents
/// past `u32::MAX` titles bytes, so nothing reaches the fallback.
#[track_caller]
#[inline]
pub(crate) fn to_u32(n: usize) -> u32 {
    sure_or(u32::try_from(n).ok(), u32::MAX, "counts fit in u32")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_pass_their_value_through() {
        assert_eq!(sure(Some(3), "three"), 3);
        assert_eq!(sure_or(Some("a"), "b", "a"), "a");
        assert_eq!(to_u32(7), 7);
    }

    #[test]
    #[should_panic(expected = "broken invariant: the slot is there")]
    #[cfg(debug_assertions)]
    fn a_broken_invariant_stops_debug_builds() {
        let _ = sure::<u8>(None, "the slot is there");
    }
}
