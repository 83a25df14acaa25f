//! The accessible print PDF (issue 15): tagged, PDF/UA-1 + PDF/A-2a, its structure
//! tree in reading order. The structure is compared with golden dumps
//! (`tests/tagged/*.struct`: poppler's `pdfinfo -struct-text`, annotated from the
//! file; `UPDATE_GOLDEN=1 cargo test --test tagged` rewrites them — review the
//! diff). Every page's drawing is checked to be tagged content or an artifact, and
//! the conformance krilla's validators allowed is read from the build's summary
//! line and the file's XMP. poppler is required under `CI=true`.

use std::fs;
use std::path::Path;

mod common;
use common::{
    have, in_order, quire, root, struct_elems, structure_dump, tagged, unmarked_paint,
    words,
};

/// Compares a dump with its golden file (or rewrites it under UPDATE_GOLDEN=1).
fn golden(name: &str, got: &str) {
    let path = root().join("tests/tagged").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        fs::write(&path, got).unwrap();
        return;
    }
    let want = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("{}: missing (UPDATE_GOLDEN=1 writes it)", path.display())
    });
    if want != got {
        let first = want.lines().zip(got.lines()).position(|(a, b)| a != b);
        panic!(
            "{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it) near line {}:\nwant: {:?}\ngot:  {:?}",
            first.map_or(0, |k| k + 1),
            first.and_then(|k| want.lines().nth(k)),
            first.and_then(|k| got.lines().nth(k)),
        );
    }
}

/// Builds manuscripts (paths relative to the repository) into `out`; returns
/// stderr.
fn build(files: &[&str], out: &Path) -> String {
    let mut args = vec!["build", "-o", out.to_str().unwrap()];
    args.extend_from_slice(files);
    let o = quire(&root(), &args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    err
}

/// The summary line's note on the PDF: what it conforms to.
fn conformance(stderr: &str, pdf_name: &str) -> String {
    let needle = format!("/{pdf_name} (");
    let at = stderr.find(&needle).unwrap_or_else(|| panic!("{needle} in {stderr}"));
    let rest = &stderr[at..];
    let open = rest.find('(').unwrap();
    let close = rest.find(')').unwrap();
    rest[open + 1..close].split(", ").nth(1).unwrap_or("").to_string()
}

/// The XMP metadata packet of a PDF, as text.
fn xmp(pdf: &Path) -> String {
    let doc = lopdf::Document::load(pdf).unwrap();
    let meta = doc.catalog().unwrap().get(b"Metadata").unwrap().as_reference().unwrap();
    let stream = doc.get_object(meta).unwrap().as_stream().unwrap();
    let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Checks what every tagged edition must be: tagged, all its drawing tagged or an
/// artifact, the structure's broken words read whole.
fn check_tagged(pdf: &Path) -> String {
    assert!(tagged(pdf), "{}: pdfinfo says it is not tagged", pdf.display());
    let (unmarked, _) = unmarked_paint(pdf);
    assert!(
        unmarked.is_empty(),
        "{}: drawn outside marked content: {unmarked:?}",
        pdf.display()
    );
    let dump = structure_dump(pdf);
    assert!(!dump.contains("!!") && !dump.contains("[not in"), "{dump}");
    words_read_whole(&dump);
    dump
}

/// Each `Span` with an /ActualText is a word broken across lines: its pieces, the
/// hyphen dropped, make the word.
fn words_read_whole(dump: &str) {
    let lines: Vec<&str> = dump.lines().collect();
    for (k, l) in lines.iter().enumerate() {
        let Some(at) = l.find("[ActualText ") else { continue };
        let actual: String = l[at + 12..].trim_end_matches(']').trim_matches('"').into();
        let depth = l.len() - l.trim_start().len();
        let pieces: String = lines[k + 1..]
            .iter()
            .take_while(|p| p.len() - p.trim_start().len() > depth)
            .map(|p| p.trim().trim_matches('"'))
            .map(|p| p.strip_suffix('-').unwrap_or(p))
            .collect();
        assert_eq!(
            pieces.trim(),
            actual.trim(),
            "a broken word read whole at line {}",
            k + 1
        );
        assert!(!actual.contains('-') || pieces.contains('-'), "{actual}");
    }
}

/// The text a reader of the structure meets, in reading order: the dump's text,
/// each broken word as its /ActualText instead of its pieces.
fn structure_text(dump: &str) -> String {
    let mut out = String::new();
    let mut skip_deeper: Option<usize> = None;
    for l in dump.lines() {
        let depth = l.len() - l.trim_start().len();
        if skip_deeper.is_some_and(|d| depth > d) {
            continue;
        }
        skip_deeper = None;
        if let Some(at) = l.find("[ActualText ") {
            out.push_str(l[at + 12..].trim_end_matches(']').trim_matches('"'));
            skip_deeper = Some(depth);
        } else if let Some(t) = l.trim().strip_prefix('"') {
            out.push_str(t.strip_suffix('"').unwrap_or(t));
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_sample_is_tagged_pdf_ua_1_and_pdf_a_2a() {
    if !have("pdfinfo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let err = build(&["manuscript/lessons-of-the-paris-commune.md"], tmp.path());
    assert_eq!(
        conformance(&err, "lessons-of-the-paris-commune.pdf"),
        "PDF/UA-1 + PDF/A-2a"
    );
    let pdf = tmp.path().join("lessons-of-the-paris-commune.pdf");
    let dump = check_tagged(&pdf);
    // Both standards declared, at level A.
    let x = xmp(&pdf);
    assert!(x.contains("<pdfuaid:part>1</pdfuaid:part>"), "{x}");
    assert!(x.contains("<pdfaid:part>2</pdfaid:part>"), "{x}");
    assert!(x.contains("<pdfaid:conformance>A</pdfaid:conformance>"), "{x}");
    // The title is displayed, the language set.
    let doc = lopdf::Document::load(&pdf).unwrap();
    let cat = doc.catalog().unwrap();
    assert_eq!(cat.get(b"Lang").unwrap().as_str().unwrap(), b"en");
    let prefs = cat.get(b"ViewerPreferences").unwrap();
    let prefs = match prefs {
        lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
        o => o.as_dict().unwrap(),
    };
    assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    // Words hyphenated at line ends are read whole (the sample has several).
    let whole = struct_elems(&pdf).iter().filter(|e| e.actual.is_some()).count();
    assert!(whole >= 5, "{whole} words read whole");
    // Running heads and folios are artifacts: the title is read twice (the inside
    // cover's colophon and the title), not on every right-hand page; no page
    // number is read.
    let title = dump.matches("\"Lessons of the Paris Commune\"").count();
    assert_eq!(title, 2, "{dump}");
    assert!(!dump.lines().any(|l| {
        let t = l.trim().trim_matches('"');
        !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
    }));
    golden("lessons-of-the-paris-commune.struct", &dump);
    // Nothing lost: every word of the seed, in order, in what the structure reads
    // (covers and colophon pass before it), and no word of the body read twice.
    let read = words(&structure_text(&dump));
    let seed = words(
        &fs::read_to_string(
            root().join("tests/fixtures/lessons-of-the-paris-commune.seed.txt"),
        )
        .unwrap(),
    );
    assert_eq!(
        in_order(&seed, &read),
        seed.len(),
        "the structure reads every word in order"
    );
    // Beyond the seed, exactly: the inside cover's colophon (title 5, author 2,
    // source 18, date 3, "Set in EB Garamond with quire" 6), the title block (5 + 2)
    // and the back cover's description (34) — a word read twice or dropped would
    // change it.
    assert_eq!(read.len() - seed.len(), 5 + 2 + 18 + 3 + 6 + 5 + 2 + 34);
    // The booklet is a print artefact: not tagged.
    assert!(!tagged(&tmp.path().join("lessons-of-the-paris-commune-booklet.pdf")));
}

#[test]
fn every_block_kind_has_its_standard_structure_type_in_reading_order() {
    if !have("pdfinfo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let err = build(&["tests/tagged/blocks.md"], tmp.path());
    assert_eq!(conformance(&err, "blocks.pdf"), "PDF/UA-1 + PDF/A-2a");
    let pdf = tmp.path().join("blocks.pdf");
    let dump = check_tagged(&pdf);
    golden("blocks.struct", &dump);
    let kinds: Vec<String> = struct_elems(&pdf).into_iter().map(|e| e.kind).collect();
    let has = |k: &str| kinds.iter().any(|x| x == k);
    for k in [
        "Title",
        "H1",
        "H2",
        "P",
        "BlockQuote",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "Figure",
        "Caption",
        "Note",
        "Reference",
        "Link",
        "Code",
        "Div",
        "Sect",
    ] {
        assert!(has(k), "no {k} in {kinds:?}");
    }
    // Reading order: each note right after the paragraph that refers to it, the
    // caption after its figure.
    let pos =
        |needle: &str| dump.find(needle).unwrap_or_else(|| panic!("{needle} in\n{dump}"));
    assert!(pos("A paragraph with a note") < pos("Note <Note 1>"));
    assert!(pos("Note <Note 1>") < pos("H2 \"A section\""));
    assert!(pos("with a note of its own") < pos("Note <Note 2>"));
    assert!(pos("Note <Note 2>") < pos("L (block)"));
    assert!(pos("Revolutions") < pos("Note <Note 3>"));
    assert!(pos("Note <Note 3>") < pos("The Commune\""));
    assert!(pos("Figure") < pos("Caption"));
    let figure = struct_elems(&pdf).into_iter().find(|e| e.kind == "Figure").unwrap();
    assert_eq!(
        figure.alt.as_deref(),
        Some("A gradient plate, standing in for a photograph")
    );
    // Languages: the French phrase on its marked content, the German passage on
    // its element.
    let (_, langs) = unmarked_paint(&pdf);
    assert!(langs.iter().any(|l| l == "fr"), "{langs:?}");
    assert!(dump.contains("[Lang de]"), "{dump}");
}

#[test]
fn an_image_without_alt_text_is_warned_at_its_line_and_the_pdf_is_pdf_a_2b() {
    if !have("pdfinfo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let md = "---\ntitle: No Alt\n---\n\nText before.\n\n![](images/plate.png)\n\nText after.\n";
    fs::write(tmp.path().join("m.md"), md).unwrap();
    fs::create_dir(tmp.path().join("images")).unwrap();
    fs::copy(
        root().join("tests/tagged/images/plate.png"),
        tmp.path().join("images/plate.png"),
    )
    .unwrap();
    let o = quire(tmp.path(), &["build", "m.md"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("m.md:7:1: warning[missing-alt]: this image has no alternative text, so the PDF is PDF/A-2b, not PDF/UA-1 + PDF/A-2a"),
        "{err}"
    );
    assert_eq!(err.matches("has no alternative text").count(), 1, "said once: {err}");
    assert_eq!(conformance(&err, "m.pdf"), "PDF/A-2b");
    let pdf = tmp.path().join("dist/m.pdf");
    check_tagged(&pdf);
    let x = xmp(&pdf);
    assert!(x.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{x}");
    assert!(!x.contains("pdfuaid"), "{x}");
}

/// Every other test manuscript: tagged, and PDF/UA-1 + PDF/A-2a (they all give
/// their images alternative text).
#[test]
fn every_test_manuscript_is_tagged_and_accessible() {
    if !have("pdfinfo") {
        return;
    }
    let mut files: Vec<String> = Vec::new();
    for dir in ["tests/epub", "tests/golden_layout"] {
        let mut md: Vec<String> = fs::read_dir(root().join(dir))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .map(|p| p.strip_prefix(root()).unwrap().to_string_lossy().into_owned())
            .collect();
        md.sort();
        files.extend(md);
    }
    let tmp = tempfile::tempdir().unwrap();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let err = build(&refs, tmp.path());
    for f in &files {
        let stem = Path::new(f).file_stem().unwrap().to_string_lossy().into_owned();
        let name = format!("{stem}.pdf");
        assert_eq!(conformance(&err, &name), "PDF/UA-1 + PDF/A-2a", "{f}");
        check_tagged(&tmp.path().join(&name));
    }
    // The golden cases (`tests/golden/*/`): those that build (some are refused by
    // design) are PDF/UA-1 + PDF/A-2a too.
    let mut golden: Vec<String> = Vec::new();
    for area in fs::read_dir(root().join("tests/golden")).unwrap() {
        for e in fs::read_dir(area.unwrap().path()).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "md") {
                golden
                    .push(p.strip_prefix(root()).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    golden.sort();
    let out = tmp.path().join("golden");
    let mut args = vec!["build", "-o", out.to_str().unwrap()];
    args.extend(golden.iter().map(String::as_str));
    let o = quire(&root(), &args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let mut built = 0;
    for f in &golden {
        let stem = Path::new(f).file_stem().unwrap().to_string_lossy().into_owned();
        let name = format!("{stem}.pdf");
        if !err.contains(&format!("/{name} (")) {
            continue;
        }
        assert_eq!(conformance(&err, &name), "PDF/UA-1 + PDF/A-2a", "{f}");
        assert!(tagged(&out.join(&name)), "{f}");
        built += 1;
    }
    assert!(built >= 25, "only {built} golden cases built:\n{err}");
}
