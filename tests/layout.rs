//! Golden page dumps: every `tests/golden_layout/<case>.md` is laid out on A5 and
//! its page dump (positions, text and adjustment ratio of every line; rules, notes,
//! marks) compared with `<case>.layout`; a case with `pdf: {layout: book}` is laid
//! out as a book, its front matter (roman folios) and contents included. `UPDATE_GOLDEN=1 cargo test --test layout`
//! rewrites them; review the diff.

use std::path::Path;

use quire::diag::Source;
use quire::layout::{Fonts, LayoutOptions, dump, layout};

/// A5 options with the pixel sizes of the figures a case names (relative to the
/// case's folder).
fn options(doc: &quire::model::Document, dir: &Path) -> LayoutOptions {
    let mut opts = LayoutOptions::a5();
    // A case that asks for a makeup (`pdf: {layout: book}`) gets it, with its
    // front matter or covers; the others are the text pages alone.
    if let Some(setting) = &doc.meta.pdf.layout {
        opts.kind =
            Some(quire::layout::Makeup::for_document(doc, Some(setting)).unwrap());
        opts.toc_depth = doc.meta.toc_depth.max(1);
    }
    quire::model::walk_blocks(&doc.blocks, &mut |b| {
        if let quire::model::Block::Figure { src, .. } = b {
            let bytes = std::fs::read(dir.join(src)).unwrap();
            let info = quire::resources::inspect(&bytes).unwrap();
            opts.images.insert(src.clone(), (info.width, info.height));
        }
    });
    opts
}

#[test]
fn golden_page_dumps() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden_layout");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 8);
    let fonts = Fonts::new();
    let mut failures = Vec::new();
    for case in cases {
        let src = Source::new("c.md", std::fs::read_to_string(&case).unwrap());
        let (doc, mut diags) = quire::load(&src);
        let l = layout(&doc, &fonts, &options(&doc, &dir), &mut diags);
        assert!(l.audit.is_empty(), "{}: {:?}", case.display(), l.audit);
        let actual = dump::dump(&l);
        let golden = case.with_extension("layout");
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            _ if update => std::fs::write(&golden, &actual).unwrap(),
            Ok(expected) => {
                let line = expected
                    .lines()
                    .zip(actual.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                failures.push(format!(
                    "{}: line {}:\n  expected {:?}\n  actual   {:?}",
                    golden.display(),
                    line + 1,
                    expected.lines().nth(line),
                    actual.lines().nth(line)
                ));
            }
            Err(_) => failures.push(format!(
                "{}: missing (UPDATE_GOLDEN=1 writes it)",
                golden.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
