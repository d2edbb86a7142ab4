//! The crate's modules stay in one-way layers: a module may name modules of
//! its own layer and of the layers below it, never of a layer above.
//!
//! 1. values: `id`, `number`, `time`, `period`, `scale`, `strategy/`,
//!    `status`, `metric`, `checkin`, `model`, `rules`, `error`
//! 2. documents: `document`, `io/`, `sample` (it builds `Document`s, so it
//!    cannot sit with the values)
//! 3. engine: `engine/`
//! 4. set: `set/`
//! 5. reports: `review/`, `lint/`, `analytics/`, `render/`; a report names
//!    the set and everything below, but another report only through
//!    [`REPORT_USES`], the allow-list with a reason for each edge
//!
//! `lib.rs` is the root and names everything.
//!
//! The test reads every `.rs` file under `src/` (comments and plain string
//! literals skipped; a string that is a path, like serde's
//! `with = "crate::number::serde_decimal"`, counts) and finds every name it
//! takes from another module: `crate::module::…`, `super::…` that leaves the
//! folder, and names imported from the crate root (`use crate::{Review, …}`),
//! mapped to their defining module through `lib.rs`'s `use` lines (renames
//! with `as` and the inline `pub mod iter` included). It sees names only:
//! a method call such as `set.review(as_of)` names no module.
//!
//! ## When it fails
//! - "names a higher layer": move the code down (often the item it names
//!   belongs in a lower module), or pass the value in from the caller, or
//!   move the file up a layer in [`FILES`] if it really is higher-level.
//! - "names another report": share the item through a lower layer, or, if
//!   the dependency is intended, add it to [`REPORT_USES`] with the reason.
//! - "allow-listed but unused": remove the entry from [`REPORT_USES`].
//! - "cannot resolve": the path is neither a module of `lib.rs` nor a name
//!   `lib.rs` imports or re-exports; name the item through its module.
//! - "has no layer": add the new file to [`FILES`] at the layer it belongs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::Path;

/// A layer; a module may name its own layer and the ones below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Values,
    Documents,
    Engine,
    Set,
    Reports,
    /// `lib.rs`: names everything.
    Root,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Values => "1 values",
            Self::Documents => "2 documents",
            Self::Engine => "3 engine",
            Self::Set => "4 set",
            Self::Reports => "5 reports",
            Self::Root => "root",
        })
    }
}

/// Every file under `src/`, by its path from `src/`, with its layer. The
/// module of a file is its first path component (`set/edit.rs` is `set`).
const FILES: &[(&str, Layer)] = &[
    ("lib.rs", Layer::Root),
    // 1. values
    ("id.rs", Layer::Values),
    ("number.rs", Layer::Values),
    ("time.rs", Layer::Values),
    ("visibility.rs", Layer::Values),
    ("period.rs", Layer::Values),
    ("scale.rs", Layer::Values),
    ("strategy/mod.rs", Layer::Values),
    ("strategy/builtin.rs", Layer::Values),
    ("status.rs", Layer::Values),
    ("metric.rs", Layer::Values),
    ("checkin.rs", Layer::Values),
    ("model.rs", Layer::Values),
    ("rules.rs", Layer::Values),
    ("error.rs", Layer::Values),
    ("invariant.rs", Layer::Values),
    ("edit.rs", Layer::Values),
    // 2. documents
    ("document.rs", Layer::Documents),
    ("io/mod.rs", Layer::Documents),
    ("io/json.rs", Layer::Documents),
    ("io/csv.rs", Layer::Documents),
    // `sample::document` returns a `crate::Document` and parses it.
    ("sample.rs", Layer::Documents),
    // 3. engine
    ("engine/mod.rs", Layer::Engine),
    ("engine/graph.rs", Layer::Engine),
    ("engine/history.rs", Layer::Engine),
    ("engine/rollup.rs", Layer::Engine),
    // 4. set
    ("set/mod.rs", Layer::Set),
    ("set/builder.rs", Layer::Set),
    ("set/stream.rs", Layer::Set),
    ("set/parallel.rs", Layer::Set),
    ("set/query.rs", Layer::Set),
    ("set/node.rs", Layer::Set),
    ("set/edit.rs", Layer::Set),
    ("set/guard.rs", Layer::Set),
    ("set/lifecycle.rs", Layer::Set),
    ("set/values.rs", Layer::Set),
    ("set/view.rs", Layer::Set),
    ("set/apply.rs", Layer::Set),
    ("set/update.rs", Layer::Set),
    // 5. reports
    ("review/mod.rs", Layer::Reports),
    ("review/json.rs", Layer::Reports),
    ("lint/mod.rs", Layer::Reports),
    ("lint/json.rs", Layer::Reports),
    ("analytics/mod.rs", Layer::Reports),
    ("analytics/impact.rs", Layer::Reports),
    ("render/mod.rs", Layer::Reports),
    ("render/dot.rs", Layer::Reports),
    ("render/markdown.rs", Layer::Reports),
    ("render/mermaid.rs", Layer::Reports),
    ("render/text.rs", Layer::Reports),
];

/// The reports that may name another report: (from, to, why).
const REPORT_USES: &[(&str, &str, &str)] = &[
    (
        "lint",
        "review",
        "lint checks a set as of a date: it keeps a `Review` of that date \
         and reads statuses, confidence and forecasts from it",
    ),
    (
        "analytics",
        "review",
        "`OkrSet::distribution` groups the progress, bands and statuses of a \
         `Review` the caller passes in",
    ),
    (
        "render",
        "review",
        "`OkrSet::to_markdown` is a review rendered as tables: it writes out \
         each `NodeReview`",
    ),
    (
        "render",
        "lint",
        "the text report ends with the count of health-check findings \
         (`OkrSet::to_text`)",
    ),
    (
        "render",
        "analytics",
        "the text report counts objectives per band and status through \
         `OkrSet::distribution` rather than counting them again",
    ),
];

/// The module a file belongs to: its first path component, `""` for the root.
fn module_of(file: &str) -> &str {
    if file == "lib.rs" {
        return "";
    }
    let first = file.split('/').next().unwrap_or(file);
    first.strip_suffix(".rs").unwrap_or(first)
}

fn layer_of_file(file: &str) -> Option<Layer> {
    FILES.iter().find(|(f, _)| *f == file).map(|&(_, l)| l)
}

fn layer_of_module(module: &str) -> Option<Layer> {
    FILES
        .iter()
        .find(|(f, _)| module_of(f) == module)
        .map(|&(_, l)| l)
}

fn src_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, as paths from `src/` with `/`, sorted.
fn source_files() -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {dir:?}: {e}"));
        for entry in entries {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}/"), out);
            } else if name.ends_with(".rs") {
                out.push(format!("{prefix}{name}"));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src_dir(), "", &mut out);
    out.sort();
    out
}

fn read(file: &str) -> String {
    let path = src_dir().join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path:?}: {e}"))
}

// ---------------------------------------------------------------------------
// Lexing: just enough Rust to find paths, with comments and strings gone.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether a string literal's text is a path (`crate::a::b`), as in serde's
/// `with = "…"`; such strings name items and are lexed as code.
fn is_path_literal(text: &str) -> bool {
    let mut parts = text.split("::");
    let first = parts.next().unwrap_or("");
    matches!(first, "crate" | "super" | "self")
        && text.contains("::")
        && parts
            .all(|p| p.chars().next().is_some_and(is_ident_start) && p.chars().all(is_ident_char))
}

/// Tokens of `src`, without comments, numbers, lifetimes and string or
/// character literals (except path-like strings, lexed in place).
fn lex(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = string(&c, i + 1, 0, line, &mut line, &mut out);
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                // '\n', '\'', '\u{…}'
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3; // 'x'
            } else {
                i += 1; // a lifetime or label: its name lexes as an identifier
            }
        } else if ch.is_ascii_digit() {
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
        } else if is_ident_start(ch) {
            let start = i;
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let next = at(i);
            if matches!(word.as_str(), "r" | "br" | "cr") && (next == '"' || next == '#') {
                let mut hashes = 0;
                while at(i + hashes) == '#' {
                    hashes += 1;
                }
                if at(i + hashes) == '"' {
                    i = string(&c, i + hashes + 1, hashes, line, &mut line, &mut out);
                    continue;
                }
                if word == "r" && hashes == 1 && is_ident_start(at(i + 1)) {
                    // r#raw_identifier
                    let start = i + 1;
                    i = start;
                    while i < c.len() && is_ident_char(c[i]) {
                        i += 1;
                    }
                    let raw: String = c[start..i].iter().collect();
                    out.push(Token {
                        tok: Tok::Ident(raw),
                        line,
                    });
                    continue;
                }
            }
            if matches!(word.as_str(), "b" | "c") && next == '"' {
                i = string(&c, i + 1, 0, line, &mut line, &mut out);
                continue;
            }
            if word == "b" && next == '\'' {
                continue; // b'x': the quote lexes as a character literal
            }
            out.push(Token {
                tok: Tok::Ident(word),
                line,
            });
        } else {
            let tok = match ch {
                ':' if at(i + 1) == ':' => {
                    i += 1;
                    Tok::PathSep
                }
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                ';' => Tok::Semi,
                '*' => Tok::Star,
                other => Tok::Other(other),
            };
            out.push(Token { tok, line });
            i += 1;
        }
    }
    out
}

/// Skips a string literal whose text starts at `i` (closed by `"` and
/// `hashes` `#`s; escapes only when not raw), counting lines. A path-like
/// literal is lexed into `out` at the line it starts on. Returns the index
/// after the literal.
fn string(
    c: &[char],
    mut i: usize,
    hashes: usize,
    start_line: usize,
    line: &mut usize,
    out: &mut Vec<Token>,
) -> usize {
    let start = i;
    loop {
        let Some(&ch) = c.get(i) else {
            return i;
        };
        if ch == '\\' && hashes == 0 {
            if c.get(i + 1) == Some(&'\n') {
                *line += 1;
            }
            i += 2;
            continue;
        }
        if ch == '\n' {
            *line += 1;
        }
        if ch == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
            let text: String = c[start..i].iter().collect();
            if is_path_literal(&text) {
                out.extend(lex(&text).into_iter().map(|t| Token {
                    tok: t.tok,
                    line: start_line,
                }));
            }
            return i + 1 + hashes;
        }
        i += 1;
    }
}

// ---------------------------------------------------------------------------
// Finding paths.

/// A path named in a file: its segments as written and where.
#[derive(Debug, Clone)]
struct Named {
    line: usize,
    /// The module path (from the crate root) the path is written in: the
    /// file's module plus any inline `mod x { … }` around it.
    scope: Vec<String>,
    segments: Vec<String>,
    /// The name a `use` binds (`as` renames), for `lib.rs`'s re-exports.
    binds: Option<String>,
}

impl Named {
    fn text(&self) -> String {
        self.segments.join("::")
    }
}

/// The module path of a file from the crate root (`set/edit.rs` is
/// `set::edit`, `set/mod.rs` is `set`).
fn file_scope(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    stem.split('/')
        .filter(|s| !matches!(*s, "lib" | "mod"))
        .map(str::to_owned)
        .collect()
}

/// Parses a use tree at `*i`, pushing each leaf path (with `prefix`).
fn use_tree(
    toks: &[Token],
    i: &mut usize,
    prefix: &[String],
    scope: &[String],
    out: &mut Vec<Named>,
) {
    if toks.get(*i).map(|t| &t.tok) == Some(&Tok::PathSep) {
        *i += 1;
    }
    let Some(token) = toks.get(*i) else {
        return;
    };
    let line = token.line;
    match &token.tok {
        Tok::Star => {
            *i += 1;
            let mut segments = prefix.to_vec();
            segments.push("*".to_owned());
            out.push(Named {
                line,
                scope: scope.to_vec(),
                segments,
                binds: None,
            });
        }
        Tok::Open => {
            *i += 1;
            while let Some(t) = toks.get(*i) {
                match t.tok {
                    Tok::Close => {
                        *i += 1;
                        break;
                    }
                    Tok::Comma => *i += 1,
                    _ => {
                        let before = *i;
                        use_tree(toks, i, prefix, scope, out);
                        if *i == before {
                            *i += 1; // not a use tree; do not loop on it
                        }
                    }
                }
            }
        }
        Tok::Ident(name) => {
            *i += 1;
            let mut segments = prefix.to_vec();
            segments.push(name.clone());
            if toks.get(*i).map(|t| &t.tok) == Some(&Tok::PathSep) {
                use_tree(toks, i, &segments, scope, out);
                return;
            }
            let mut binds = Some(name.clone());
            if toks.get(*i).map(|t| &t.tok) == Some(&Tok::Ident("as".to_owned())) {
                if let Some(Tok::Ident(alias)) = toks.get(*i + 1).map(|t| &t.tok) {
                    binds = Some(alias.clone());
                }
                *i += 2;
            }
            if name == "self" {
                segments.pop();
                binds = segments.last().cloned();
            }
            out.push(Named {
                line,
                scope: scope.to_vec(),
                segments,
                binds,
            });
        }
        _ => {}
    }
}

/// Every path in `file` that starts at `crate`, `super` or `self` (`$crate`
/// too), in `use` declarations, expressions, types and attributes, and every
/// other `use` leaf (relative or external; resolved later).
fn paths(file: &str, src: &str) -> Vec<Named> {
    let toks = lex(src);
    let base = file_scope(file);
    let mut out = Vec::new();
    // One entry per open brace: the inline module it opens, if any.
    let mut braces: Vec<Option<String>> = Vec::new();
    let scope = |braces: &[Option<String>]| -> Vec<String> {
        let mut s = base.clone();
        s.extend(braces.iter().flatten().cloned());
        s
    };
    let ident = |i: usize| match toks.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut i = 0;
    while let Some(token) = toks.get(i) {
        let after_sep = i > 0 && toks[i - 1].tok == Tok::PathSep;
        match &token.tok {
            Tok::Open => {
                let module = (i >= 2 && ident(i - 2) == Some("mod"))
                    .then(|| ident(i - 1).map(str::to_owned))
                    .flatten();
                braces.push(module);
                i += 1;
            }
            Tok::Close => {
                braces.pop();
                i += 1;
            }
            Tok::Ident(word) if word == "use" && !after_sep => {
                i += 1;
                use_tree(&toks, &mut i, &[], &scope(&braces), &mut out);
                while toks.get(i).is_some_and(|t| t.tok != Tok::Semi) {
                    i += 1;
                }
            }
            Tok::Ident(word)
                if matches!(word.as_str(), "crate" | "super" | "self")
                    && !after_sep
                    && toks.get(i + 1).map(|t| &t.tok) == Some(&Tok::PathSep) =>
            {
                let mut segments = vec![word.clone()];
                i += 1;
                while toks.get(i).map(|t| &t.tok) == Some(&Tok::PathSep) {
                    let Some(next) = ident(i + 1) else {
                        break; // `::<T>`, `::{…}` and the like end the path
                    };
                    segments.push(next.to_owned());
                    i += 2;
                }
                out.push(Named {
                    line: token.line,
                    scope: scope(&braces),
                    segments,
                    binds: None,
                });
            }
            _ => i += 1,
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Resolving paths to modules.

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A top-level module of the crate (`""` for an item of `lib.rs`).
    Module(String),
    /// Another crate (`jiff`, `rust_decimal`), directly or re-exported.
    External,
    /// A glob import of the crate root: it hides what it names.
    RootGlob,
    /// Neither a module nor a name `lib.rs` binds.
    Unresolved,
}

/// The crate-relative path `named` leads to, or `None` for a path that does
/// not start at `crate`, `super` or `self` (external or relative: it stays
/// within the module or leaves the crate).
fn absolute(named: &Named) -> Option<Vec<String>> {
    let segments = &named.segments;
    let first = segments.first()?;
    let (mut base, rest) = match first.as_str() {
        "crate" => (Vec::new(), &segments[1..]),
        "self" => (named.scope.clone(), &segments[1..]),
        "super" => {
            let supers = segments.iter().take_while(|s| *s == "super").count();
            let keep = named.scope.len().saturating_sub(supers);
            (named.scope[..keep].to_vec(), &segments[supers..])
        }
        _ => return None,
    };
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The crate's top-level modules (from [`FILES`]) and the names `lib.rs`
/// binds at its root or in its inline modules, each mapped to its target.
struct Root {
    modules: BTreeSet<String>,
    names: BTreeMap<Vec<String>, Target>,
}

impl Root {
    fn parse() -> Self {
        let modules: BTreeSet<String> = FILES
            .iter()
            .map(|(f, _)| module_of(f).to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        let mut root = Self {
            modules,
            names: BTreeMap::new(),
        };
        for named in paths("lib.rs", &read("lib.rs")) {
            let Some(name) = named.binds.clone() else {
                continue; // an expression path, or a glob
            };
            let first = named.segments.first().map(String::as_str);
            let target = match absolute(&named) {
                Some(path) => root.resolve_absolute(&path),
                None if first.is_some_and(|m| root.modules.contains(m)) => {
                    Target::Module(first.unwrap_or_default().to_owned())
                }
                None => Target::External,
            };
            let mut key = named.scope.clone();
            key.push(name);
            root.names.insert(key, target);
        }
        root
    }

    /// The module a crate-relative path leads to.
    fn resolve_absolute(&self, path: &[String]) -> Target {
        let Some(first) = path.first() else {
            return Target::Module(String::new());
        };
        if first == "*" {
            return Target::RootGlob;
        }
        if self.modules.contains(first) {
            return Target::Module(first.clone());
        }
        // The longest prefix `lib.rs` binds: `Review`, `iter::Children`.
        (1..=path.len())
            .rev()
            .find_map(|n| self.names.get(&path[..n]).cloned())
            .unwrap_or(Target::Unresolved)
    }

    fn resolve(&self, named: &Named) -> Option<Target> {
        absolute(named).map(|path| self.resolve_absolute(&path))
    }
}

/// One name a file takes from another module, with what is wrong with it.
struct Offence {
    file: String,
    line: usize,
    text: String,
    what: String,
}

impl fmt::Display for Offence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "src/{}:{}: `{}`: {}",
            self.file, self.line, self.text, self.what
        )
    }
}

#[test]
fn lower_layers_never_name_higher_ones() {
    let root = Root::parse();
    assert!(
        root.names.contains_key(&vec!["OkrSet".to_owned()])
            && root
                .names
                .contains_key(&vec!["iter".to_owned(), "Children".to_owned()]),
        "lib.rs's re-exports were not understood: {:?}",
        root.names.keys().collect::<Vec<_>>()
    );
    let mut offences = Vec::new();
    let mut used_exceptions = BTreeSet::new();
    let mut checked = 0;
    for file in source_files() {
        let Some(layer) = layer_of_file(&file) else {
            continue; // `every_file_has_a_layer` reports it
        };
        if layer == Layer::Root {
            continue;
        }
        let from = module_of(&file);
        for named in paths(&file, &read(&file)) {
            let Some(target) = root.resolve(&named) else {
                continue;
            };
            checked += 1;
            let what = match target {
                Target::External => continue,
                Target::Module(to) if to == from => continue,
                Target::RootGlob => "a glob import of the crate root: name the items".to_owned(),
                Target::Unresolved => "cannot resolve: not a module of lib.rs, nor a name \
                     lib.rs binds"
                    .to_owned(),
                Target::Module(to) => {
                    let to_layer = layer_of_module(&to).unwrap_or(Layer::Root);
                    let edge = format!("{from} ({layer}) → {} ({to_layer})", display(&to));
                    if to_layer > layer {
                        format!("{edge}: names a higher layer")
                    } else if to_layer == Layer::Reports && layer == Layer::Reports {
                        if REPORT_USES.iter().any(|(f, t, _)| *f == from && *t == to) {
                            used_exceptions.insert((from.to_owned(), to));
                            continue;
                        }
                        format!("{edge}: names another report, not in REPORT_USES")
                    } else {
                        continue;
                    }
                }
            };
            offences.push(Offence {
                file: file.clone(),
                line: named.line,
                text: named.text(),
                what,
            });
        }
    }
    for (from, to, _) in REPORT_USES {
        if !used_exceptions.contains(&((*from).to_owned(), (*to).to_owned())) {
            offences.push(Offence {
                file: format!("{from}/"),
                line: 0,
                text: format!("{from} → {to}"),
                what: "allow-listed in REPORT_USES but unused: remove the entry".to_owned(),
            });
        }
    }
    assert!(
        checked > 100,
        "only {checked} paths found: is the lexer broken?"
    );
    let list: Vec<String> = offences.iter().map(ToString::to_string).collect();
    assert!(
        list.is_empty(),
        "{} layering violation(s) (see tests/layers.rs for the layers and how to fix):\n  {}\n",
        list.len(),
        list.join("\n  ")
    );
}

fn display(module: &str) -> &str {
    if module.is_empty() { "lib.rs" } else { module }
}

#[test]
fn every_file_has_a_layer() {
    let files = source_files();
    let mut problems: Vec<String> = files
        .iter()
        .filter(|f| layer_of_file(f).is_none())
        .map(|f| {
            format!(
                "src/{f} has no layer: add it to FILES in tests/layers.rs, at the \
                 layer of its module `{}`",
                module_of(f)
            )
        })
        .collect();
    for (file, _) in FILES {
        if !files.iter().any(|f| f == file) {
            problems.push(format!(
                "src/{file} is in FILES but does not exist: remove or rename it"
            ));
        }
    }
    for (file, layer) in FILES {
        let module_layer = layer_of_module(module_of(file));
        if module_layer != Some(*layer) {
            problems.push(format!(
                "src/{file} is at layer {layer} but its module `{}` at {module_layer:?}: \
                 a module's files share one layer",
                module_of(file)
            ));
        }
    }
    assert!(problems.is_empty(), "\n  {}\n", problems.join("\n  "));
}

#[test]
fn the_lexer_skips_comments_and_strings() {
    let src = r##"
        // use crate::Review;
        /// [`OkrSet::review`](crate::OkrSet::review)
        /* crate::Review /* nested */ crate::Review */
        let s = "crate::Review and more"; let r = r#"a "crate::Review""#;
        let c = '"'; let l: &'static str = "x";
        #[serde(with = "crate::number::serde_decimal")]
        use crate::{engine::graph::{self, Node}, Review as R};
        mod tests { use super::*; }
    "##;
    let found: Vec<(usize, String)> = paths("set/edit.rs", src)
        .iter()
        .map(|n| (n.line, n.text()))
        .collect();
    assert_eq!(
        found,
        [
            (7, "crate::number::serde_decimal".to_owned()),
            (8, "crate::engine::graph".to_owned()),
            (8, "crate::engine::graph::Node".to_owned()),
            (8, "crate::Review".to_owned()),
            (9, "super::*".to_owned()),
        ]
    );
    let root = Root::parse();
    let tests = &paths(
        "set/mod.rs",
        "mod tests { use super::*; } use super::Review;",
    );
    assert_eq!(
        root.resolve(&tests[0]),
        Some(Target::Module("set".to_owned()))
    );
    assert_eq!(
        root.resolve(&tests[1]),
        Some(Target::Module("review".to_owned()))
    );
}
