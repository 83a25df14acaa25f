//! Speed and memory of the print PDF (a plain harness: `cargo bench --bench pdf`):
//! the sample, and a 235,000-word book — the sample's body fifty times, each under
//! its own `# Part N` heading. Medians of repeated runs; peak memory is the
//! process's high-water mark (VmHWM) after the book, run in a child process so the
//! figure is the book's alone.

use std::time::{Duration, Instant};

use quire::backend::pdf::{PdfOptions, render};
use quire::diag::Source;
use quire::layout::{Fonts, LayoutOptions, layout};

fn pdf(src: &Source) -> Vec<u8> {
    let (doc, mut diags) = quire::load(src);
    let fonts = Fonts::new();
    let l = layout(&doc, &fonts, &LayoutOptions::a5(), &mut diags);
    render(
        &l,
        &doc.meta,
        &fonts,
        &Default::default(),
        &PdfOptions { bleed: 8.5, modified: 0, crop_marks: false },
    )
    .unwrap()
    .bytes
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn book(sample: &str) -> String {
    let end = sample[3..].find("\n---\n").unwrap() + 3 + 5;
    let (front, body) = (&sample[..end], &sample[end..]);
    let mut b = front.to_string();
    for n in 1..=50 {
        b.push_str(&format!("\n# Part {n}\n\n{body}\n"));
    }
    b
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample =
        std::fs::read_to_string(root.join("manuscript/lessons-of-the-paris-commune.md"))
            .unwrap();
    if std::env::args().any(|a| a == "--book-only") {
        // The child: one book, then its peak memory.
        let src = Source::new("book.md", book(&sample));
        let t0 = Instant::now();
        let bytes = pdf(&src);
        println!("{} {} {:.1}", t0.elapsed().as_millis(), bytes.len(), peak_mib());
        return;
    }
    let src = Source::new("sample.md", sample.clone());
    let _ = pdf(&src);
    let runs: Vec<Duration> = (0..20)
        .map(|_| {
            let t0 = Instant::now();
            std::hint::black_box(pdf(&src));
            t0.elapsed()
        })
        .collect();
    println!("sample PDF (4,806 words):             median {:>8.2?}", median(runs));
    // Issue 7's limit: a 50,000-word single paragraph, well under 10 s.
    let words: Vec<&str> = sample.split_whitespace().skip(40).collect();
    let para: Vec<&str> = (0..50_000).map(|i| words[i % words.len()]).collect();
    let one = Source::new(
        "para.md",
        format!("---\ntitle: One paragraph\n---\n\n{}\n", para.join(" ")),
    );
    let t0 = Instant::now();
    std::hint::black_box(pdf(&one));
    println!("50,000-word single paragraph PDF:     {:>8.2?}", t0.elapsed());
    let exe = std::env::current_exe().unwrap();
    let mut times = Vec::new();
    let mut last = String::new();
    for _ in 0..3 {
        let o = std::process::Command::new(&exe).arg("--book-only").output().unwrap();
        last = String::from_utf8_lossy(&o.stdout).trim().to_string();
        times.push(
            last.split_whitespace().next().unwrap_or("0").parse::<u64>().unwrap_or(0),
        );
    }
    times.sort();
    let parts: Vec<&str> = last.split_whitespace().collect();
    println!(
        "235k-word book PDF (50 parts):        median {:>5} ms, {:.1} MiB file, peak memory {} MiB",
        times[1],
        parts.get(1).and_then(|b| b.parse::<f64>().ok()).unwrap_or(0.0) / 1_048_576.0,
        parts.get(2).unwrap_or(&"?")
    );
}
