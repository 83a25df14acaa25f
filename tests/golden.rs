//! Golden files: every `tests/golden/<area>/<case>.md` is built in-process and each
//! output is compared with the file beside it — `<case>.txt` (the text edition) and
//! `<case>.diag` (the diagnostics, as printed); in `epub/`, the package and the
//! chapters' XHTML; in `agree/`, `<case>.editions`: the same text in every edition
//! side by side (the text edition, the EPUB chapters' bodies, the print edition's
//! lines page by page), to show that the editions agree. A missing golden file for an output
//! that exists, or a golden file for an output that no longer exists, is a failure.
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites them; review the diff.

use std::fs;
use std::path::{Path, PathBuf};

use quire::backend::text;
use quire::diag::{Source, render_human};

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            cases(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}

/// The outputs of one case, by extension.
fn outputs(path: &Path, root: &Path) -> Vec<(&'static str, Option<String>)> {
    let bytes = fs::read(path).unwrap();
    let name = path.strip_prefix(root).unwrap().display().to_string();
    let (src, bad) = Source::from_bytes(name, &bytes);
    let (doc, diags) = match bad {
        Some(d) => {
            let mut ds = quire::diag::Diagnostics::new();
            ds.push(d);
            (None, ds)
        }
        None => {
            let (doc, diags) = quire::load(&src);
            (Some(doc), diags)
        }
    };
    let mut diags = diags;
    if let (Some(doc), true) = (&doc, path.parent().is_some_and(|p| p.ends_with("lint")))
    {
        quire::lint::lint(&src, doc, &Default::default(), &mut diags);
        quire::allow(doc, &mut diags);
    }
    let diag_text: String =
        diags.sorted().into_iter().map(|d| render_human(&src, d)).collect();
    let txt = doc.filter(|_| !diags.has_errors()).map(|doc| {
        let width = doc.meta.text.width.unwrap_or(text::DEFAULT_WIDTH);
        text::render(&doc, &text::TextOptions { width })
    });
    let mut outs =
        vec![("txt", txt), ("diag", Some(diag_text).filter(|s| !s.is_empty()))];
    if path.parent().is_some_and(|p| p.ends_with("epub")) {
        let (src, _) = Source::from_bytes("x.md", &bytes);
        let (doc, _) = quire::load(&src);
        let (opf, xhtml) = epub_parts(&doc);
        outs.push(("opf", Some(opf)));
        outs.push(("xhtml", Some(xhtml)));
    }
    if path.parent().is_some_and(|p| p.ends_with("agree")) {
        let (src, _) = Source::from_bytes("x.md", &bytes);
        let (doc, _) = quire::load(&src);
        outs.push(("editions", Some(editions(&doc))));
    }
    outs
}

/// Every edition of a document, one after the other: the text edition; the body of
/// each EPUB chapter; the print edition's lines (text pages only), page by page, a
/// hyphenated line marked ` -`, a line broken inside a word ` ~`, table cells with
/// their row and column, note lines after a `--` rule.
fn editions(doc: &quire::model::Document) -> String {
    use quire::layout::{Fonts, LayoutOptions, dump::line_text, layout};
    let txt = text::render(doc, &text::TextOptions::default());
    let (_, xhtml) = epub_parts(doc);
    let mut bodies = String::new();
    for part in xhtml.split("==> ").filter(|p| p.starts_with("EPUB/ch")) {
        let name = part.lines().next().unwrap_or_default().trim_end_matches(" <==");
        let body = part.split("<body").nth(1).and_then(|b| b.split("</body>").next());
        let body = body.map(|b| &b[b.find('>').map_or(0, |i| i + 1)..]).unwrap_or("");
        bodies.push_str(&format!("--- {name}\n{}\n", body.trim()));
    }
    let mut diags = quire::diag::Diagnostics::new();
    let l = layout(doc, &Fonts::new(), &LayoutOptions::a5(), &mut diags);
    let mut print = String::new();
    for p in &l.pages {
        print.push_str(&format!("--- page {}\n", p.number));
        for (k, pl) in p.lines.iter().enumerate() {
            if k == p.body_lines {
                print.push_str("  --\n");
            }
            let cell =
                pl.cell.map(|c| format!("[r{}c{}] ", c.row, c.col)).unwrap_or_default();
            let end = if pl.line.hyphenated {
                " -"
            } else if pl.line.broken {
                " ~"
            } else {
                ""
            };
            print.push_str(&format!("  {cell}{}{end}\n", line_text(&pl.line)));
        }
    }
    format!("==> text <==\n{txt}\n==> EPUB <==\n{bodies}\n==> print <==\n{print}")
}

/// The package document, and every chapter's XHTML one after the other, of the
/// EPUB edition.
fn epub_parts(doc: &quire::model::Document) -> (String, String) {
    use quire::backend::epub;
    use std::io::Read as _;
    let opts = epub::EpubOptions {
        modified: epub::modified_time(None, None),
        embed_fonts: false,
        pages: Vec::new(),
    };
    let bytes = epub::render(doc, &epub::Resources::default(), &opts).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let opf = read("EPUB/package.opf");
    let mut xhtml = String::new();
    for i in 1..=doc.chapters.len() {
        let name = format!("EPUB/ch{i:03}.xhtml");
        xhtml.push_str(&format!("==> {name} <==\n{}", read(&name)));
    }
    xhtml.push_str(&format!("==> EPUB/nav.xhtml <==\n{}", read("EPUB/nav.xhtml")));
    (opf, xhtml)
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e:?}\n  actual:   {a:?}", i + 1);
        }
    }
    format!(
        "lengths differ: expected {} lines, got {}",
        expected.lines().count(),
        actual.lines().count()
    )
}

#[test]
fn golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut all = Vec::new();
    cases(&root, &mut all);
    assert!(all.len() >= 28, "golden cases went missing: {}", all.len());
    let mut failures = Vec::new();
    for case in &all {
        for (ext, actual) in outputs(case, &root) {
            let golden = case.with_extension(ext);
            let expected = fs::read_to_string(&golden).ok();
            if expected == actual {
                continue;
            }
            if update {
                match &actual {
                    Some(a) => fs::write(&golden, a).unwrap(),
                    None => fs::remove_file(&golden).unwrap(),
                }
                continue;
            }
            let what = match (&expected, &actual) {
                (None, Some(_)) => "no golden file for an output that exists".to_string(),
                (Some(_), None) => {
                    "golden file for an output that no longer exists".to_string()
                }
                (Some(e), Some(a)) => first_difference(e, a),
                (None, None) => unreachable!(),
            };
            failures.push(format!("{}: {what}", golden.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden mismatches (UPDATE_GOLDEN=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
