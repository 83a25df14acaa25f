//! Whole `quire build` processes (a plain harness: `cargo bench --bench build`), the
//! release binary on manuscripts written into a temporary folder:
//!
//! - **cost per word**, all four editions, medians of seven runs made in turn: the
//!   235k-word book (the sample's body fifty times) beside an eleven-chapter book
//!   of about 107k words with a note on every third paragraph; the same with notes
//!   that refer to other chapters' pages (laid out again for the page numbers);
//!   twice as long (22 chapters, 215k words): the cost that grows with the words;
//!   and without its notes: what its text costs, and what its notes add. Each is
//!   given whole, and net of the start-up (the same front matter over ten words:
//!   fonts, patterns, the cover), which a shorter book shares among fewer words;
//! - **notes**: that book's PDF with 1, 10, 100 and 1,000 times its 286 notes (each
//!   third paragraph carries 1 to 1,000 short notes under labels of a few letters,
//!   so that 286,000 fit in a manuscript): the cost of one note more over the step
//!   before, which stays the same when the cost grows linearly;
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

/// A book's start-up: its front matter and first heading over ten words.
fn start_up(front: &str, heading: &str) -> String {
    format!("{front}\n# {heading}\n\nTen words of text to start the book up with.\n")
}

const NOTES_FRONT: &str =
    "---\ntitle: The Long Book\nauthor: Ada Writer\nlang: en\ntoc-depth: 2\n---\n";

/// How the notes book's notes are written.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// "A note on chapter 3, on chapter 9."
    Plain,
    /// "A note on chapter 3, see [](#ch-9)": a reference to a page.
    Refs,
    /// "See 9.", under a label of a few letters: 286,000 of them fit in a
    /// manuscript (which quire reads up to 16 MiB).
    Short,
}

/// A label of a few letters for note `n`.
fn short_label(mut n: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    loop {
        s.push(digits[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// `chapters` × 11 chapters of about 9,450 words from the seed text, `per` notes
/// on every third paragraph (none with 0: the same paragraphs), written in `form`.
fn notes_book(seed: &str, per: usize, form: Form, chapters: usize) -> (String, usize) {
    let paras: Vec<String> = seed
        .split("\n\n")
        .map(|p| p.replace('\n', " "))
        .filter(|p| words(p) > 25)
        .collect();
    let mut s = NOTES_FRONT.to_string();
    let (mut k, mut count) = (0, 0);
    let names = (0..chapters).flat_map(|round| {
        CHAPTERS
            .iter()
            .map(move |n| if round == 0 { n.to_string() } else { format!("{n} {round}") })
    });
    for (c, name) in names.enumerate() {
        s.push_str(&format!("\n# Chapter {name} {{#ch-{}}}\n", c + 1));
        let (mut n, mut j, mut defs) = (0, 0, String::new());
        while n < 9450 {
            let mut p = paras[k % paras.len()].clone();
            k += 1;
            if j % 3 == 1 {
                for m in 0..per {
                    let other = (c + 5) % 11 + 1;
                    let (label, text) = match form {
                        Form::Plain => (
                            format!("c{}n{j}m{m}", c + 1),
                            format!("A note on chapter {c}, on chapter {other}."),
                        ),
                        Form::Refs => (
                            format!("c{}n{j}m{m}", c + 1),
                            format!("A note on chapter {c}, see [](#ch-{other})."),
                        ),
                        Form::Short => (short_label(count), format!("See {other}.")),
                    };
                    p.push_str(&format!("[^{label}]"));
                    defs.push_str(&format!("\n[^{label}]: {text}\n"));
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
    // Each case, and the start-up it shares (an index into `texts`).
    let texts = [
        long_book(&sample),
        notes_book(&seed, 1, Form::Plain, 1).0,
        notes_book(&seed, 1, Form::Refs, 1).0,
        notes_book(&seed, 1, Form::Plain, 2).0,
        notes_book(&seed, 0, Form::Plain, 1).0,
        start_up(&sample_parts(&sample).0, "Part 1"),
        start_up(NOTES_FRONT, "Chapter One"),
    ];
    let cases = [
        ("235k-word book", 0, 5),
        ("107k-word book with notes", 1, 6),
        ("the same, notes refer to pages", 2, 6),
        ("the same, twice as long", 3, 6),
        ("the same, without its notes", 4, 6),
    ];
    // In turn rather than one case after the other, so that the machine's drift
    // (its speed changes by a fifth within minutes) falls on every case alike.
    let mut times = vec![Vec::new(); texts.len()];
    for (k, text) in texts.iter().enumerate() {
        std::fs::write(dir.join(format!("book{k}.md")), text).unwrap();
    }
    for _ in 0..7 {
        for (k, t) in times.iter_mut().enumerate() {
            t.push(build(dir, &[&format!("book{k}.md"), "-o", "out"]));
        }
    }
    let medians: Vec<f64> = times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[t.len() / 2].as_secs_f64()
        })
        .collect();
    // µs a word of each case, whole and net of its start-up.
    let mut per_word = Vec::new();
    for (name, k, start) in cases {
        let (t, w) = (medians[k], words(&texts[k]));
        let net = (t - medians[start]) * 1e6 / (w - words(&texts[start])) as f64;
        let whole = t * 1e6 / w as f64;
        println!(
            "  {name:<32} {w:>7} words {t:>7.3} s {whole:>6.2} µs a word, {net:>5.2} net of {:.1} ms start-up",
            medians[start] * 1e3
        );
        per_word.push((whole, net));
    }
    // The notes book against the 235k-word book, and how much of the difference
    // is its text (the same book without its notes) and how much its notes.
    let pct = |a: f64, b: f64| (a / b - 1.0) * 100.0;
    let [book, notes, _, _, text] = per_word[..] else { unreachable!() };
    println!(
        "  the notes book against the 235k-word book: {:+.1} % a word whole, {:+.1} % net; \
         its text without the notes {:+.1} % net, its notes {:+.1} % net",
        pct(notes.0, book.0),
        pct(notes.1, book.1),
        pct(text.1, book.1),
        pct(notes.1, text.1),
    );

    println!(
        "notes: the 107k-word book's PDF with 1, 10, 100 and 1,000 times its notes, each \
         \"See 9.\" (medians of 3; one run of the last)"
    );
    let mut before: Option<(f64, usize)> = None;
    for per in [1, 10, 100, 1000] {
        let (text, notes) = notes_book(&seed, per, Form::Short, 1);
        std::fs::write(dir.join("notes.md"), &text).unwrap();
        let runs = if per < 1000 { 3 } else { 1 };
        let t =
            median(runs, || build(dir, &["notes.md", "--format", "pdf", "-o", "out"]));
        // The cost of one note over the step before: the same at every step when
        // the cost grows linearly with the notes.
        let each =
            before.map(|(t0, n0)| (t.as_secs_f64() - t0) * 1e6 / (notes - n0) as f64);
        before = Some((t.as_secs_f64(), notes));
        let each = each.map_or("".into(), |us| format!("{us:>6.1} µs a note more"));
        println!("  {notes:>7} notes {t:>9.2?} {each}");
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
