//! The shape of `src/` (docs/architecture.md): no two sibling modules
//! import each other, directly or in a loop. A child may use its parent
//! (`super::`) and a module may use a sibling one way; a circle among
//! siblings (`a` uses `b` and `b` uses `a`, or `a` -> `b` -> `c` -> `a`)
//! means neither can be read or changed without the other.
//!
//! How it reads the code: every path that starts with `crate::`, `super::`
//! or `self::` outside comments and test modules (`use` lines, `{...}`
//! groups of them, and paths written in full) is resolved to the deepest
//! module of `src/` it names; an edge joins the two children of the
//! closest common ancestor that contain the user and the used module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`["serve", "api"]`) of every file under `src/` (the
/// library; `main.rs` and `cli/` are the binary's and are left out).
fn modules(src: &Path) -> BTreeMap<Vec<String>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().unwrap() != "cli" || dir != src {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            let last = parts.last().unwrap().clone();
            if last == "mod" || (parts.len() == 1 && last == "lib") {
                parts.pop();
            }
            if parts.len() == 1 && last == "main" {
                continue;
            }
            out.insert(parts, std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

/// The code without its in-file test module (comments and literals are
/// skipped by [`tokenize`]).
fn code(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// Every path the code names that starts at `crate`, `super` or `self`,
/// `{...}` groups expanded (`use super::{a, b::c}` gives `super::a` and
/// `super::b::c`), each with the inline modules (`mod x { ... }`) it is
/// written in.
fn paths(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let tokens = tokenize(code);
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        let starts = matches!(t, "crate" | "super" | "self")
            && tokens.get(i + 1).is_some_and(|n| n == "::")
            && (i == 0 || tokens[i - 1] != "::");
        if starts {
            let mut found = Vec::new();
            i = expand(&tokens, i, Vec::new(), &mut found);
            let inside: Vec<String> = inline.iter().map(|(m, _)| m.clone()).collect();
            out.extend(found.into_iter().map(|p| (inside.clone(), p)));
            continue;
        }
        if t == "mod" && tokens.get(i + 2).is_some_and(|b| b == "{") {
            inline.push((tokens[i + 1].clone(), depth));
        } else if t == "{" {
            depth += 1;
        } else if t == "}" {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
        }
        i += 1;
    }
    out
}

/// Identifiers, `::`, braces and commas, in order; comments, string and
/// character literals skipped; anything else a blank token.
fn tokenize(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (at(i + 1) == '"' || (at(i + 1) == '#' && matches!(at(i + 2), '"' | '#')))
        {
            // A raw string: r"...", r#"..."#.
            let mut hashes = 0;
            i += 1;
            while at(i) == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && (at(i + 2) == '\'' || at(i + 1) == '\\') {
            // A character literal ('x', '\n', '\u{..}'); a lifetime has no
            // closing quote.
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && at(i + 1) == ':' {
            tokens.push("::".into());
            i += 2;
        } else {
            if matches!(c, '{' | '}' | ',') {
                tokens.push(c.to_string());
            } else if !c.is_whitespace() {
                tokens.push(" ".into());
            }
            i += 1;
        }
    }
    tokens
}

/// Read one path from `tokens[i]` with `prefix` before it, pushing every
/// full path (a group gives several); the index after it.
fn expand(
    tokens: &[String],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        let t = &tokens[i];
        if t == "{" {
            i += 1;
            loop {
                match tokens.get(i).map(String::as_str) {
                    Some("}") => return i + 1,
                    Some(",") => i += 1,
                    Some(_) => i = expand(tokens, i, prefix.clone(), out),
                    None => return i,
                }
            }
        }
        if t.chars().all(|c| c.is_alphanumeric() || c == '_') {
            prefix.push(t.clone());
            i += 1;
        } else {
            out.push(prefix);
            return i;
        }
        if tokens.get(i).is_some_and(|n| n == "::") {
            i += 1;
        } else {
            out.push(prefix);
            return i;
        }
    }
}

/// The deepest known module a path names, from module `at` (`super` and
/// `self` resolved; `at` may end in inline modules, which are not files);
/// `None` when it leaves `src`.
fn resolve(
    path: &[String],
    at: &[String],
    known: &BTreeMap<Vec<String>, String>,
) -> Option<Vec<String>> {
    let mut base: Vec<String> = at.to_vec();
    let mut rest = path;
    if rest.first()? == "crate" {
        base.clear();
        rest = &rest[1..];
    } else {
        while let Some(first) = rest.first() {
            match first.as_str() {
                "super" => {
                    base.pop()?;
                }
                "self" => {}
                _ => break,
            }
            rest = &rest[1..];
        }
    }
    // The file module `base` is in, then as deep as the path names files.
    let mut deepest = base.clone();
    while !known.contains_key(&deepest) {
        deepest.pop()?;
    }
    for seg in rest {
        base.push(seg.clone());
        if known.contains_key(&base) {
            deepest = base.clone();
        } else {
            break;
        }
    }
    Some(deepest)
}

/// For every parent module, the edges between its children.
fn sibling_edges(
    known: &BTreeMap<Vec<String>, String>,
) -> BTreeMap<Vec<String>, BTreeSet<(String, String)>> {
    let mut edges: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    for (module, text) in known {
        for (inside, path) in paths(code(text)) {
            let at: Vec<String> = module.iter().chain(&inside).cloned().collect();
            let Some(target) = resolve(&path, &at, known) else {
                continue;
            };
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common < module.len() && common < target.len() {
                edges
                    .entry(module[..common].to_vec())
                    .or_default()
                    .insert((module[common].clone(), target[common].clone()));
            }
        }
    }
    edges
}

/// The circles among one parent's children: each strongly connected set
/// of two or more.
fn circles(edges: &BTreeSet<(String, String)>) -> Vec<BTreeSet<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::from([from.clone()]);
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for (a, b) in edges {
                if *a == n && seen.insert(b.clone()) {
                    todo.push(b.clone());
                }
            }
        }
        seen
    };
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for n in &nodes {
        let from_n = reach(n);
        let set: BTreeSet<String> = from_n
            .iter()
            .filter(|m| reach(m).contains(*n))
            .cloned()
            .collect();
        if set.len() > 1 && !out.contains(&set) {
            out.push(set);
        }
    }
    out
}

#[test]
fn no_sibling_modules_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    assert!(known.contains_key(&vec!["serve".to_string(), "api".to_string()]));
    let mut found = Vec::new();
    for (parent, edges) in sibling_edges(&known) {
        for c in circles(&edges) {
            let parent = if parent.is_empty() {
                "crate".to_string()
            } else {
                parent.join("::")
            };
            found.push(format!("{parent}: {c:?}"));
        }
    }
    assert!(
        found.is_empty(),
        "sibling modules in a circle:\n{}",
        found.join("\n")
    );
}

/// The checker's own parts: a circle is found, and a one-way use is not one.
#[test]
fn the_reader_finds_a_circle_and_only_a_circle() {
    let mut known = BTreeMap::new();
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    known.insert(Vec::new(), "pub mod a; pub mod b; pub mod c;".to_string());
    known.insert(
        m("a"),
        "use super::b::{x, y::z};\n// use crate::c;".to_string(),
    );
    known.insert(
        m("b"),
        "fn f() { crate::c::g() } mod inner { fn g() { super::super::c::h() } }".to_string(),
    );
    known.insert(m("c"), "use crate::{a::h, b};".to_string());
    let edges = &sibling_edges(&known)[&Vec::new()];
    assert_eq!(circles(edges).len(), 1, "{edges:?}");
    // An inline module's `super` is its file: b's `mod x { super::c }` is
    // b -> b, no edge.
    known.insert(m("d"), "mod x { fn f() { super::c(); } }".to_string());
    assert!(
        !sibling_edges(&known)[&Vec::new()]
            .iter()
            .any(|(a, _)| a == "d")
    );
    // Without c's use of a (a comment, strings and a raw string naming
    // it do not count), a -> b -> c is one way.
    known.insert(
        m("c"),
        "/* crate::a */ let u = \"http://x\"; let q = '\"'; r#\"crate::a\"#".to_string(),
    );
    let edges = &sibling_edges(&known)[&Vec::new()];
    assert!(circles(edges).is_empty(), "{edges:?}");
}
