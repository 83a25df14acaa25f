//! Arbitrary bytes as a manuscript, through reading, the model passes, the lints and
//! every backend (text, EPUB, the laid-out PDF and its booklet): quire must answer with editions or diagnostics, never a panic or
//! a hang, and the page builder's books must balance (every item and note line placed
//! once).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::backend::{epub, text};
use quire::diag::{Source, render_human, render_json};

/// A 1×1 PNG as the cover, so that each run does not draw a typographic cover.
const TINY_PNG: &[u8] = &[137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 218, 99, 104, 80, 80, 0, 0, 1, 228, 0, 193, 212, 166, 202, 187, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130];

fuzz_target!(|data: &[u8]| {
    let (src, bad) = Source::from_bytes("fuzz.md", data);
    if let Some(d) = bad {
        let _ = render_human(&src, &d);
        return;
    }
    let (doc, mut diags) = quire::load(&src);
    quire::lint::lint(&src, &doc, &Default::default(), &mut diags);
    for d in diags.iter() {
        let _ = render_human(&src, d);
        let _ = render_json(&src, d);
    }
    if diags.has_errors() {
        return;
    }
    let _ = text::render(&doc, &text::TextOptions { width: 40 });
    let _ = text::render(&doc, &text::TextOptions { width: 0 });
    // The print edition: layout — a pamphlet with its self-cover, or a book with
    // its front matter and contents, as the manuscript asks — and the booklet.
    let fonts = quire::layout::Fonts::new();
    let mut lopts = quire::layout::LayoutOptions::a5();
    lopts.kind = Some(
        quire::layout::Makeup::for_document(&doc, None).unwrap_or(quire::layout::Makeup::Pamphlet),
    );
    lopts.toc_depth = doc.meta.toc_depth.max(1);
    let layout = quire::layout::layout(&doc, &fonts, &lopts, &mut diags);
    // Nothing lost, nothing placed twice, no empty page but a designed blank.
    assert!(layout.audit.is_empty(), "{:?}", layout.audit);
    // The EPUB, with the print edition's page-list.
    let opts =
        epub::EpubOptions { modified: 0, embed_fonts: false, pages: layout.page_starts() };
    let info = quire::resources::inspect(TINY_PNG).expect("the cover PNG is sound");
    let res = epub::Resources {
        cover: Some(epub::Image { bytes: TINY_PNG.to_vec(), info }),
        images: Default::default(),
        fonts: Default::default(),
    };
    let book = epub::render(&doc, &res, &opts).expect("an EPUB for any valid manuscript");
    assert!(book.starts_with(b"PK"));
    let images = Default::default();
    let popts = quire::backend::pdf::PdfOptions { bleed: 8.5, modified: 0, crop_marks: true };
    let written = quire::backend::pdf::render(&layout, &doc.meta, &fonts, &images, &popts).expect("a PDF");
    // Whatever the manuscript, krilla takes the structure (a character the
    // standards forbid may leave the file PDF/A-2b or plain, but tagged).
    assert_ne!(written.conformance, quire::backend::pdf::Conformance::Untagged, "{:?}", written.refused);
    let pdf = written.bytes;
    assert!(pdf.starts_with(b"%PDF"));
    let bopts = quire::backend::pdf::BookletOptions {
        duplex: quire::print::Duplex::LongEdge,
        creep: 0.3,
        modified: 0,
        sheet: (841.9, 595.3),
        signature: Some(8),
    };
    quire::backend::pdf::render_booklet(&layout, &doc.meta, &fonts, &images, &bopts).expect("a booklet");
});
