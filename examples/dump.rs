//! Prints the page dump of a manuscript: `cargo run --example dump -- FILE.md`.
fn main() {
    let path = std::env::args().nth(1).expect("a manuscript path");
    let src = quire::diag::Source::new(
        path.clone(),
        std::fs::read_to_string(&path).expect("readable"),
    );
    let (doc, mut diags) = quire::load(&src);
    let fonts = quire::layout::Fonts::new();
    let t0 = std::time::Instant::now();
    let l = quire::layout::layout(
        &doc,
        &fonts,
        &quire::layout::LayoutOptions::a5(),
        &mut diags,
    );
    eprintln!("layout: {:?}, {} pages", t0.elapsed(), l.pages.len());
    for d in diags.iter() {
        eprint!("{}", quire::diag::render_human(&src, d));
    }
    print!("{}", quire::layout::dump::dump(&l));
}
