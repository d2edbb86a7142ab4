//! A large JSON document loaded on several threads: its objectives cut
//! into parts between two objectives, each part parsed on a thread of its
//! own, the objectives added in document order on the calling thread.
//!
//! The cuts are guessed from the layout every writer here produces (one
//! objective per block, each opening on a line of its own, indented
//! alike: a raw line break is never inside a JSON string), and only a
//! cut the parse confirms is used: the part before it must end on it,
//! element for element, and the settings before the objectives must read
//! as the one-thread stream reads them. Anything else (another layout, a
//! cut inside an objective, any error at all) gives `None`, and the load
//! goes the one-thread way, which decides what the document is. So the
//! threads change how fast a document loads, never what it loads to.

use std::sync::atomic::{AtomicBool, Ordering};

use super::OkrSet;
use super::builder::{DocumentSize, SetBuilder};
use crate::Objective;

/// The least text a part is cut to: a thread costs tens of microseconds,
/// a part this size a few milliseconds to parse.
const PART_BYTES: usize = 256 * 1024;

/// An objective block's indentation longer than this is not the writers'
/// (they indent objectives by four spaces); refusing it keeps the search
/// for cuts linear in the text.
const MOST_INDENT: usize = 16;

/// A worker's stack: the calling thread's usual size, since a part
/// parses as deep as serde_json's recursion limit allows.
const STACK_BYTES: usize = 8 * 1024 * 1024;

/// Builds the set from JSON text on up to the builder's
/// [`threads`](SetBuilder::threads), or `None` when the text is too small
/// to cut, is not laid out as expected, or is invalid in any way.
/// O(length of the text + V + E).
pub(super) fn from_json(builder: &SetBuilder, text: &str) -> Option<OkrSet> {
    if text.len() < 2 * PART_BYTES {
        return None;
    }
    let layout = Layout::find(text)?;
    let threads = builder.threads_for(layout.span() / PART_BYTES);
    let cuts = layout.cuts(text, threads)?;
    // The settings read as the one-thread stream reads them, from the
    // text up to the objectives' `[` closed right after it: the same
    // bytes up to there, so the parser is in the same place, and an
    // empty array there means that `[` opens the objectives.
    let mut head = String::with_capacity(layout.open + 3);
    head.push_str(text.get(..=layout.open)?);
    head.push_str("]}");
    let mut loading =
        super::stream::loading(builder.clone(), &head, DocumentSize::guess(text.len()))?;
    drop(head);
    // Every objective follows the one key the stream reads them from, so
    // none can come before the `[`; checked all the same, since the cuts
    // stand on it.
    debug_assert!(
        loading.is_empty(),
        "no objective before the objectives' `[`"
    );
    if !loading.is_empty() {
        return None;
    }
    let failed = AtomicBool::new(false);
    let loaded = std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(cuts.len());
        for (k, &start) in cuts.iter().enumerate() {
            let stop = cuts.get(k + 1).copied();
            let part = Part {
                start: start + 1,
                stop,
            };
            let failed = &failed;
            let worker = std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, move || part.parse(text, failed));
            workers.push((part, worker.ok()));
        }
        let first = Part {
            start: layout.open + 1,
            stop: cuts.first().copied(),
        };
        let added = first.walk(text, &failed, |objective| loading.add(objective).is_ok());
        if added.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        let mut parts = Vec::with_capacity(workers.len());
        for (part, worker) in workers {
            // A thread that could not start leaves its part to this one.
            let parsed = match worker {
                Some(worker) => worker.join().ok().flatten(),
                None => part.parse(text, &failed),
            };
            parts.push(parsed);
        }
        added?;
        for objectives in parts {
            for objective in objectives? {
                loading.add(objective).ok()?;
            }
        }
        Some(loading)
    })?;
    loaded.finish(true).ok()
}

/// Where the objectives lie and how their blocks are laid out.
struct Layout {
    /// The objectives array's `[`.
    open: usize,
    /// The first objective's `{`.
    first: usize,
    /// The text's length.
    end: usize,
    /// Where the `,` lies in `between`.
    comma: usize,
    /// What separates two objectives: `\n`, the indentation, `},\n`, the
    /// indentation, `{`.
    between: Vec<u8>,
}

impl Layout {
    /// The first `"objectives"` key with an array after it whose first
    /// element opens on a line of its own; `None` for any other text.
    /// O(length of the text up to the objectives).
    fn find(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let key = b"\"objectives\"";
        let at = bytes.windows(key.len()).position(|w| w == key)?;
        let colon = skip_space(bytes, at + key.len());
        (bytes.get(colon) == Some(&b':')).then_some(())?;
        let open = skip_space(bytes, colon + 1);
        (bytes.get(open) == Some(&b'[')).then_some(())?;
        let first = skip_space(bytes, open + 1);
        (bytes.get(first) == Some(&b'{')).then_some(())?;
        let gap = bytes.get(open + 1..first)?;
        let line = gap.iter().rposition(|&b| b == b'\n')?;
        let indent = gap.get(line + 1..)?;
        if indent.len() > MOST_INDENT || indent.iter().any(|&b| b != b' ' && b != b'\t') {
            return None;
        }
        let mut between = Vec::with_capacity(2 * indent.len() + 5);
        between.push(b'\n');
        between.extend_from_slice(indent);
        between.extend_from_slice(b"},\n");
        between.extend_from_slice(indent);
        between.push(b'{');
        Some(Self {
            open,
            first,
            end: bytes.len(),
            comma: indent.len() + 2,
            between,
        })
    }

    /// The bytes from the first objective to the end of the text. O(1).
    fn span(&self) -> usize {
        self.end.saturating_sub(self.first)
    }

    /// Where each part after the first starts (the `,` after the last
    /// objective of the part before), for `threads` parts, the first a
    /// little shorter than the others since its objectives are added as
    /// they are parsed; `None` when fewer than two parts are found.
    /// O(length of the text) at most, usually a few objectives' text per
    /// cut.
    fn cuts(&self, text: &str, threads: usize) -> Option<Vec<usize>> {
        if threads < 2 {
            return None;
        }
        let bytes = text.as_bytes();
        // Shares of 19 for the first part, 20 for each other: a part
        // parsed on another thread is slowed about as much by the pages
        // both threads fault in as the first is by adding as it parses.
        // At 1M nodes on two threads, alternating with 3 and 4, this
        // loaded in 1.83-1.86 s against 1.84-1.95 s (medians 1.85 and
        // 1.94 s; BENCHMARKS.md, eleventh round).
        let shares = 20 * threads - 1;
        let mut cuts: Vec<usize> = Vec::with_capacity(threads - 1);
        for k in 1..threads {
            let share = (20 * k - 1) as u128;
            let aim = self.first + (self.span() as u128 * share / shares as u128) as usize;
            let from = cuts.last().map_or(aim, |&last| aim.max(last + 1));
            let Some(found) = find(bytes, &self.between, from) else {
                break;
            };
            cuts.push(found + self.comma);
        }
        (!cuts.is_empty()).then_some(cuts)
    }
}

/// Objectives from `start` (just after the `[` or a cut's `,`) up to the
/// next cut's `,`, or with no next cut up to the end of the document.
#[derive(Debug, Clone, Copy)]
struct Part {
    start: usize,
    stop: Option<usize>,
}

impl Part {
    /// The part's objectives, or `None` (also when another part failed
    /// first). O(its text).
    fn parse(self, text: &str, failed: &AtomicBool) -> Option<Vec<Objective>> {
        let mut objectives = Vec::new();
        let walked = self.walk(text, failed, |objective| {
            objectives.push(objective);
            true
        });
        if walked.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        walked.map(|()| objectives)
    }

    /// Reads the part's objectives in order, giving each to `take`;
    /// `None` when an element does not parse as an objective, `take`
    /// refuses one, the part does not end exactly on its cut (or, for the
    /// last, the document does not end right after the array), or
    /// another part failed. O(its text).
    fn walk(
        self,
        text: &str,
        failed: &AtomicBool,
        mut take: impl FnMut(Objective) -> bool,
    ) -> Option<()> {
        let bytes = text.as_bytes();
        let mut at = skip_space(bytes, self.start);
        loop {
            if failed.load(Ordering::Relaxed) {
                return None;
            }
            let (objective, end) = objective_at(text, at)?;
            if !take(objective) {
                return None;
            }
            at = skip_space(bytes, end);
            match (bytes.get(at), self.stop) {
                (Some(b','), Some(stop)) if at == stop => return Some(()),
                (Some(b','), Some(stop)) if at > stop => return None,
                (Some(b','), _) => at = skip_space(bytes, at + 1),
                (Some(b']'), None) => {
                    let close = skip_space(bytes, at + 1);
                    (bytes.get(close) == Some(&b'}')).then_some(())?;
                    let end = skip_space(bytes, close + 1);
                    return (end == bytes.len()).then_some(());
                }
                _ => return None,
            }
        }
    }
}

/// The objective whose `{` is at `at`, and where its text ends. It parses
/// as inside the whole document but with two more levels of serde_json's
/// recursion limit (128) to go; only key results nested past
/// [`MAX_DEPTH`](crate::MAX_DEPTH) reach that deep, and adding them fails.
fn objective_at(text: &str, at: usize) -> Option<(Objective, usize)> {
    let rest = text.get(at..)?;
    // An object only: serde also reads a struct from an array, which
    // the writers never produce (the one-thread stream takes those).
    if !rest.starts_with('{') {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Objective>();
    let objective = stream.next()?.ok()?;
    Some((objective, at + stream.byte_offset()))
}

/// The first place at or after `from` where `bytes` holds `pattern`
/// (`pattern` starts with `\n`). O((length − from) × pattern length) at
/// most, the pattern being at most 2 × [`MOST_INDENT`] + 5 bytes.
fn find(bytes: &[u8], pattern: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut offset = 0;
    while let Some(line) = rest.get(offset..)?.iter().position(|&b| b == b'\n') {
        let start = offset + line;
        if rest.get(start..)?.starts_with(pattern) {
            return Some(from + start);
        }
        offset = start + 1;
    }
    None
}

/// The first byte at or after `at` that is not JSON whitespace (the
/// length of `bytes` if none is).
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// A pretty document of about 2 MiB: four parts of 256 KiB or more.
    fn big() -> &'static str {
        static TEXT: OnceLock<String> = OnceLock::new();
        TEXT.get_or_init(|| crate::sample::realistic(5_000, 11).to_json().unwrap())
    }

    fn one_thread(text: &str) -> Option<OkrSet> {
        let loading = super::super::stream::loading(
            SetBuilder::default().threads(1),
            text,
            DocumentSize::guess(text.len()),
        )?;
        loading.finish(true).ok()
    }

    #[test]
    fn a_written_document_is_cut_between_objectives_and_loads_as_in_one_thread() {
        let text = big();
        assert!(text.len() > 4 * PART_BYTES, "{}", text.len());
        let layout = Layout::find(text).unwrap();
        assert_eq!(layout.between, b"\n    },\n    {");
        let cuts = layout.cuts(text, 4).unwrap();
        assert_eq!(cuts.len(), 3);
        for &cut in &cuts {
            assert_eq!(text.get(cut - 6..cut + 7), Some("\n    },\n    {"));
        }
        let expected = one_thread(text).unwrap();
        for threads in 2..=4 {
            let loaded = from_json(&SetBuilder::default().threads(threads), text);
            assert_eq!(loaded.as_ref(), Some(&expected), "{threads} threads");
        }
        // Too few threads or too small a text: not cut.
        assert!(from_json(&SetBuilder::default().threads(1), text).is_none());
        assert!(
            from_json(
                &SetBuilder::default().threads(4),
                crate::sample::SAMPLE_JSON
            )
            .is_none()
        );
    }

    #[test]
    fn a_cut_the_parse_does_not_land_on_is_declined() {
        let text = big();
        let layout = Layout::find(text).unwrap();
        let cut = layout.cuts(text, 2).unwrap()[0];
        // The part after the cut read from inside an objective, or the
        // part before it asked to end inside one.
        let inside = text[cut + 200..].find("\n        },\n").unwrap() + cut + 200 + 10;
        assert_eq!(text.get(inside..=inside), Some(","));
        let failed = AtomicBool::new(false);
        let after = Part {
            start: inside + 1,
            stop: None,
        };
        assert!(after.parse(text, &failed).is_none());
        let failed = AtomicBool::new(false);
        let before = Part {
            start: layout.open + 1,
            stop: Some(inside),
        };
        assert!(before.parse(text, &failed).is_none());
        let failed = AtomicBool::new(false);
        let exact = Part {
            start: layout.open + 1,
            stop: Some(cut),
        };
        assert!(exact.parse(text, &failed).is_some_and(|o| !o.is_empty()));
        // Another part's failure stops a part at its next objective.
        assert!(exact.parse(text, &failed).is_some());
        failed.store(true, Ordering::Relaxed);
        assert!(exact.parse(text, &failed).is_none());
    }

    #[test]
    fn layouts_other_than_the_writers_are_not_cut() {
        let compact = serde_json::to_string(&crate::Document::from_json(big()).unwrap()).unwrap();
        assert!(Layout::find(&compact).is_none());
        let deep = big().replace("\n    ", &format!("\n{}", " ".repeat(MOST_INDENT + 1)));
        assert!(Layout::find(&deep).is_none());
        // The key inside a string first: whatever follows it, the head
        // does not read as settings before an empty array.
        let decoy = big().replacen(
            "\"format\": \"okrs/1\",",
            "\"format\": \"okrs/1\", \"levels\": [\"\\\"objectives\\\": [\\n    {\"],",
            1,
        );
        assert!(from_json(&SetBuilder::default().threads(2), &decoy).is_none());
    }
}
