//! Arbitrary bytes as a font file the manuscript names: quire must refuse it with a
//! reason, or set a short mixed-script text with it in every edition — the PDF (its
//! layout balanced), the EPUB with the font subset into it — never panic or hang.
//! Seed the corpus with real fonts (`fonts/*/*.ttf`) so mutations reach the tables.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::backend::{epub, pdf};
use quire::diag::Source;
use quire::typeface::{self, Role, Typefaces};

const TEXT: &str = "---\ntitle: Fuzz ﬁne\nauthor: A\nlang: en\n---\n\n# A heading\n\nSome *italic*, **bold**, `code`, a note,[^1] office, AVA, 1848 and Ελλάδα, سلام, 和平.\n\n[^1]: A note.\n";

const TINY_PNG: &[u8] = &[137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 218, 99, 104, 80, 80, 0, 0, 1, 228, 0, 193, 212, 166, 202, 187, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130];

fuzz_target!(|data: &[u8]| {
    // Fuzzing leaks each input once (`keep` holds fonts for the program's life);
    // libFuzzer's inputs are small, and the same bytes are kept once.
    let bytes = typeface::keep(data.to_vec());
    let Ok(fonts) = typeface::read_file("fuzz.ttf", bytes) else { return };
    let Ok(family) = typeface::family("fuzz.ttf", fonts) else { return };
    let _ = typeface::stand_in_message(&family);
    for role in [Role::Body, Role::Fallback(0)] {
        let mut tf = Typefaces::default();
        tf.set(role, family.clone());
        let Ok(layout_fonts) = quire::layout::Fonts::with(&tf) else { continue };
        let src = Source::new("fuzz.md", TEXT);
        let (doc, mut diags) = quire::load(&src);
        quire::lint::lint(&src, &doc, &tf, &mut diags);
        let mut lopts = quire::layout::LayoutOptions::a5();
        lopts.kind = Some(quire::layout::Makeup::Pamphlet);
        let layout = quire::layout::layout(&doc, &layout_fonts, &lopts, &mut diags);
        assert!(layout.audit.is_empty(), "{:?}", layout.audit);
        let popts = pdf::PdfOptions { bleed: 8.5, modified: 0, crop_marks: false };
        let images = Default::default();
        let _ = pdf::render(&layout, &doc.meta, &layout_fonts, &images, &popts);
        let info = quire::resources::inspect(TINY_PNG).expect("the cover PNG is sound");
        let res = epub::Resources {
            cover: Some(epub::Image { bytes: TINY_PNG.to_vec(), info }),
            images: Default::default(),
            fonts: tf,
        };
        let opts = epub::EpubOptions { modified: 0, embed_fonts: true, pages: Vec::new() };
        let _ = epub::render(&doc, &res, &opts);
    }
});
