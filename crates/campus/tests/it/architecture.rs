//! The crate's layers import downward only: the foundation (state, database, web
//! plumbing, access, audit) knows no domain, the college directory and identity know no
//! other domain, domains know nothing of how they are composed (router, server, dashboard,
//! command line). A path to another module that breaks this fails here, named.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. A top-level module not named here is a domain (layer 3).
const LAYERS: [(&str, &[&str]); 5] = [
    (
        "foundation",
        &[
            "config",
            "error",
            "crypto",
            "telemetry",
            "db",
            "files",
            "mail",
            "live",
            "app",
            "access",
            "web",
            "audit",
            "exports",
        ],
    ),
    ("college directory", &["institution"]),
    ("identity", &["identity"]),
    ("domains", &[]),
    (
        "composition",
        &[
            "dashboard",
            "downloads",
            "router",
            "server",
            "api",
            "cli",
            "demo",
            "bench",
            "ops",
            "lib",
            "main",
        ],
    ),
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, members)| members.contains(&module))
        .unwrap_or(3)
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules a file names through `crate::`, comments left out.
fn modules_named(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut named = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The first name of each item at the group's own depth.
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ if depth == 0 => item.push(c),
                    _ => {}
                }
            }
            items.push(item);
            for item in items {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    named.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                named.insert(name);
            }
        }
    }
    named
}

#[test]
fn layers_import_downward_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 100, "found the sources");
    let mut upward = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("name")
            .trim_end_matches(".rs")
            .to_string();
        let own = layer_of(&top);
        let text = std::fs::read_to_string(&file).expect("read");
        for module in modules_named(&text) {
            if module != top && layer_of(&module) > own {
                upward.push(format!(
                    "{} ({}) names {module} ({})",
                    relative.display(),
                    LAYERS[own].0,
                    LAYERS[layer_of(&module)].0
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run up the layers (see docs/ARCHITECTURE.md):\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_inline_paths() {
    let named = modules_named(
        "use crate::{db, web::{layout, input}};\nfn f() { crate::students::x(); } // crate::nothing\n",
    );
    assert_eq!(
        named.into_iter().collect::<Vec<_>>(),
        ["db", "students", "web"]
    );
}
