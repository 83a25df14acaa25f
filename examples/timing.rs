//! Times the stages of the print edition: `cargo run --release --example timing -- FILE.md`.
fn main() {
    let path = std::env::args().nth(1).expect("a manuscript path");
    let text = std::fs::read_to_string(&path).expect("readable");
    let t = std::time::Instant::now();
    let src = quire::diag::Source::new(path.clone(), text);
    let (doc, mut diags) = quire::load(&src);
    let t_load = t.elapsed();
    eprintln!(
        "after load: {}",
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find(|l| l.starts_with("VmRSS"))
            .unwrap()
    );
    let fonts = quire::layout::Fonts::new();
    let t = std::time::Instant::now();
    let l = quire::layout::layout(
        &doc,
        &fonts,
        &quire::layout::LayoutOptions::a5(),
        &mut diags,
    );
    let t_layout = t.elapsed();
    let hwm = || {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find(|l| l.starts_with("VmHWM"))
            .unwrap()
            .to_string()
    };
    let rss = || {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find(|l| l.starts_with("VmRSS"))
            .unwrap()
            .to_string()
    };
    eprintln!("after layout: {} {}", hwm(), rss());
    let t = std::time::Instant::now();
    let opts =
        quire::backend::pdf::PdfOptions { bleed: 8.5, modified: 0, crop_marks: false };
    let pdf =
        quire::backend::pdf::render(&l, &doc.meta, &fonts, &Default::default(), &opts)
            .unwrap()
            .bytes;
    eprintln!("after render: {} {}", hwm(), rss());
    eprintln!(
        "load {t_load:?}, layout {t_layout:?}, render {:?}, {} pages, {} bytes",
        t.elapsed(),
        l.pages.len(),
        pdf.len()
    );
}
