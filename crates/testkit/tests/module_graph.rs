//! Every crate's files form a layered graph: no file reaches, through the paths it names, back to
//! itself, so each file can be read knowing only the ones below it. The check reads the sources of
//! every crate in `crates/` and of `xtask/`: a file is a node (its module path; `#[path]` files
//! stand in for the module they are declared as), and every `crate::`, `super::`, `self::` or
//! child-module path outside comments and `#[cfg(test)]` modules is an edge to the file that
//! defines what it names. A name a facade (`lib.rs`, a `mod.rs`) only re-exports with `pub use` is
//! followed to the file it comes from, so re-exports make no cycles of their own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModPath = Vec<String>;

/// One crate's files: module path -> the code of the file(s) that make it.
struct Crate {
    files: BTreeMap<ModPath, String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file as the graph sees it: no comment lines, nothing from the first
/// `#[cfg(test)]` on (unit tests sit at the end of a file and use their file's items; they are
/// not part of the layering).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        // A trailing comment may name paths it does not use.
        let code = line.find(" // ").map_or(line, |i| &line[..i]);
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The module path of `file` under `src` (`lib.rs`/`main.rs` the root, `a/mod.rs` and `a.rs`
/// module `a`), with `#[path = "f.rs"] mod name;` declarations in `paths`.
fn module_of(src: &Path, file: &Path, paths: &BTreeMap<PathBuf, ModPath>) -> ModPath {
    if let Some(m) = paths.get(file) {
        return m.clone();
    }
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_str().unwrap().to_string())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.strip_suffix(".rs").unwrap().to_string();
    if !(matches!(stem.as_str(), "mod")
        || parts.is_empty() && matches!(stem.as_str(), "lib" | "main"))
    {
        parts.push(stem);
    }
    parts
}

fn load(src: &Path) -> Crate {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    // `#[path = "x.rs"] mod name;`: x.rs (beside the declaring file) is module `name` there.
    let mut paths = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut pending: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("#[path = \"") {
                pending = rest.split('"').next().map(String::from);
            } else if let Some(p) = &pending
                && let Some(name) = line
                    .trim_start_matches("pub ")
                    .strip_prefix("mod ")
                    .and_then(|n| n.strip_suffix(';'))
            {
                let mut m = module_of(src, file, &BTreeMap::new());
                m.push(name.to_string());
                paths.insert(file.parent().unwrap().join(p), m);
                pending = None;
            }
        }
    }
    let mut out = BTreeMap::<ModPath, String>::new();
    for file in &files {
        let m = module_of(src, file, &paths);
        let text = std::fs::read_to_string(file).unwrap();
        out.entry(m).or_default().push_str(&code_of(&text));
    }
    Crate { files: out }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The paths of a use tree or expression path at the start of `s`: `a::b`, `a::{b, c::{d, e}}`,
/// `a::*`; each path's segments (`*` and `self` add none), and how many chars were read.
fn tree(s: &[char]) -> (Vec<ModPath>, usize) {
    let mut paths = Vec::new();
    let mut seg = String::new();
    let mut prefix: ModPath = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if is_ident(c) {
            seg.push(c);
            i += 1;
        } else if c == ':' && s.get(i + 1) == Some(&':') {
            prefix.push(std::mem::take(&mut seg));
            i += 2;
            if s.get(i) == Some(&'{') {
                i += 1;
                loop {
                    while s.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                        i += 1;
                    }
                    if i >= s.len() || s[i] == '}' {
                        break;
                    }
                    let (sub, used) = tree_item(&s[i..]);
                    for p in sub {
                        paths.push(prefix.iter().cloned().chain(p).collect());
                    }
                    i += used.max(1);
                }
                return (paths, i + 1);
            }
        } else {
            break;
        }
    }
    if !seg.is_empty() {
        prefix.push(seg);
    }
    if prefix.last().is_some_and(|l| l == "self") {
        prefix.pop();
    }
    paths.push(prefix);
    (paths, i)
}

/// One item of a `{...}` group: a path (possibly with its own group), `self` or `*`, with an
/// optional `as alias` (which names nothing new in the graph).
fn tree_item(s: &[char]) -> (Vec<ModPath>, usize) {
    if s[0] == '*' {
        return (vec![vec![]], 1);
    }
    let (paths, mut used) = tree(s);
    let mut j = used;
    while s.get(j).is_some_and(|c| c.is_whitespace()) {
        j += 1;
    }
    if s.get(j) == Some(&'a') && s.get(j + 1) == Some(&'s') && s.get(j + 2) == Some(&' ') {
        j += 3;
        while s.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        while s.get(j).is_some_and(|c| is_ident(*c)) {
            j += 1;
        }
        used = j;
    }
    (paths, used)
}

/// Every path named in `code` of module `at`, made absolute (segments from the crate root): those
/// starting with `crate::`, `super::` (any number), `self::`, or the name of a child module.
fn named_paths(krate: &Crate, at: &ModPath, code: &str) -> Vec<ModPath> {
    let children: BTreeSet<&str> = krate
        .files
        .keys()
        .filter(|m| m.len() == at.len() + 1 && m.starts_with(at))
        .map(|m| m.last().unwrap().as_str())
        .collect();
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        if !starts_word || !is_ident(chars[i]) {
            i += 1;
            continue;
        }
        let word: String = chars[i..].iter().take_while(|c| is_ident(**c)).collect();
        let end = i + word.chars().count();
        let follows = chars.get(end) == Some(&':') && chars.get(end + 1) == Some(&':');
        if !follows {
            i = end;
            continue;
        }
        let (paths, used) = tree(&chars[i..]);
        for p in paths {
            if let Some(abs) = absolute(at, &children, p) {
                out.push(abs);
            }
        }
        i += used.max(1);
    }
    out
}

/// `p` (as written in module `at`) from the crate root; `None` for a path into another crate.
fn absolute(at: &ModPath, children: &BTreeSet<&str>, p: ModPath) -> Option<ModPath> {
    let first = p.first()?.as_str();
    let mut base: ModPath;
    let mut rest = &p[..];
    match first {
        "crate" => {
            base = Vec::new();
            rest = &p[1..];
        }
        "self" => {
            base = at.clone();
            rest = &p[1..];
        }
        "super" => {
            base = at.clone();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        name if children.contains(name) => base = at.clone(),
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// A statement without its leading attributes (`#[cfg(feature = "x")] pub use a::B` is a
/// `pub use`).
fn without_attributes(stmt: &str) -> &str {
    let mut s = stmt.trim_start();
    while let Some(rest) = s.strip_prefix("#[") {
        let mut depth = 1;
        let end = rest.char_indices().find_map(|(i, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        match end {
            Some(i) => s = rest[i + 1..].trim_start(),
            None => break,
        }
    }
    s
}

/// What module `name`, re-exported by the facade `facade` with `pub use`, comes from.
fn reexport_source(krate: &Crate, facade: &ModPath, name: &str) -> Option<ModPath> {
    let code = krate.files.get(facade)?;
    for stmt in code.split(';') {
        let stmt = without_attributes(stmt);
        let Some(rest) = stmt
            .strip_prefix("pub use ")
            .or_else(|| stmt.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        let rest = rest.trim();
        for p in named_paths(krate, facade, rest) {
            if p.last().is_some_and(|l| l == name) {
                return Some(p);
            }
        }
    }
    None
}

/// The file that defines what `p` names: its longest prefix that is a file, followed through
/// facades' re-exports.
fn resolve(krate: &Crate, p: &ModPath, depth: usize) -> ModPath {
    let mut n = p.len();
    while n > 0 && !krate.files.contains_key(&p[..n]) {
        n -= 1;
    }
    let module = p[..n].to_vec();
    if depth < 8
        && let Some(item) = p.get(n)
        && let Some(source) = reexport_source(krate, &module, item)
        && source != *p
    {
        return resolve(krate, &source, depth + 1);
    }
    module
}

fn graph(krate: &Crate) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let mut graph = BTreeMap::new();
    for (m, code) in &krate.files {
        // A facade's own `pub use` lines are followed from the files that name their items.
        let code: String = code
            .split_inclusive(';')
            .filter(|s| {
                let s = without_attributes(s);
                !(s.starts_with("pub use ") || s.starts_with("pub(crate) use "))
            })
            .collect();
        let deps: BTreeSet<ModPath> = named_paths(krate, m, &code)
            .iter()
            .map(|p| resolve(krate, p, 0))
            .filter(|d| d != m)
            .collect();
        graph.insert(m.clone(), deps);
    }
    graph
}

/// The groups of files that reach each other (strongly connected components with more than one
/// file): each is one or more cycles. Kosaraju: finish order on the graph, then components on
/// the reversed graph in reverse finish order.
fn cycles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<BTreeSet<ModPath>> {
    fn finish<'a>(
        g: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        n: &'a ModPath,
        seen: &mut BTreeSet<&'a ModPath>,
        order: &mut Vec<&'a ModPath>,
    ) {
        if !seen.insert(n) {
            return;
        }
        for m in g.get(n).into_iter().flatten() {
            finish(g, m, seen, order);
        }
        order.push(n);
    }
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    for n in graph.keys() {
        finish(graph, n, &mut seen, &mut order);
    }
    let mut reversed: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (n, deps) in graph {
        for d in deps {
            reversed.entry(d.clone()).or_default().insert(n.clone());
        }
    }
    let mut placed = BTreeSet::new();
    let mut out = Vec::new();
    for n in order.into_iter().rev() {
        if placed.contains(n) {
            continue;
        }
        let mut component = BTreeSet::new();
        let mut stack = vec![n.clone()];
        while let Some(m) = stack.pop() {
            if placed.insert(m.clone()) {
                stack.extend(reversed.get(&m).into_iter().flatten().cloned());
                component.insert(m);
            }
        }
        if component.len() > 1 {
            out.push(component);
        }
    }
    out
}

fn name(m: &ModPath) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every crate of the workspace: its name and `src` folder.
fn crates() -> Vec<(String, PathBuf)> {
    let root = workspace();
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("src").is_dir())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                p.join("src"),
            )
        })
        .collect();
    out.push(("xtask".into(), root.join("xtask/src")));
    out.sort();
    out
}

#[test]
fn no_crate_has_a_cycle_between_its_files() {
    let mut found = Vec::new();
    let mut edges = 0;
    for (krate_name, src) in crates() {
        let krate = load(&src);
        let graph = graph(&krate);
        edges += graph.values().map(BTreeSet::len).sum::<usize>();
        for group in cycles(&graph) {
            let names: Vec<String> = group
                .iter()
                .map(|m| {
                    format!(
                        "{} -> {:?}",
                        name(m),
                        graph[m].intersection(&group).map(name).collect::<Vec<_>>()
                    )
                })
                .collect();
            found.push(format!("{krate_name}: {}", names.join("; ")));
        }
    }
    assert!(edges > 100, "the graph was read ({edges} edges)");
    assert!(
        found.is_empty(),
        "files that reach each other:\n{}",
        found.join("\n")
    );
}

/// The tensor crate's bottom layer: these modules use only the ones listed (all of their files
/// together), so the numeric core can be read from the bottom up.
#[test]
fn the_leaf_modules_of_tensor_depend_on_nothing_above_them() {
    let krate = load(&workspace().join("crates/tensor/src"));
    let graph = graph(&krate);
    let allowed: [(&str, &[&str]); 7] = [
        ("float", &[]),
        ("device", &[]),
        ("glibc_math", &[]),
        ("numpy_math", &[]),
        ("rule", &["float", "glibc_math"]),
        ("error", &["device"]),
        ("cpu", &["float", "glibc_math", "numpy_math"]),
    ];
    for (module, may_use) in allowed {
        let uses: BTreeSet<String> = graph
            .iter()
            .filter(|(m, _)| m.first().is_some_and(|f| f == module))
            .flat_map(|(_, deps)| deps.iter())
            .filter_map(|d| d.first().cloned())
            .filter(|d| d != module)
            .collect();
        assert!(
            uses.iter().all(|u| may_use.contains(&u.as_str())),
            "{module} uses {uses:?}, may use only {may_use:?}"
        );
    }
    assert!(graph.contains_key(&vec!["cpu".to_string(), "gemm".to_string()]));
}

#[test]
fn the_checker_reads_paths_and_finds_cycles() {
    let files: BTreeMap<ModPath, String> = [
        (vec![], "pub use a::Thing;\nmod a;\nmod b;".to_string()),
        (vec!["a".into()], "use crate::{b::{self, f}, Thing};".into()),
        (vec!["b".into()], "fn g() { super::Thing::new(); }".into()),
    ]
    .into_iter()
    .collect();
    let krate = Crate { files };
    let g = graph(&krate);
    let a: ModPath = vec!["a".into()];
    let b: ModPath = vec!["b".into()];
    // `crate::Thing` is re-exported from `a`: b -> a, not b -> crate.
    assert_eq!(g[&b], [a.clone()].into());
    assert_eq!(g[&a], [b.clone()].into());
    assert_eq!(cycles(&g), vec![[a, b].into()]);
    assert_eq!(
        tree(&"x::{y::{z, w as v}, self, *};".chars().collect::<Vec<_>>()).0,
        vec![
            vec!["x".to_string(), "y".into(), "z".into()],
            vec!["x".into(), "y".into(), "w".into()],
            vec!["x".into()],
            vec!["x".into()],
        ]
    );
}
