//! Which file of the server may import which: the floors ARCHITECTURE.md draws, held.
//!
//! - `lib.rs` is the top: it mounts everything, and nothing imports an item of it.
//! - The surfaces — `vendor_api`, `ssg_calls`, `platform/`, `console/`, and `observe`
//!   (the probes) — import only themselves and the floor, never each other.
//! - The background work (`work/`) imports only itself and the floor.
//! - The floor (`app/`) imports only itself; `send_deadline` imports nothing of the server.
//! - No file imports another that imports it back, however far round (no circle).
//! - The server does not depend on the vendor client crate.
//!
//! Imports are read from the source: `use` trees and paths written out in code that start
//! at `crate`, `super`, `self` or (in a module's own `mod.rs`) a child module's name. A
//! file's unit tests (`#[cfg(test)]`, at its end) are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module of the crate, by its path from the root (`[]` is `lib.rs`).
type Module = Vec<String>;

/// Every source file of the crate, by its module.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut found = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap();
            let mut module: Module = relative
                .with_extension("")
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if module
                .last()
                .is_some_and(|last| last == "mod" || last == "lib")
            {
                module.pop();
            }
            found.insert(module, path);
        }
    }
    found
}

/// The source without comments and string or character literals (so that a path in a doc
/// comment or a message is not read as an import). Lifetimes are left alone.
fn code_of(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |end| end + 2);
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let open = 2 + hashes;
            i += open
                + rest[open..]
                    .find(&close)
                    .map_or(rest.len() - open, |end| end + close.len());
            out.push_str("\"\"");
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            i = j + 1;
            out.push_str("\"\"");
        } else if bytes[i] == b'\'' && rest.len() > 2 {
            // A character literal ('a', '\n', '"'), not a lifetime ('a).
            let literal = if rest[1..].starts_with('\\') {
                rest[2..].find('\'').map(|end| end + 3)
            } else {
                let c = rest[1..].chars().next().unwrap();
                rest[1 + c.len_utf8()..]
                    .starts_with('\'')
                    .then_some(2 + c.len_utf8())
            };
            match literal {
                Some(len) => {
                    i += len;
                    out.push_str("' '");
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The paths a `use` tree names, each as its segments (`a::{b, c::d}` is `a::b`, `a::c::d`).
fn use_paths(tree: &str) -> Vec<Vec<String>> {
    fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap()];
            let mut path = prefix.to_vec();
            path.extend(head);
            let mut depth = 0;
            let mut start = 0;
            for (index, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&path, &inner[start..index], out);
                        start = index + 1;
                    }
                    _ => {}
                }
            }
            expand(&path, &inner[start..], out);
        } else {
            let name = tree.split(" as ").next().unwrap();
            let mut path = prefix.to_vec();
            path.extend(
                name.split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && *s != "self" || prefix.is_empty())
                    .map(str::to_owned),
            );
            out.push(path);
        }
    }
    let mut out = Vec::new();
    expand(&[], tree, &mut out);
    out
}

/// Every path of `code` that may name a module of this crate: the paths of its `use`
/// trees, and paths written in code that start at `crate`, `super` or `self`, or at a name
/// in `children`.
fn paths(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    // `use` trees.
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let after = &rest[at + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = after.find(';') else { break };
        found.extend(use_paths(&after[..end]));
    }
    // Paths in code.
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphabetic() || chars[i] == '_' {
            let boundary = i == 0
                || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':');
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let token: String = chars[start..i].iter().collect();
            if boundary && token.contains("::") {
                let segments: Vec<String> = token
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                let first = segments[0].as_str();
                if matches!(first, "crate" | "super" | "self") || children.contains(first) {
                    found.push(segments);
                }
            }
        } else {
            i += 1;
        }
    }
    found
}

/// The module a path from `from` names, with whether it goes on to an item of it.
fn resolve(
    from: &Module,
    path: &[String],
    known: &BTreeMap<Module, PathBuf>,
) -> Option<(Module, bool)> {
    let mut base: Module = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "super" => {
            let mut parent = from.clone();
            parent.pop()?;
            parent
        }
        "self" => from.clone(),
        child => {
            let mut module = from.clone();
            module.push(child.to_owned());
            if !known.contains_key(&module) {
                return None;
            }
            module.pop();
            module
        }
    };
    let mut rest = &path[if matches!(path[0].as_str(), "crate" | "super" | "self") {
        1
    } else {
        0
    }..];
    while let Some(first) = rest.first() {
        if first == "super" {
            base.pop()?;
            rest = &rest[1..];
            continue;
        }
        let mut deeper = base.clone();
        deeper.push(first.clone());
        if known.contains_key(&deeper) {
            base = deeper;
            rest = &rest[1..];
        } else {
            break;
        }
    }
    Some((base, !rest.is_empty()))
}

/// The floor a module stands on.
fn floor(module: &Module) -> &'static str {
    match module.first().map(String::as_str) {
        None => "top",
        Some("app") => "app",
        Some("work") => "work",
        Some("send_deadline") => "net",
        Some(_) => "surface",
    }
}

#[test]
fn each_file_imports_only_what_its_floor_may() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let known = modules(&root.join("src"));
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (module, path) in &known {
        let code = code_of(&std::fs::read_to_string(path).unwrap());
        // A file's unit tests (an inline module at its end, by convention) stand apart.
        let code = code.split("#[cfg(test)]").next().unwrap();
        let children: BTreeSet<String> = known
            .keys()
            .filter(|other| other.len() == module.len() + 1 && other.starts_with(module))
            .map(|other| other.last().unwrap().clone())
            .collect();
        for path in paths(code, &children) {
            let Some((target, item)) = resolve(module, &path, &known) else {
                continue;
            };
            if &target == module {
                continue;
            }
            let name = |m: &Module| {
                if m.is_empty() {
                    "lib".to_owned()
                } else {
                    m.join("::")
                }
            };
            if target.is_empty() {
                if item {
                    wrong.push(format!(
                        "{} imports {} from lib.rs, the top",
                        name(module),
                        path.join("::")
                    ));
                }
                continue;
            }
            let allowed = match (floor(module), floor(&target)) {
                ("top", _) => true,
                ("surface", "surface") => module[0] == target[0],
                ("surface", "app") => true,
                ("work", "work" | "app") => true,
                ("app", "app") => true,
                _ => false,
            };
            if !allowed {
                wrong.push(format!(
                    "{} ({}) imports {} ({})",
                    name(module),
                    floor(module),
                    name(&target),
                    floor(&target)
                ));
            }
            edges.entry(module.clone()).or_default().insert(target);
        }
    }
    assert!(
        wrong.is_empty(),
        "imports across floors:\n{}",
        wrong.join("\n")
    );

    if let Some(circle) = circle(&known, &edges) {
        panic!("a circle of imports: {circle}");
    }
    let imports: usize = edges.values().map(BTreeSet::len).sum();
    println!(
        "{} files, {imports} imports among them, no circle",
        known.len()
    );
}

/// A circle of imports among `known`, written `a → b → a`, if there is one: a depth-first
/// walk that meets a module it is still inside.
fn circle(
    known: &BTreeMap<Module, PathBuf>,
    edges: &BTreeMap<Module, BTreeSet<Module>>,
) -> Option<String> {
    fn walk(
        module: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        state: &mut BTreeMap<Module, bool>,
        trail: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        match state.get(module) {
            Some(true) => return None,
            Some(false) => {
                let from = trail.iter().position(|m| m == module).unwrap();
                let mut circle = trail[from..].to_vec();
                circle.push(module.clone());
                return Some(circle);
            }
            None => {}
        }
        state.insert(module.clone(), false);
        trail.push(module.clone());
        for next in edges.get(module).into_iter().flatten() {
            if let Some(circle) = walk(next, edges, state, trail) {
                return Some(circle);
            }
        }
        trail.pop();
        state.insert(module.clone(), true);
        None
    }

    let mut state = BTreeMap::new();
    for module in known.keys() {
        if let Some(circle) = walk(module, edges, &mut state, &mut Vec::new()) {
            let names: Vec<String> = circle
                .iter()
                .map(|m| {
                    if m.is_empty() {
                        "lib".to_owned()
                    } else {
                        m.join("::")
                    }
                })
                .collect();
            return Some(names.join(" → "));
        }
    }
    None
}

/// The store crate's files import each other without a circle too (every file may use
/// what its parents declare: `lib.rs` the trait, its error and its values).
#[test]
fn the_store_crate_has_no_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/src");
    let known = modules(&src);
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, path) in &known {
        let code = code_of(&std::fs::read_to_string(path).unwrap());
        let code = code.split("#[cfg(test)]").next().unwrap();
        let children: BTreeSet<String> = known
            .keys()
            .filter(|other| other.len() == module.len() + 1 && other.starts_with(module))
            .map(|other| other.last().unwrap().clone())
            .collect();
        for path in paths(code, &children) {
            let Some((target, _)) = resolve(module, &path, &known) else {
                continue;
            };
            // What a file uses of its parents (lib.rs, a `mod.rs`) is what they declare for
            // their children.
            if !module.starts_with(&target) && !module.is_empty() {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    if let Some(circle) = circle(&known, &edges) {
        panic!("a circle of imports in the store crate: {circle}");
    }
    let imports: usize = edges.values().map(BTreeSet::len).sum();
    println!(
        "store: {} files, {imports} imports among them, no circle",
        known.len()
    );
}

#[test]
fn the_server_does_not_depend_on_the_vendor_client() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    assert!(!manifest.contains("claims-client"), "{manifest}");
}

#[test]
fn the_reader_finds_imports_and_passes_over_text() {
    let children: BTreeSet<String> = ["forms".to_owned()].into();
    let code = code_of(
        "use crate::app::{config::Config, limits::{Guard, self}};\n\
         // use crate::console::x;\n\
         let s = \"crate::platform::y\"; let c = '\"'; fn f<'a>(x: &'a str) {}\n\
         forms::given(x); super::page::see_other(\"/\");",
    );
    let found = paths(&code, &children);
    let joined: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert!(
        joined.contains(&"crate::app::config::Config".to_owned()),
        "{joined:?}"
    );
    assert!(
        joined.contains(&"crate::app::limits::Guard".to_owned()),
        "{joined:?}"
    );
    assert!(joined.contains(&"forms::given".to_owned()), "{joined:?}");
    assert!(
        joined.contains(&"super::page::see_other".to_owned()),
        "{joined:?}"
    );
    assert!(
        !joined
            .iter()
            .any(|p| p.contains("console") || p.contains("platform")),
        "{joined:?}"
    );
}
