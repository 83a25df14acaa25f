//! Properties over generated manuscripts: the pipeline never panics, answers with a
//! document or diagnostics, and its passes are idempotent.

use proptest::prelude::*;
use quire::backend::text;
use quire::diag::Source;
use quire::model;

/// Markdown-flavoured fragments, so that generated input reaches deep into the
/// parser and the passes rather than being one long paragraph.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Zéà’ ]{0,30}".prop_map(String::from),
        Just("\n\n".to_string()),
        Just("\n".to_string()),
        Just("# ".to_string()),
        Just("## ".to_string()),
        Just("> ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("* * *\n".to_string()),
        Just("[^a]".to_string()),
        Just("[^b]: note ".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("--".to_string()),
        Just("...".to_string()),
        Just("*".to_string()),
        Just("`".to_string()),
        Just("```\n".to_string()),
        Just("| a | b |\n|---|---|\n".to_string()),
        Just("<div class=\"verse\">\n\n".to_string()),
        Just("<div class=\"signature\">\n\n".to_string()),
        Just("</div>\n".to_string()),
        Just("<script>x</script>".to_string()),
        Just("![alt](x.png)".to_string()),
        Just("[link](http://a--b.example)".to_string()),
        Just("\\\n".to_string()),
        Just("«".to_string()),
        Just(" ?".to_string()),
    ]
}

fn manuscript() -> impl Strategy<Value = String> {
    let front = prop_oneof![
        Just(String::new()),
        Just("---\ntitle: T\n---\n".to_string()),
        Just("---\ntitle: T\nlang: fr\n---\n".to_string()),
        Just("---\ntitle: T\nlang: ru\n---\n".to_string()),
        Just("---\ntitle: [\n---\n".to_string()),
        "---\n[a-z: \\[\\]\n]{0,40}\n---\n".prop_map(String::from),
    ];
    (front, prop::collection::vec(fragment(), 0..40)).prop_map(|(f, v)| f + &v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_utf8_manuscript_gives_a_document_or_diagnostics(s in manuscript()) {
        let src = Source::new("p.md", s.clone());
        let (doc, diags) = quire::load(&src);
        for d in diags.iter() {
            // Every diagnostic points inside the file (or at its very end).
            prop_assert!(d.span.start <= s.len() && d.span.end <= s.len(), "{d:?}");
            let _ = quire::diag::render_human(&src, d);
        }
        if !diags.has_errors() {
            let out = text::render(&doc, &text::TextOptions::default());
            prop_assert!(out.is_empty() || out.ends_with('\n'));
        }
    }

    #[test]
    fn any_bytes_are_read_or_refused_with_a_location(b in prop::collection::vec(any::<u8>(), 0..300)) {
        let (src, bad) = Source::from_bytes("b.md", &b);
        match bad {
            Some(d) => prop_assert!(std::str::from_utf8(&b).is_err() && d.span.start < b.len()),
            None => { let _ = quire::load(&src); }
        }
    }

    #[test]
    fn passes_are_idempotent(s in manuscript()) {
        let src = Source::new("p.md", s);
        let (mut doc, _) = quire::load(&src);
        let once = doc.clone();
        let mut diags = quire::diag::Diagnostics::new();
        model::run_passes(&mut doc, &mut diags);
        prop_assert_eq!(once, doc);
    }

    #[test]
    fn text_edition_keeps_every_word_of_plain_prose(words in prop::collection::vec("[a-zA-Z]{1,12}", 1..200)) {
        let body = words.join(" ");
        let src = Source::new("w.md", format!("---\ntitle: W\n---\n\n{body}\n"));
        let (doc, diags) = quire::load(&src);
        prop_assert!(!diags.has_errors());
        let out = text::render(&doc, &text::TextOptions { width: 40 });
        let got: Vec<&str> = out.split_whitespace().skip(1).collect();
        prop_assert_eq!(got, words.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert!(out.lines().all(|l| l.chars().count() <= 40));
    }
}

/// Hostile shapes that once overflowed the stack or took quadratic time.
#[test]
fn deep_and_pathological_input_is_handled() {
    let mut cases = vec![
        format!("{}deep quote\n", "> ".repeat(5_000)),
        format!("{}x{}\n", "*".repeat(20_000), "*".repeat(20_000)),
        format!("{}{}\n", "[".repeat(3_000), "]".repeat(3_000)),
        format!("{}x\n", "[a](".repeat(2_000)),
    ];
    let mut list = String::new();
    for i in 0..20 {
        list.push_str(&format!("{}- level {i}\n", "  ".repeat(i)));
    }
    cases.push(list);
    cases.push(format!("{}fifty levels\n", "> ".repeat(50)));
    for body in cases {
        let src = Source::new("d.md", format!("---\ntitle: D\n---\n\n{body}"));
        let (doc, diags) = quire::load(&src);
        assert!(!diags.has_errors(), "{diags:?}");
        assert!(diags.iter().filter(|d| d.code == "too-deep").count() <= 1);
        let out = text::render(&doc, &text::TextOptions::default());
        assert!(!out.is_empty());
    }
}

fn tiny_cover() -> quire::backend::epub::Resources {
    let mut png = Vec::new();
    image::RgbImage::new(2, 3)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let info = quire::resources::inspect(&png).unwrap();
    quire::backend::epub::Resources {
        cover: Some(quire::backend::epub::Image { bytes: png, info }),
        images: Default::default(),
        fonts: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// Every XHTML document of a built EPUB is well-formed XML, and no active content
    /// from the manuscript reaches it.
    #[test]
    fn epub_documents_are_well_formed(s in manuscript()) {
        use std::io::Read as _;
        let src = Source::new("p.md", s);
        let (doc, diags) = quire::load(&src);
        prop_assume!(!diags.has_errors());
        let opts = quire::backend::epub::EpubOptions { modified: 0, embed_fonts: false, pages: Vec::new() };
        let bytes = quire::backend::epub::render(&doc, &tiny_cover(), &opts).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            if !(name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx")) {
                continue;
            }
            let mut x = String::new();
            f.read_to_string(&mut x).unwrap();
            prop_assert!(!x.contains("<script") && !x.contains("javascript:"), "{name}");
            let mut r = quick_xml::Reader::from_str(&x);
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => prop_assert!(false, "{name} is not well-formed: {e}\n{x}"),
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    /// A built PDF loads with lopdf and has the page count the layout reported; its
    /// booklet has half as many sides (the pamphlet is padded to a multiple of four).
    #[test]
    fn pdf_loads_with_the_layouts_page_count(s in manuscript()) {
        use quire::backend::pdf;
        use quire::layout::{Fonts, Makeup, LayoutOptions, layout};
        let src = Source::new("p.md", s);
        let (doc, mut diags) = quire::load(&src);
        prop_assume!(!diags.has_errors());
        let fonts = Fonts::new();
        let mut opts = LayoutOptions::a5();
        opts.kind = Some(Makeup::Pamphlet);
        let l = layout(&doc, &fonts, &opts, &mut diags);
        let images = Default::default();
        let written = pdf::render(&l, &doc.meta, &fonts, &images, &pdf::PdfOptions { bleed: 8.5, modified: 0, crop_marks: false }).unwrap();
        // No image is given to the layout, so nothing stands in the way of PDF/UA-1.
        prop_assert_eq!(written.conformance, pdf::Conformance::UaA2a, "{:?}", written.refused);
        let bytes = written.bytes;
        let loaded = lopdf::Document::load_mem(&bytes).unwrap();
        prop_assert_eq!(loaded.get_pages().len(), l.pages.len());
        prop_assert_eq!(l.pages.len() % 4, 0);
        let bopts = pdf::BookletOptions { duplex: quire::print::Duplex::LongEdge, creep: 0.0, modified: 0, sheet: (841.9, 595.3), signature: None };
        let booklet = pdf::render_booklet(&l, &doc.meta, &fonts, &images, &bopts).unwrap();
        prop_assert_eq!(lopdf::Document::load_mem(&booklet).unwrap().get_pages().len(), l.pages.len() / 2);
        // The booklet `quire build` writes is copied from the PDF: the copier must
        // read every PDF quire writes, or builds fall back to drawing it again.
        let copied = pdf::booklet_from_pdf(&bytes, &l, &doc.meta, &bopts);
        prop_assert!(copied.is_some(), "the booklet copier reads quire's PDF");
        let copied = lopdf::Document::load_mem(&copied.unwrap()).unwrap();
        prop_assert_eq!(copied.get_pages().len(), l.pages.len() / 2);
    }
}

/// Regression: empty lines in a code block made two forced breaks in a row, and the
/// line setter sliced past its break (found by `pdf_loads_with_the_layouts_page_count`).
#[test]
fn issue_7_two_forced_breaks_in_a_row() {
    let src = Source::new("r.md", "---\ntitle: T\n---\n```\n\n\n# ".to_string());
    let (doc, mut diags) = quire::load(&src);
    let l = quire::layout::layout(
        &doc,
        &quire::layout::Fonts::new(),
        &quire::layout::LayoutOptions::a5(),
        &mut diags,
    );
    assert!(!l.pages.is_empty());
}

/// Every input the fuzzer ever crashed on (`tests/regressions/`) goes through the
/// whole pipeline: reading, lints, text, EPUB, PDF and booklet.
#[test]
fn fuzz_regressions_build() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        let (src, bad) = Source::from_bytes("r.md", &bytes);
        if bad.is_some() {
            continue;
        }
        let (doc, mut diags) = quire::load(&src);
        quire::lint::lint(&src, &doc, &Default::default(), &mut diags);
        if diags.has_errors() {
            continue;
        }
        let _ = text::render(&doc, &text::TextOptions::default());
        let _ = quire::backend::epub::render(
            &doc,
            &tiny_cover(),
            &quire::backend::epub::EpubOptions {
                modified: 0,
                embed_fonts: false,
                pages: Vec::new(),
            },
        )
        .unwrap();
        let fonts = quire::layout::Fonts::new();
        let mut opts = quire::layout::LayoutOptions::a5();
        opts.kind = Some(quire::layout::Makeup::Pamphlet);
        let l = quire::layout::layout(&doc, &fonts, &opts, &mut diags);
        let images = Default::default();
        quire::backend::pdf::render(
            &l,
            &doc.meta,
            &fonts,
            &images,
            &quire::backend::pdf::PdfOptions {
                bleed: 8.5,
                modified: 0,
                crop_marks: true,
            },
        )
        .unwrap();
        n += 1;
    }
    assert!(n >= 1);
}
