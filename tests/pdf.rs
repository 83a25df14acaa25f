//! The print PDF: properties of the layout (in-process) and the validators on the
//! written file (qpdf, poppler's pdffonts, pdfinfo and pdftotext, and
//! tools/wordspacing.py). A missing validator skips its test loudly on a developer
//! machine and fails it under `CI=true`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use quire::diag::{Diagnostics, Source};
use quire::layout::units::PT;
use quire::layout::{Fonts, Layout, LayoutOptions, layout};

mod common;
use common::{have, in_order, pdftotext, root, words};

fn lay(md: &str) -> (Layout, Diagnostics) {
    let src = Source::new("t.md", md.to_string());
    let (doc, mut diags) = quire::load(&src);
    assert!(!diags.has_errors(), "{diags:?}");
    let l = layout(&doc, &Fonts::new(), &LayoutOptions::a5(), &mut diags);
    assert!(l.audit.is_empty(), "the page builder's books: {:?}", l.audit);
    (l, diags)
}

fn sample() -> String {
    std::fs::read_to_string(root().join("manuscript/lessons-of-the-paris-commune.md"))
        .unwrap()
}

/// Page (0-based) of each note's first reference, and of its start.
fn note_pages(l: &Layout) -> (BTreeMap<u32, usize>, BTreeMap<u32, usize>) {
    let mut refs = BTreeMap::new();
    let mut starts = BTreeMap::new();
    for (pi, p) in l.pages.iter().enumerate() {
        for (n, _) in &p.note_starts {
            starts.entry(*n).or_insert(pi);
        }
        for pl in &p.lines {
            for r in &pl.line.runs {
                if let Some(n) = r.frag.note_anchor {
                    refs.entry(n.get()).or_insert(pi);
                }
            }
        }
    }
    (refs, starts)
}

/// How far a set line's first and last characters may hang into the margins
/// (optical margin alignment): their protrusion, as the layout allows it.
fn hang(line: &quire::layout::lines::Line) -> (i64, i64) {
    use quire::layout::items::protrusion;
    let side = |run: Option<&quire::layout::lines::Run>, last: bool| {
        run.map_or(0, |r| {
            let f = &r.frag;
            let (c, adv) = if last {
                (f.text.chars().next_back(), f.advances().last())
            } else {
                (f.text.chars().next(), f.advances().next())
            };
            c.zip(adv).map_or(0, |(c, a)| {
                let (l, rt) = protrusion(c);
                a * i64::from(if last { rt } else { l }) / 1000
            })
        })
    };
    (side(line.runs.first(), false), side(line.runs.last(), true))
}

#[test]
fn no_line_runs_past_the_measure_but_by_its_hanging_punctuation_and_most_end_flush() {
    let (l, _) = lay(&sample());
    let g = l.geometry;
    let (mut body, mut flush, mut hung) = (0, 0, 0);
    for p in &l.pages {
        let left = g.left(p.number);
        for pl in &p.lines {
            let (hl, hr) = hang(&pl.line);
            let end =
                pl.line.runs.iter().map(|r| pl.x + r.x + r.width()).max().unwrap_or(pl.x);
            let start = pl.line.runs.iter().map(|r| pl.x + r.x).min().unwrap_or(pl.x);
            assert!(
                end <= left + g.measure() + hr + PT / 100,
                "page {}: a line ends {} sp past the measure",
                p.number,
                end - left - g.measure()
            );
            assert!(
                start >= left - hl - PT / 100,
                "page {}: a line starts early",
                p.number
            );
        }
        for pl in p.lines.iter().take(p.body_lines) {
            body += 1;
            let (_, hr) = hang(&pl.line);
            if (pl.line.width - g.measure() - hr).abs() < PT / 10 {
                flush += 1;
                hung += usize::from(hr > 0);
            }
        }
    }
    let pct = flush as f64 * 100.0 / body as f64;
    eprintln!("{flush} of {body} body lines flush ({pct:.1} %), {hung} of them hanging");
    assert!(pct >= 75.0, "{pct:.1} %");
    // Punctuation and hyphens do hang: 84 of the sample's flush lines end with a
    // character that hangs.
    assert!(hung >= 60, "{hung} lines hang their last character");
}

#[test]
fn no_widows_no_orphans() {
    let (l, _) = lay(&sample());
    for w in l.pages.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let (Some(last), Some(first)) =
            (a.lines.get(a.body_lines.wrapping_sub(1)), b.lines.first())
        else {
            continue;
        };
        // An orphan: a paragraph's first line alone at the foot of a page.
        assert!(
            !last.line.first || last.line.last,
            "orphan at the foot of page {}",
            a.number
        );
        // A widow: a paragraph's last line alone at the head of the next page.
        assert!(
            !first.line.last || first.line.first,
            "widow at the head of page {}",
            b.number
        );
    }
}

#[test]
fn ten_notes_defined_at_the_end_each_begin_on_their_references_page() {
    let md =
        std::fs::read_to_string(root().join("tests/golden/notes/ten-notes-chapters.md"))
            .unwrap();
    let (l, _) = lay(&md);
    let (refs, starts) = note_pages(&l);
    assert_eq!(refs.len(), 10);
    assert_eq!(refs, starts);
}

#[test]
fn sixty_notes_on_a_pages_worth_of_text_all_appear() {
    let mut md = String::from("---\ntitle: Sixty\n---\n\n");
    let words = "the Commune shows us the heroism of the working masses and their capacity to unite";
    for n in 1..=60 {
        md.push_str(&format!("{} {n}[^n{n}] ", &words[..(n * 7) % 40 + 20]));
    }
    md.push_str("\n\n");
    for n in 1..=60 {
        let long = if n % 7 == 0 {
            " It runs on for a while, long enough to need a second line and perhaps a third one too."
        } else {
            ""
        };
        md.push_str(&format!("[^n{n}]: Note number {n}.{long}\n"));
    }
    let (l, _) = lay(&md);
    let (refs, starts) = note_pages(&l);
    assert_eq!(refs.len(), 60);
    assert_eq!(refs, starts, "every note begins on its reference's page");
    // Every line of every note is somewhere.
    let note_lines: usize = l.pages.iter().map(|p| p.lines.len() - p.body_lines).sum();
    assert!(note_lines >= 60);
}

#[test]
fn a_long_note_continues_on_the_next_page() {
    let mut md = String::from("---\ntitle: Long note\n---\n\n");
    for _ in 0..6 {
        md.push_str("The Commune shows us the heroism of the working masses, their capacity to unite into a single bloc, their talent to sacrifice themselves in the name of the future. ");
    }
    md.push_str("Here is the reference.[^long]\n\n");
    for _ in 0..12 {
        md.push_str("But the power fell into the hands of the democratic praters, the deputies of Paris, and the proletariat had neither a party nor leaders to whom it was bound.\n\n");
    }
    md.push_str("[^long]: ");
    for _ in 0..30 {
        md.push_str("A very long note goes on and on about the events of the spring of 1871 in Paris. ");
    }
    md.push('\n');
    let (l, _) = lay(&md);
    let (refs, starts) = note_pages(&l);
    assert_eq!(refs, starts);
    let p = refs[&1];
    assert!(
        l.pages[p + 1].lines.len() > l.pages[p + 1].body_lines,
        "the note continues overleaf"
    );
}

// --- validators -------------------------------------------------------------------

/// The sample's PDF, built once with the real binary.
fn sample_pdf() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_quire"))
            .current_dir(root())
            .args(["build", "--format", "pdf", "-o"])
            .arg(d.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        d
    });
    Box::leak(dir.path().join("lessons-of-the-paris-commune.pdf").into_boxed_path())
}

fn run(tool: &str, args: &[&str], pdf: &Path) -> String {
    let o = Command::new(tool).args(args).arg(pdf).output().unwrap();
    assert!(o.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_pdf_is_pdf_a_2b() {
    let bytes = std::fs::read(sample_pdf()).unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"<pdfaid:part>2</pdfaid:part>"), "PDF/A identification in the XMP");
    assert!(has(b"GTS_PDFA1"), "PDF/A output intent");
}

#[test]
fn qpdf_check_is_clean() {
    if !have("qpdf") {
        return;
    }
    let out = run("qpdf", &["--check"], sample_pdf());
    assert!(out.contains("No syntax or stream encoding errors found"), "{out}");
}

#[test]
fn fonts_are_embedded_subset_and_mapped() {
    if !have("pdffonts") {
        return;
    }
    let out = run("pdffonts", &[], sample_pdf());
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert!(!rows.is_empty());
    for r in rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{r}");
        assert!(cols[0].as_bytes()[6] == b'+', "subset tag: {r}");
    }
}

#[test]
fn trim_and_bleed_boxes_are_right() {
    if !have("pdfinfo") {
        return;
    }
    let out = run("pdfinfo", &["-box"], sample_pdf());
    let bx = |name: &str| -> Vec<f64> {
        let l = out
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {out}"));
        l.split_whitespace().skip(1).map(|v| v.parse().unwrap()).collect()
    };
    let (media, bleed, trim) = (bx("MediaBox:"), bx("BleedBox:"), bx("TrimBox:"));
    assert!(
        (trim[2] - trim[0] - 419.53).abs() < 0.02
            && (trim[3] - trim[1] - 595.28).abs() < 0.02,
        "{trim:?}"
    );
    // 3 mm bleed on every side.
    assert!(
        (trim[0] - media[0] - 8.50).abs() < 0.02
            && (media[2] - trim[2] - 8.50).abs() < 0.02,
        "{media:?} {trim:?}"
    );
    assert_eq!(bleed, media);
    assert!(out.contains("Title:           Lessons of the Paris Commune"));
}

#[test]
fn pdftotext_gives_back_the_seeds_words_in_order() {
    if !have("pdftotext") {
        return;
    }
    let got = words(&pdftotext(sample_pdf()));
    let seed = words(
        &std::fs::read_to_string(
            root().join("tests/fixtures/lessons-of-the-paris-commune.seed.txt"),
        )
        .unwrap(),
    );
    // Covers, colophon, running heads and folios pass between them.
    let found = in_order(&seed, &got);
    let pct = found as f64 * 100.0 / seed.len() as f64;
    eprintln!("{found} of {} seed words in order ({pct:.2} %)", seed.len());
    assert!(pct >= 99.5, "{pct:.2} %");
}

#[test]
fn word_spacing_meets_the_standard() {
    if !have("pdftotext") {
        return;
    }
    let o = Command::new("python3")
        .arg(root().join("tools/wordspacing.py"))
        .arg(sample_pdf())
        .args(["--max-p95", "1.25", "--max-loose-pct", "0", "--max-hyphen-run", "2"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{out}");
    assert!(o.status.success(), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
}

/// Font expansion: the justified lines' glyphs are drawn scaled horizontally, never
/// by more than 2 %; `pdf: {expansion: false}` draws every glyph at its width.
#[test]
fn justified_lines_are_expanded_within_two_percent_unless_turned_off() {
    let scales = common::horizontal_scales(sample_pdf());
    assert!(scales.len() > 100, "{} expanded lines", scales.len());
    assert!(scales.iter().all(|s| (0.98 - 1e-4..=1.02 + 1e-4).contains(s)), "{scales:?}");
    assert!(scales.iter().any(|&s| s < 1.0) && scales.iter().any(|&s| s > 1.0));
    let dir = tempfile::tempdir().unwrap();
    // Without its cover image, which lives beside the sample.
    let text: String = sample()
        .lines()
        .filter(|l| !l.starts_with("cover:"))
        .fold(String::new(), |t, l| t + l + "\n");
    let text = text.replacen("---\n", "---\npdf: {expansion: false}\n", 1);
    assert!(text.contains("expansion: false"));
    std::fs::write(dir.path().join("plain.md"), text).unwrap();
    let o =
        common::quire(dir.path(), &["build", "--format", "pdf", "plain.md", "-o", "out"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plain = common::horizontal_scales(&dir.path().join("out/plain.pdf"));
    assert_eq!(plain, Vec::<f32>::new());
}

/// tools/pages.py on the sample: no widow and no orphan, every page full and every
/// spread level (paragraphs set a line longer or shorter fill what keeping lines
/// together would leave short).
#[test]
fn the_page_tool_finds_the_sample_full_level_and_without_widow_or_orphan() {
    if !have("pdftotext") {
        return;
    }
    let r = pages_report(sample_pdf(), 3);
    assert_eq!(r["widows"], serde_json::json!([]));
    assert_eq!(r["orphans"], serde_json::json!([]));
    assert_eq!(r["leading_pt"], 15.0);
    assert_eq!(r["short_mid_chapter"], serde_json::json!([]), "{r}");
    assert_eq!(r["unlevel_spreads"], serde_json::json!([]), "{r}");
}

/// tools/pages.py finds the page the layout reports short, and it ends higher in
/// the layout than a full page: one-line paragraphs, which no looseness changes,
/// then a heading of two lines that must keep two lines of its text (and more
/// one-line paragraphs, three pages of them).
#[test]
fn the_page_tool_finds_the_short_page_the_layout_reports() {
    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for n in 14..30 {
        let mut md = String::from("---\ntitle: T\nauthor: A. Writer\nlang: en\n---\n\n");
        md.push_str(&"A paragraph of one line.\n\n".repeat(n));
        md.push_str("## The heading, long enough to be set on two lines of its own in this size\n\n");
        md.push_str("First line of the text after the heading, which runs on to a second line and a third.\n\n");
        // Full pages after it, for the tool to know where a full page ends.
        md.push_str(&"A paragraph of one line.\n\n".repeat(80));
        std::fs::write(dir.path().join("t.md"), &md).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_quire"))
            .current_dir(dir.path())
            .args(["build", "t.md", "--format", "pdf", "-o", "out"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        // The pamphlet's text starts on its third page, after the cover and the
        // colophon; pages are named by their printed numbers.
        if !err.contains("warning[short-page]: page 3 ") {
            continue;
        }
        let r = pages_report(&dir.path().join("out/t.pdf"), 3);
        assert_eq!(r["short_mid_chapter"], serde_json::json!([3]), "{r}");
        let (l, _) = lay(&md);
        let full = l.pages.iter().filter_map(last_baseline).max().unwrap();
        assert!(last_baseline(&l.pages[0]).unwrap() < full - PT * 7 * 3);
        return;
    }
    panic!("no page was left short");
}

/// tools/pages.py's report on a PDF, from its page `first`.
fn pages_report(pdf: &Path, first: u32) -> serde_json::Value {
    let o = Command::new("python3")
        .arg(root().join("tools/pages.py"))
        .arg(pdf)
        .args(["--first", &first.to_string(), "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The lowest baseline of a page's lines (body and notes).
fn last_baseline(p: &quire::layout::Page) -> Option<i64> {
    p.lines.iter().map(|pl| pl.y).max()
}

#[test]
fn two_long_notes_in_a_row_keep_their_order_and_pages() {
    let s = "The Commune shows us the heroism of the working masses";
    let mut md = String::from("---\ntitle: Two long notes\n---\n\n");
    for i in 0..60 {
        md.push_str(s);
        md.push_str(". ");
        if i == 10 {
            md.push_str("First.[^a] ");
        }
        if i == 14 {
            md.push_str("Second.[^b] ");
        }
        if i % 5 == 4 {
            md.push_str("\n\n");
        }
    }
    for label in ["a", "b"] {
        md.push_str(&format!("\n\n[^{label}]: "));
        for _ in 0..90 {
            md.push_str(s);
            md.push_str(". ");
        }
    }
    let (l, _) = lay(&md);
    let (refs, starts) = note_pages(&l);
    assert_eq!(refs.len(), 2);
    assert_eq!(refs, starts, "each note begins on its reference's page");
    // Every line of both notes is set, in order: note 1's before note 2's.
    let order: Vec<u32> =
        l.pages.iter().flat_map(|p| p.note_starts.iter().map(|(n, _)| *n)).collect();
    assert_eq!(order, [1, 2]);
}

/// A hyphen at the foot of a right-hand page would carry a word over the turn of
/// the leaf; at the foot of a left-hand page the reader sees its end across the
/// spread, so it may stand there.
#[test]
fn no_right_hand_page_ends_with_a_hyphen() {
    let (l, _) = lay(&sample());
    for p in l.pages.iter().filter(|p| p.number % 2 == 1) {
        if let Some(last) = p.lines.get(p.body_lines.wrapping_sub(1)) {
            assert!(!last.line.hyphenated, "page {} ends with a hyphen", p.number);
        }
    }
}

/// A very long single paragraph is set (the speed figure for 50,000 words is in
/// benches/pdf.rs), every line inside the measure.
#[test]
fn a_very_long_paragraph_is_set_within_the_measure() {
    let seed = std::fs::read_to_string(
        root().join("tests/fixtures/lessons-of-the-paris-commune.seed.txt"),
    )
    .unwrap();
    let words: Vec<&str> = seed.split_whitespace().collect();
    let para: Vec<&str> = (0..20_000).map(|i| words[i % words.len()]).collect();
    let (l, _) = lay(&format!("---\ntitle: One paragraph\n---\n\n{}\n", para.join(" ")));
    let g = l.geometry;
    let lines: usize = l.pages.iter().map(|p| p.body_lines).sum();
    assert!(lines > 1500, "{lines}");
    for p in &l.pages {
        for pl in &p.lines {
            let end =
                pl.line.runs.iter().map(|r| pl.x + r.x + r.width()).max().unwrap_or(pl.x);
            let (_, hr) = hang(&pl.line);
            assert!(end <= g.left(p.number) + g.measure() + hr + PT / 100);
        }
    }
}

#[test]
fn issue_10_pdftotext_reads_joined_words_whole_and_note_marks_apart() {
    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let md = "---\ntitle: Words\n---\n\nThe years 1862\u{2060}–\u{2060}64 were hard for society.[^1] More words follow in a line set justified, long enough to run over to a second line of the page.\n\n[^1]: A note.\n";
    std::fs::write(dir.path().join("w.md"), md).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(dir.path())
        .args(["build", "w.md", "--format", "pdf", "-o", "."])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(dir.path().join("w.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let text = text.replace(['\u{2060}', '-'], "");
    assert!(text.contains("1862–64"), "joined by word joiners: {text}");
    assert!(text.contains("society. 1"), "the note mark is not part of its word: {text}");
}

/// The numbers between the glyphs of the sample's text objects are in steps of a
/// quarter of a thousandth of the em (a line's letter-spacing and the rounding of
/// its scaled points once gave every one of them seven decimals), so the page
/// streams are short and compress well. Checked in krilla's own output: its
/// arithmetic is what the advances are chosen for.
#[test]
fn tj_adjustments_are_in_quarter_thousandths() {
    let doc = lopdf::Document::load(sample_pdf()).unwrap();
    let (mut steps, mut all) = (0usize, 0usize);
    for (_, page) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page).unwrap();
        for op in content.operations.iter().filter(|op| op.operator == "TJ") {
            let Some(Ok(items)) = op.operands.first().map(|o| o.as_array()) else {
                continue;
            };
            for n in items.iter().filter_map(|o| o.as_float().ok()) {
                all += 1;
                steps += usize::from((n * 4.0).fract() == 0.0);
            }
        }
    }
    assert!(all > 5000, "{all} adjustments");
    assert!(steps * 100 >= all * 95, "{steps} of {all} adjustments are in steps");
}
