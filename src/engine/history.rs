//! A key result's check-ins in the order they happened, with room kept in
//! front of the first: a check-in older than every other goes in front as
//! cheaply as a newer one goes at the back (amortized O(1)), so recording
//! a long history newest first, one check-in per call, costs O(n log n) in
//! all (the search for each one's place), not O(n²).

use std::ops::Deref;

use crate::{CheckIn, CheckInValue, Moment};

/// The check-ins, `slots[start..]`; `slots[..start]` hold placeholders,
/// the room in front (safe code cannot leave slots uninitialised).
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    slots: Vec<CheckIn>,
    start: usize,
    /// How many check-ins inserts and removals have moved, for the tests
    /// that bound it.
    #[cfg(test)]
    moved: usize,
}

/// What fills the room in front: a check-in with nothing on the heap.
fn placeholder() -> CheckIn {
    CheckIn::new(
        Moment::from(jiff::civil::Date::ZERO),
        CheckInValue::Done(false),
    )
}

impl History {
    /// A history of check-ins already in order. O(1).
    pub(crate) fn from_vec(check_ins: Vec<CheckIn>) -> Self {
        Self {
            slots: check_ins,
            ..Self::default()
        }
    }

    /// The check-ins, in order. O(1).
    pub(crate) fn as_slice(&self) -> &[CheckIn] {
        self.slots.get(self.start..).unwrap_or_default()
    }

    /// The check-ins, in order, to change in place (or sort). O(1).
    pub(crate) fn as_mut_slice(&mut self) -> &mut [CheckIn] {
        self.slots.get_mut(self.start..).unwrap_or_default()
    }

    /// Appends a check-in. Amortized O(1).
    pub(crate) fn push(&mut self, check_in: CheckIn) {
        self.slots.push(check_in);
    }

    /// Inserts a check-in at `at` (clamped to the length), moving the
    /// fewer check-ins: those before it into the room in front, or those
    /// after it. O(min(at, len − at)), amortized O(1) at either end.
    pub(crate) fn insert(&mut self, at: usize, check_in: CheckIn) {
        let len = self.len();
        let at = at.min(len);
        if len - at <= at {
            self.note_moved(len - at);
            self.slots.insert(self.start + at, check_in);
            return;
        }
        if self.start == 0 {
            self.make_room();
        }
        self.note_moved(at);
        let start = self.start;
        // The placeholder just before the first moves behind the `at`
        // check-ins before the new one, and takes its place.
        if let Some(front) = self.slots.get_mut(start - 1..start + at) {
            front.rotate_left(1);
        }
        if let Some(slot) = self.slots.get_mut(start + at - 1) {
            *slot = check_in;
        }
        self.start = start - 1;
    }

    /// Removes the check-in at `at`, moving the fewer others. O(min(at,
    /// len − at)).
    pub(crate) fn remove(&mut self, at: usize) -> Option<CheckIn> {
        let len = self.len();
        if at >= len {
            return None;
        }
        let start = self.start;
        if at < len - at - 1 {
            self.note_moved(at);
            let front = self.slots.get_mut(start..=start + at)?;
            front.rotate_right(1);
            let removed = std::mem::replace(front.first_mut()?, placeholder());
            self.start = start + 1;
            return Some(removed);
        }
        self.note_moved(len - at - 1);
        Some(self.slots.remove(start + at))
    }

    /// Room in front for as many check-ins as there are (at least a few),
    /// so that the room runs out only after the history doubled. O(len).
    fn make_room(&mut self) {
        let room = self.len().max(4);
        self.note_moved(self.len());
        let mut slots = Vec::with_capacity(room + self.slots.len());
        slots.extend(std::iter::repeat_with(placeholder).take(room));
        slots.append(&mut self.slots);
        self.slots = slots;
        self.start = room;
    }

    #[cfg(test)]
    fn note_moved(&mut self, count: usize) {
        self.moved += count;
    }

    #[cfg(not(test))]
    #[inline(always)]
    fn note_moved(&mut self, _: usize) {}
}

impl Deref for History {
    type Target = [CheckIn];
    fn deref(&self) -> &[CheckIn] {
        self.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Decimal;

    fn numbered(i: usize) -> CheckIn {
        CheckIn::new(
            Moment::from(jiff::civil::Date::ZERO),
            CheckInValue::Number(Decimal::from(i)),
        )
    }

    fn values(history: &History) -> Vec<String> {
        history
            .iter()
            .map(|c| match &c.value {
                CheckInValue::Number(n) => n.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn inserting_in_front_moves_each_check_in_a_bounded_number_of_times() {
        let n = 20_000;
        let mut history = History::default();
        for i in (0..n).rev() {
            history.insert(0, numbered(i));
        }
        assert_eq!(history.len(), n);
        assert!(
            history
                .iter()
                .zip(0..)
                .all(|(c, i)| c.value == numbered(i).value)
        );
        // Each doubling of the room moves the history once: under 2n in
        // all, where shifting the whole history each time moves n²/2.
        assert!(history.moved <= 2 * n, "{} moves", history.moved);
    }

    #[test]
    fn appending_moves_nothing() {
        let mut history = History::default();
        for i in 0..1_000 {
            let len = history.len();
            history.insert(len, numbered(i));
        }
        assert_eq!(history.moved, 0);
    }

    #[test]
    fn inserts_and_removals_anywhere_keep_the_order() {
        let mut history = History::from_vec((0..10).map(|i| numbered(i * 10)).collect());
        let mut expected: Vec<usize> = (0..10).map(|i| i * 10).collect();
        for (at, value) in [
            (0, 1),
            (11, 2),
            (5, 3),
            (1, 4),
            (3, 5),
            (0, 6),
            (14, 7),
            (9, 8),
        ] {
            history.insert(at, numbered(value));
            expected.insert(at, value);
        }
        for at in [0, 5, 12, 1, 3, 9, 0] {
            let removed = history.remove(at).map(|c| c.value);
            assert_eq!(removed, Some(numbered(expected.remove(at)).value));
        }
        assert!(history.remove(history.len()).is_none());
        let expected: Vec<String> = expected.iter().map(ToString::to_string).collect();
        assert_eq!(values(&history), expected);
        // At most the shorter side moves: the middle of a history of n
        // moves about n/2, either end next to nothing.
        let mut history = History::from_vec((0..100).map(numbered).collect());
        history.insert(50, numbered(0));
        assert!(history.moved <= 51, "{}", history.moved);
    }
}
