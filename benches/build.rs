//! Whole `quire build` processes (a plain harness: `cargo bench --bench build`), the
//! release binary on manuscripts written into a temporary folder:
//!
//! - **cost per word**, all four editions, medians of seven runs made in turn: the
//!   235k-word book (the sample's body fifty times) beside an eleven-chapter book
//!   of about 107k words with a note on every third paragraph, once with notes
//!   that refer to other chapters' pages (laid out again for the page numbers) and
//!   once without;
//! - **notes**: that book's PDF with 1, 10 and 100 times its 286 notes (each third
//!   paragraph carries 1, 10 or 100): the cost of one note more, which stays the
//!   same when the cost grows linearly;
//! - **many manuscripts**: a folder of 200 copies of the sample, every edition, and
//!   the pamphlets built a second.
//!
//! Wall-clock figures on a shared machine vary from run to run; compare runs made
//! side by side.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const CHAPTERS: [&str; 11] = [
    "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    "Eleven",
];

/// One `quire build` of `args` in `dir`: its wall time.
fn build(dir: &Path, args: &[&str]) -> Duration {
    let t0 = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(dir)
        .arg("build")
        .args(args)
        .output()
        .unwrap();
    let dt = t0.elapsed();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    dt
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut v: Vec<Duration> = (0..runs).map(|_| f()).collect();
    v.sort();
    v[v.len() / 2]
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The sample's front matter (without its cover, which lives beside it) and body.
fn sample_parts(sample: &str) -> (String, String) {
    let end = sample[3..].find("\n---\n").unwrap() + 3 + 5;
    let front: String = sample[..end]
        .lines()
        .filter(|l| !l.starts_with("cover:"))
        .map(|l| format!("{l}\n"))
        .collect();
    (front, sample[end..].to_string())
}

/// The sample's body fifty times, each under `# Part N`.
fn long_book(sample: &str) -> String {
    let (front, body) = sample_parts(sample);
    let mut book = front;
    for n in 1..=50 {
        book.push_str(&format!("\n# Part {n}\n\n{body}\n"));
    }
    book
}

/// Eleven chapters of about 9,450 words from the seed text, `per` notes on every
/// third paragraph; each note refers to another chapter's page when `refs`.
fn notes_book(seed: &str, per: usize, refs: bool) -> (String, usize) {
    let paras: Vec<String> = seed
        .split("\n\n")
        .map(|p| p.replace('\n', " "))
        .filter(|p| words(p) > 25)
        .collect();
    let mut s =
        "---\ntitle: The Long Book\nauthor: Ada Writer\nlang: en\ntoc-depth: 2\n---\n"
            .to_string();
    let (mut k, mut count) = (0, 0);
    for (c, name) in CHAPTERS.iter().enumerate() {
        s.push_str(&format!("\n# Chapter {name} {{#ch-{}}}\n", c + 1));
        let (mut n, mut j, mut defs) = (0, 0, String::new());
        while n < 9450 {
            let mut p = paras[k % paras.len()].clone();
            k += 1;
            if j % 3 == 1 {
                for m in 0..per {
                    let label = format!("c{}n{j}m{m}", c + 1);
                    p.push_str(&format!("[^{label}]"));
                    let other = (c + 5) % 11 + 1;
                    let see = if refs {
                        format!(", see [](#ch-{other})")
                    } else {
                        format!(", on chapter {other}")
                    };
                    defs.push_str(&format!(
                        "\n[^{label}]: A note on chapter {c}{see}.\n"
                    ));
                    count += 1;
                }
            }
            n += words(&p);
            s.push_str(&format!("\n{p}\n"));
            j += 1;
            if j == 8 || j == 20 {
                s.push_str(&format!("\n## Part {} of chapter {name}\n", j / 8));
            }
        }
        s.push_str(&defs);
    }
    (s, count)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample =
        std::fs::read_to_string(root.join("manuscript/lessons-of-the-paris-commune.md"))
            .unwrap();
    let seed = std::fs::read_to_string(
        root.join("tests/fixtures/lessons-of-the-paris-commune.seed.txt"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    println!("cost per word, all four editions (medians of 7, the cases in turn)");
    let cases = [
        ("235k-word book", long_book(&sample)),
        ("107k-word book with notes", notes_book(&seed, 1, false).0),
        ("the same, notes refer to pages", notes_book(&seed, 1, true).0),
    ];
    // In turn rather than one case after the other, so that the machine's drift
    // (its speed changes by a fifth within minutes) falls on every case alike.
    let mut times = vec![Vec::new(); cases.len()];
    for (k, (_, text)) in cases.iter().enumerate() {
        std::fs::write(dir.join(format!("book{k}.md")), text).unwrap();
    }
    for _ in 0..7 {
        for (k, t) in times.iter_mut().enumerate() {
            t.push(build(dir, &[&format!("book{k}.md"), "-o", "out"]));
        }
    }
    for ((name, text), mut t) in cases.iter().zip(times) {
        t.sort();
        let t = t[t.len() / 2];
        let per = t.as_secs_f64() * 1e6 / words(text) as f64;
        println!("  {name:<36} {:>7} words {t:>9.2?} {per:>6.2} µs a word", words(text));
    }

    println!("notes: the 107k-word book's PDF with ever more notes (medians of 3)");
    let mut base: Option<(f64, usize)> = None;
    for per in [1, 10, 100] {
        let (text, notes) = notes_book(&seed, per, false);
        std::fs::write(dir.join("notes.md"), &text).unwrap();
        let t = median(3, || build(dir, &["notes.md", "--format", "pdf", "-o", "out"]));
        let each =
            base.map(|(t0, n0)| (t.as_secs_f64() - t0) * 1e6 / (notes - n0) as f64);
        base.get_or_insert((t.as_secs_f64(), notes));
        let each = each.map_or("".into(), |us| format!("{us:>6.1} µs a note more"));
        println!("  {notes:>6} notes {t:>9.2?} {each}");
    }

    println!("many manuscripts: 200 copies of the sample, every edition");
    let folder = dir.join("pamphlets");
    std::fs::create_dir_all(&folder).unwrap();
    // With its cover, which the sample names as `../covers/…`.
    std::fs::create_dir_all(dir.join("covers")).unwrap();
    let cover = "covers/lessons-of-the-paris-commune.jpg";
    std::fs::copy(root.join(cover), dir.join(cover)).unwrap();
    for n in 0..200 {
        std::fs::write(folder.join(format!("p{n:03}.md")), &sample).unwrap();
    }
    let t = build(dir, &["pamphlets", "-o", "out-many"]);
    println!("  {t:>9.2?}, {:.1} pamphlets a second", 200.0 / t.as_secs_f64());
}
