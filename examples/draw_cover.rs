//! Draws the sample's cover, `covers/lessons-of-the-paris-commune.jpg`, with quire's
//! own typographic cover (the e-book's, at the proportions of an A5 page with 3 mm
//! bleed, 154 × 216 mm, so that the print edition's front cover shows it whole).
//!
//! ```sh
//! cargo run --release --example draw_cover
//! ```
//!
//! The file is committed; this is how it was made.

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("manuscript/lessons-of-the-paris-commune.md");
    let text = std::fs::read_to_string(&path).expect("the sample manuscript");
    let (doc, _) = quire::load(&quire::diag::Source::new("sample.md", text));
    // 1600 px wide; A5 plus 3 mm bleed on each side is 154 × 216 mm.
    let (w, h) = (1600, 1600 * 216 / 154);
    let jpeg = quire::backend::epub::cover::typographic_sized(
        &doc.meta,
        &Default::default(),
        w,
        h,
    )
    .expect("a cover");
    let out = root.join("covers/lessons-of-the-paris-commune.jpg");
    std::fs::write(&out, jpeg).expect("covers/ is writable");
    eprintln!("{} ({w} × {h})", out.display());
}
