//! The layering the README describes, checked on the source: no backend or layout code
//! imports the Markdown parser or the manuscript reader, and only the CLI touches the
//! file system.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn backends_and_layout_do_not_parse_or_read_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["backend", "layout", "model"] {
        rust_files(&src.join(dir), &mut files);
    }
    assert!(files.len() > 15);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for banned in [
            "pulldown_cmark",
            "crate::manuscript",
            "std::fs",
            "File::open",
            "read_to_string(",
        ] {
            // Test modules may build inputs from the manuscript reader.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            assert!(!code.contains(banned), "{} uses `{banned}`", f.display());
        }
    }
    let only_convert = ["manuscript/convert.rs"];
    let mut all = Vec::new();
    rust_files(&src, &mut all);
    for f in all {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap();
        if text.contains("use pulldown_cmark") {
            assert!(
                only_convert.contains(&rel.as_str()),
                "{rel} imports the Markdown parser"
            );
        }
    }
}

/// The files (not folders) directly in `dir`, in order.
fn files_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// The repository explains itself: every document a source, test, tool or README
/// cites by name is one the repository holds (a reader has only the repository).
#[test]
fn issue_12_sources_cite_only_documents_the_repository_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.push(root.join("README.md"));
    // Every tool too (the measuring scripts, the test-data fetcher), the
    // long-text bench's scripts and notes, and the comparison with the peers.
    let tools = files_in(&root.join("tools"));
    assert!(tools.iter().any(|t| t.ends_with("pages.py")));
    let bench = files_in(&root.join("bench/texts"));
    assert!(bench.iter().any(|t| t.ends_with("run.sh")));
    let peers = files_in(&root.join("bench/peers"));
    assert!(peers.iter().any(|t| t.ends_with("compare.py")));
    files.extend(tools.into_iter().chain(bench).chain(peers));
    // Upper-case words a usage line puts for the reader's own files, as the
    // command line's `-o DIR` does (`quire build FILE.md`).
    let placeholders = ["NAME.md", "FILE.md", "DIR.md", "KEY.md"];
    let held = held_documents(root);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for name in cited_documents(&text) {
            if placeholders.contains(&name.as_str()) {
                continue;
            }
            assert!(
                held.contains(&name),
                "{} cites `{name}`, which the repository does not hold",
                f.display()
            );
        }
    }
}

/// The documents a text cites by name: upper-case words ending `.md`, as
/// `README.md`.
fn cited_documents(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (at, _) in text.match_indices(".md") {
        let start = bytes[..at]
            .iter()
            .rposition(|b| !(b.is_ascii_uppercase() || *b == b'_'))
            .map_or(0, |p| p + 1);
        let after = bytes.get(at + 3).copied();
        if start < at && after.is_none_or(|b| !b.is_ascii_alphanumeric()) {
            out.push(text[start..at + 3].to_string());
        }
    }
    out
}

/// The names of the upper-case `.md` documents anywhere in the repository (not
/// under `target/` or `.git/`).
fn held_documents(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() && name != "target" && !name.starts_with('.') {
                todo.push(p);
            } else if !cited_documents(&name).is_empty() {
                out.push(name);
            }
        }
    }
    out
}
