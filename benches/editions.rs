//! Speed of the shared pipeline and of the text and EPUB editions (a plain harness,
//! `cargo bench --bench editions`). Figures are medians of repeated runs, on the
//! sample and on a 235,000-word book made of the sample's body fifty times, each
//! under its own `# Part N` heading. Peak memory is the process's high-water mark
//! (VmHWM) after the run.

use std::time::{Duration, Instant};

use quire::backend::{epub, text};
use quire::diag::Source;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let _ = f(); // warm-up
    median(
        (0..runs)
            .map(|_| {
                let t0 = Instant::now();
                std::hint::black_box(f());
                t0.elapsed()
            })
            .collect(),
    )
}

fn peak_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or("n/a".into(), |kb| format!("{:.0} MiB", kb as f64 / 1024.0))
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample =
        std::fs::read_to_string(root.join("manuscript/lessons-of-the-paris-commune.md"))
            .unwrap();
    let (front, body) = {
        let end = sample[3..].find("\n---\n").unwrap() + 3 + 5;
        (&sample[..end], &sample[end..])
    };
    let mut book = front.to_string();
    for n in 1..=50 {
        book.push_str(&format!("\n# Part {n}\n\n{body}\n"));
    }
    let cover = {
        // A small given cover, so that the EPUB figures measure the book, not the
        // drawing of a typographic cover (timed on its own below).
        let mut png = Vec::new();
        image::RgbImage::new(16, 24)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let info = quire::resources::inspect(&png).unwrap();
        epub::Resources {
            cover: Some(epub::Image { bytes: png, info }),
            images: Default::default(),
            fonts: Default::default(),
        }
    };
    let opts = epub::EpubOptions { modified: 0, embed_fonts: false, pages: Vec::new() };
    println!("{:<44} {:>10}", "benchmark", "median");
    for (name, text_src, runs) in [("sample", &sample, 30), ("235k-word book", &book, 5)]
    {
        let src = Source::new("bench.md", text_src.clone());
        let words = text_src.split_whitespace().count();
        let read = time(runs, || quire::load(&src));
        let (doc, _) = quire::load(&src);
        let txt = time(runs, || text::render(&doc, &text::TextOptions::default()));
        let ep = time(runs, || epub::render(&doc, &cover, &opts).unwrap());
        println!(
            "{:<44} {:>10.2?}",
            format!("{name} ({words} words): read + model passes"),
            read
        );
        println!("{:<44} {:>10.2?}", format!("{name}: text edition"), txt);
        println!("{:<44} {:>10.2?}", format!("{name}: EPUB edition"), ep);
    }
    let (doc, _) = quire::load(&Source::new("bench.md", sample.clone()));
    let none = epub::Resources::default();
    let cov = time(5, || epub::render(&doc, &none, &opts).unwrap());
    println!("{:<44} {:>10.2?}", "sample: EPUB with its typographic cover", cov);
    println!("{:<44} {:>10}", "peak memory (whole run)", peak_mib());
}
