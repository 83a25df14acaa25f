//! The page builder (issue 10): nothing lost, nothing repeated, nothing stranded.
//! Tables and figures set like a book, notes inside notes, chapters on right-hand
//! pages, internal links, and each layout finding triggered once at its line. These
//! check the laid-out pages in-process; `tests/pdf.rs` runs the validators on files.

use std::path::{Path, PathBuf};
use std::process::Command;

use quire::diag::{Diagnostics, Severity, Source};
use quire::layout::units::{PT, Sp};
use quire::layout::{Fonts, Layout, LayoutOptions, Page, dump, layout};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lays out a manuscript on A5 (text pages only), with the figures it names read
/// from `dir`; the page builder's own books must balance.
fn lay_in(md: &str, dir: &Path) -> (Layout, Diagnostics) {
    let src = Source::new("t.md", md.to_string());
    let (doc, mut diags) = quire::load(&src);
    assert!(!diags.has_errors(), "{diags:?}");
    let mut opts = LayoutOptions::a5();
    quire::model::walk_blocks(&doc.blocks, &mut |b| {
        if let quire::model::Block::Figure { src, .. } = b {
            let info = quire::resources::inspect(&std::fs::read(dir.join(src)).unwrap());
            let info = info.unwrap();
            opts.images.insert(src.clone(), (info.width, info.height));
        }
    });
    let l = layout(&doc, &Fonts::new(), &opts, &mut diags);
    assert!(l.audit.is_empty(), "the page builder's books: {:?}", l.audit);
    (l, diags)
}

fn lay(md: &str) -> (Layout, Diagnostics) {
    lay_in(md, &root())
}

fn front(title: &str) -> String {
    format!("---\ntitle: {title}\nauthor: A. Writer\nlang: en\n---\n\n")
}

const SENTENCE: &str = "The Commune came too late and the power fell into the hands of the democratic praters, the deputies of Paris. ";

/// The text of a page's body (not its notes), line by line.
fn body_text(p: &Page) -> Vec<String> {
    p.lines.iter().take(p.body_lines).map(|pl| dump::line_text(&pl.line)).collect()
}

/// Diagnostics with a code, as `line:col`, in order.
fn at(diags: &Diagnostics, src: &str, code: &str) -> Vec<(usize, usize)> {
    let s = Source::new("t.md", src.to_string());
    diags
        .sorted()
        .into_iter()
        .filter(|d| d.code == code && d.severity == Severity::Warning)
        .map(|d| s.line_col(d.span.start))
        .collect()
}

#[test]
fn issue_10_a_table_cell_of_2500_words_takes_the_pages_its_words_need() {
    let long = SENTENCE.repeat(130);
    let as_table =
        format!("{}| Date | What happened |\n|---|---|\n| 1871 | {long} |\n", front("T"));
    let as_text = format!("{}{long}\n", front("T"));
    let (t, _) = lay(&as_table);
    let (p, _) = lay(&as_text);
    // Narrower column, smaller type: within a couple of pages of the paragraph.
    assert!(
        t.pages.len() <= p.pages.len() + 2,
        "table {} pages, text {} pages",
        t.pages.len(),
        p.pages.len()
    );
    // No near-empty page: every page but the last is at least three-quarters full.
    for page in &t.pages[..t.pages.len() - 1] {
        assert!(
            page.body_lines >= 25,
            "page {} has {} lines",
            page.number,
            page.body_lines
        );
    }
}

#[test]
fn issue_10_a_note_inside_a_note_is_printed_right_after_it_on_its_page() {
    let md = format!(
        "{}Text with a note.[^a] More text.\n\n[^a]: The first note; see also.[^b]\n[^b]: The note inside the note.\n",
        front("T")
    );
    let (l, _) = lay(&md);
    let p = &l.pages[0];
    let starts: Vec<u32> = p.note_starts.iter().map(|(n, _)| *n).collect();
    assert_eq!(starts, [1, 2], "both notes at the foot of the reference's page");
    let foot: Vec<String> =
        p.lines[p.body_lines..].iter().map(|pl| dump::line_text(&pl.line)).collect();
    assert!(foot[1].starts_with("2.\u{a0}The note inside the note"), "{foot:?}");
}

#[test]
fn issue_10_a_note_referred_to_twice_on_a_line_is_printed_once() {
    let md = format!("{}One[^a] and again[^a].\n\n[^a]: Once only.\n", front("T"));
    let (l, _) = lay(&md);
    let notes: usize = l.pages.iter().map(|p| p.note_starts.len()).sum();
    assert_eq!(notes, 1);
}

/// `quire new`'s manuscript, written by the binary.
fn new_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("p");
    let out =
        Command::new(env!("CARGO_BIN_EXE_quire")).arg("new").arg(&proj).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_dir(proj.join("manuscript"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .unwrap();
    (dir, md)
}

#[test]
fn issue_10_quire_news_table_stays_whole_and_aligned() {
    let (_dir, path) = new_project();
    let md = std::fs::read_to_string(&path).unwrap();
    let (l, _) = lay_in(&md, path.parent().unwrap());
    let cells: Vec<(usize, &quire::layout::Placed)> = l
        .pages
        .iter()
        .enumerate()
        .flat_map(|(k, p)| {
            p.lines.iter().filter(|pl| pl.cell.is_some()).map(move |pl| (k, pl))
        })
        .collect();
    assert_eq!(cells.len(), 6, "a header and two rows of two cells");
    assert!(cells.iter().all(|(k, _)| *k == cells[0].0), "the table on one page");
    // `-----:`: the year column is flush right, `:-----` the event column flush left.
    let edge = |col: u16, right: bool| -> Vec<Sp> {
        cells
            .iter()
            .filter(|(_, pl)| pl.cell.unwrap().col == col)
            .map(|(_, pl)| if right { pl.x + pl.line.width } else { pl.x })
            .collect()
    };
    let years = edge(0, true);
    assert!(years.iter().all(|e| (e - years[0]).abs() < PT / 100), "{years:?}");
    let events = edge(1, false);
    assert!(events.iter().all(|e| (e - events[0]).abs() < PT / 100), "{events:?}");
}

#[test]
fn issue_10_a_table_breaks_between_rows_and_repeats_its_header() {
    let md = std::fs::read_to_string(root().join("tests/golden_layout/table-break.md"))
        .unwrap();
    let (l, _) = lay(&md);
    let mut pages_with_rows = 0;
    for p in &l.pages {
        let cells: Vec<_> = p.lines.iter().filter_map(|pl| pl.cell).collect();
        if cells.is_empty() {
            continue;
        }
        pages_with_rows += 1;
        // Every page of the table starts with its header, and never holds the header
        // with fewer than two body rows.
        assert!(cells[0].header, "page {} starts the table without its header", p.number);
        let rows: std::collections::BTreeSet<u32> =
            cells.iter().filter(|c| !c.header).map(|c| c.row).collect();
        assert!(rows.len() >= 2, "page {}: {} body rows", p.number, rows.len());
    }
    assert!(pages_with_rows >= 2);
    // Only the first header is new text; the others are flagged as repeated.
    let heads: Vec<bool> = l
        .pages
        .iter()
        .flat_map(|p| &p.lines)
        .filter_map(|pl| pl.cell.filter(|c| c.header && c.col == 0).map(|c| c.repeated))
        .collect();
    assert_eq!(heads.first(), Some(&false));
    assert!(heads[1..].iter().all(|r| *r));
}

#[test]
fn issue_10_a_table_never_runs_past_the_measure() {
    let wide = "Supercalifragilisticexpialidocious-and-more ".repeat(3);
    let md = format!(
        "{}| A | B | C | D |\n|---|---|---|---|\n| {wide} | {wide} | {wide} | {wide} |\n",
        front("T")
    );
    let (l, _) = lay(&md);
    let g = l.geometry;
    for p in &l.pages {
        let left = g.left(p.number);
        for pl in &p.lines {
            let end =
                pl.line.runs.iter().map(|r| pl.x + r.x + r.width()).max().unwrap_or(pl.x);
            assert!(end <= left + g.measure() + PT / 100, "page {}", p.number);
        }
    }
}

#[test]
fn issue_10_a_figure_that_does_not_fit_heads_the_next_page_and_text_fills_the_gap() {
    let dir = root().join("tests/golden_layout");
    let md = std::fs::read_to_string(dir.join("figure-float.md")).unwrap();
    let (l, _) = lay_in(&md, &dir);
    let fig = l.pages.iter().position(|p| !p.images.is_empty()).unwrap();
    assert!(fig > 0);
    let image = &l.pages[fig].images[0];
    assert_eq!(image.y, l.geometry.top, "the figure heads its page");
    // The page before is full: the text after the figure filled it.
    let before = &l.pages[fig - 1];
    let last = before.lines[before.body_lines - 1].y;
    assert!(l.geometry.top + l.geometry.body_height() - last < 2 * l.geometry.leading);
    assert!(body_text(before).iter().any(|t| t.contains("The reason why Jules Favre")));
    // The caption sits under the image, on the same page.
    let caption = body_text(&l.pages[fig]);
    assert!(caption[0].starts_with("A plate too tall"), "{caption:?}");
    assert!(l.pages[fig].lines[0].y > image.y + image.h);
}

#[test]
fn issue_10_lists_nested_twenty_deep_keep_a_readable_measure() {
    let mut md = front("T");
    for depth in 0..20 {
        md.push_str(&"  ".repeat(depth));
        md.push_str(&format!("- Item at depth {depth}: {}\n", SENTENCE));
    }
    let (l, _) = lay(&md);
    let g = l.geometry;
    for p in &l.pages {
        for pl in p.lines.iter().take(p.body_lines) {
            // Where the line's measure starts (centred lines move within it).
            let indent = pl.x - pl.line.indent - g.left(p.number);
            assert!(indent <= g.measure() * 2 / 5, "page {}: indent {indent}", p.number);
        }
    }
}

#[test]
fn issue_10_a_chapter_opens_on_a_right_hand_page_even_while_notes_carry_over() {
    // A note long enough to run over several pages, referred to at the end of the
    // first chapter.
    let note = SENTENCE.repeat(60);
    let md = format!(
        "{}# One\n\n{}The end of the chapter.[^n]\n\n# Two\n\nThe second chapter.\n\n# Three\n\nThe third.\n\n[^n]: {note}\n",
        front("Book"),
        SENTENCE.repeat(20)
    );
    let (l, _) = lay(&md);
    for p in &l.pages {
        if p.marks.iter().any(|m| m.level == 1) {
            assert!(p.number % 2 == 1, "a chapter opens on page {}", p.number);
        }
        let empty = p.lines.is_empty() && p.images.is_empty();
        assert_eq!(
            empty,
            p.blank.is_some(),
            "page {}: empty only as a designed blank",
            p.number
        );
    }
    // Every line of the note is placed (the audit checks once; here, in order).
    let notes: Vec<usize> =
        l.pages.iter().map(|p| p.lines.len() - p.body_lines).collect();
    assert!(notes.iter().filter(|n| **n > 0).count() >= 3, "{notes:?}");
}

#[test]
fn issue_10_links_to_a_heading_go_to_its_page() {
    let md = format!(
        "{}# One\n\nSee [the second chapter](#two).\n\n# Two\n\nHere.\n",
        front("Book")
    );
    let src = Source::new("t.md", md);
    let (doc, mut diags) = quire::load(&src);
    let l = layout(&doc, &Fonts::new(), &LayoutOptions::a5(), &mut diags);
    let bytes = quire::backend::pdf::render(
        &l,
        &doc.meta,
        &Fonts::new(),
        &Default::default(),
        &quire::backend::pdf::PdfOptions { bleed: 0.0, modified: 0, crop_marks: false },
    )
    .unwrap();
    assert_eq!(
        bytes.conformance,
        quire::backend::pdf::Conformance::UaA2a,
        "the file is PDF/UA-1 + PDF/A-2a: {:?}",
        bytes.refused
    );
    let pdf = lopdf::Document::load_mem(&bytes.bytes).unwrap();
    let (mut goto, mut uri) = (0, 0);
    for (_, obj) in pdf.objects.iter() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Link") {
            continue;
        }
        let action = d.get(b"A").and_then(|a| a.as_dict()).ok();
        let go = action.and_then(|a| a.get(b"S").and_then(|s| s.as_name()).ok());
        if d.has(b"Dest") || go == Some(b"GoTo") {
            goto += 1;
        }
        if action.is_some_and(|a| a.has(b"URI")) {
            uri += 1;
        }
    }
    // One annotation for the link's words on their line, never a web address.
    assert_eq!((goto, uri), (1, 0));
}

#[test]
fn issue_10_short_page_is_reported_once_at_what_moved() {
    // One-line paragraphs fill the page until a heading of two lines, which must
    // keep two lines of its text, no longer fits: the page is left short.
    for n in 14..30 {
        let mut md = front("T");
        for _ in 0..n {
            md.push_str("A paragraph of one line.\n\n");
        }
        md.push_str("## The heading, long enough to be set on two lines of its own in this size\n\nFirst line of the text after the heading, which runs on to a second line and a third.\n");
        let (_, diags) = lay(&md);
        let found = at(&diags, &md, "short-page");
        if !found.is_empty() {
            let heading = md.lines().position(|l| l.starts_with("## ")).unwrap() + 1;
            assert_eq!(found, [(heading, 1)], "once, at the heading that moved");
            return;
        }
    }
    panic!("no page was left short");
}

#[test]
fn issue_10_note_moved_is_reported_for_each_note_that_cannot_begin_on_its_page() {
    // A page wide and low (210 × 140 mm): one line holds thirty marks, a page's foot
    // far fewer notes. (On A5 a line holds fewer marks than a page can begin
    // notes: marks wider than the measure break between two of them.)
    let marks: String = (1..=30).map(|n| format!("[^n{n}]")).collect();
    let defs: String = (1..=30).map(|n| format!("[^n{n}]: Note {n}.\n")).collect();
    let md = format!("{}Thirty notes at once.{marks}\n\n{defs}", front("T"));
    let src = Source::new("t.md", md.clone());
    let (doc, mut diags) = quire::load(&src);
    let mut opts = LayoutOptions::a5();
    opts.trim = quire::print::Trim::parse("210x140mm").unwrap();
    opts.style = opts.trim.page_style();
    let l = layout(&doc, &Fonts::new(), &opts, &mut diags);
    assert!(l.audit.is_empty(), "the page builder's books: {:?}", l.audit);
    let body: Vec<String> = l.pages.iter().flat_map(body_text).collect();
    assert!(body.iter().any(|t| t.ends_with("30")), "the marks on one line: {body:?}");
    let moved = at(&diags, &md, "note-moved");
    assert!(!moved.is_empty(), "some notes cannot begin on the page");
    assert!(moved.len() < 30);
    // Each reported once; every note still printed once.
    let notes: usize = l.pages.iter().map(|p| p.note_starts.len()).sum();
    assert_eq!(notes, 30);
    let mut sorted = moved.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), moved.len());
}

#[test]
fn issue_10_loose_line_is_reported_at_the_first_word_of_its_line() {
    // Unhyphenatable words (a number in them), a few to a line: the space between
    // them must stretch beyond what it may.
    let word = |k: usize| format!("abcdefghijklmnopqrst{k:02}");
    let words: Vec<String> = (0..8).map(word).collect();
    let md = format!("{}{}\n", front("T"), words.join(" "));
    let (l, diags) = lay(&md);
    let loose = at(&diags, &md, "loose-line");
    assert!(!loose.is_empty());
    let loose_lines: usize = l
        .pages
        .iter()
        .flat_map(|p| p.lines.iter().take(p.body_lines))
        .filter(|pl| !pl.line.last && pl.line.ratio > quire::layout::lines::LOOSE_RATIO)
        .count();
    assert_eq!(loose.len(), loose_lines, "one report per loose line");
    // Each at the first word of its line: the columns differ.
    let mut cols: Vec<usize> = loose.iter().map(|(_, c)| *c).collect();
    cols.dedup();
    assert_eq!(cols.len(), loose.len(), "{loose:?}");
}

#[test]
fn issue_10_broken_word_is_reported_once_per_word() {
    let long = "x".repeat(150);
    let md = format!("{}A {long} and {long}.\n", front("T"));
    let (_, diags) = lay(&md);
    let found = at(&diags, &md, "broken-word");
    let line = md.lines().count();
    assert_eq!(found, [(line, 3), (line, 3 + 150 + 5)], "at each word's start");
}

#[test]
fn issue_10_urls_break_only_after_their_separators() {
    let url = "https://example.org/1848/revolutions-across-europe/paris-vienna?year=1848&town=paris#the-barricades";
    let md = format!(
        "{}A web address, <{url}>, set in running text with words around it.\n",
        front("T")
    );
    let (l, diags) = lay(&md);
    assert!(at(&diags, &md, "broken-word").is_empty());
    for p in &l.pages {
        for pl in p.lines.iter().take(p.body_lines) {
            let t = dump::line_text(&pl.line);
            if let Some(end) = t.split_whitespace().last().filter(|w| url.contains(*w)) {
                let c = end.chars().last().unwrap();
                assert!(
                    "/-.?&=#".contains(c) || end.ends_with(','),
                    "a line ends in `{end}`"
                );
            }
        }
    }
}

#[test]
fn issue_10_a_figure_caption_reaches_every_edition() {
    let dir = root().join("tests/golden_layout");
    let md = std::fs::read_to_string(dir.join("figure-float.md")).unwrap();
    let src = Source::new("t.md", md);
    let (doc, _) = quire::load(&src);
    let txt = quire::backend::text::render(&doc, &Default::default());
    assert!(txt.contains("[Figure: A plate too tall"), "{txt}");
    let mut x = String::new();
    quire::model::walk_blocks(&doc.blocks, &mut |b| {
        if let quire::model::Block::Figure { title, alt, .. } = b {
            x = format!("{alt} | {}", title.clone().unwrap_or_default());
        }
    });
    assert!(x.starts_with("A gradient from black to white | A plate too tall"), "{x}");
}

/// A widow is not made and no page is left short for it: a paragraph is set a line
/// longer (sending two lines over) or a line shorter (taking its last line back),
/// and the page it is on ends on the last line of the grid.
#[test]
fn issue_17_a_widow_is_fixed_by_a_paragraph_a_line_longer_or_shorter() {
    let dir = root().join("tests/golden_layout");
    for (case, by) in [("widow-longer", 1), ("widow-shorter", -1)] {
        let md = std::fs::read_to_string(dir.join(format!("{case}.md"))).unwrap();
        let (l, diags) = lay(&md);
        assert!(at(&diags, &md, "short-page").is_empty(), "{case}");
        let reset: Vec<(usize, i32)> = l
            .pages
            .iter()
            .enumerate()
            .flat_map(|(k, p)| p.findings.iter().map(move |f| (k, f)))
            .filter_map(|(k, f)| match f {
                quire::layout::Finding::Reset { by, .. } => Some((k, *by)),
                _ => None,
            })
            .collect();
        assert_eq!(reset.len(), 1, "{case}: {reset:?}");
        let (k, got) = reset[0];
        assert_eq!(got, by, "{case}");
        // The page it fills ends on the grid's last line; the next page does not
        // begin with a paragraph's last line.
        let g = &l.geometry;
        let foot = g.top + g.grid_height() - g.leading + g.size;
        let page = &l.pages[k];
        assert_eq!(page.lines[page.body_lines - 1].y, foot, "{case}");
        let next = &l.pages[k + 1];
        assert!(next.body_lines >= 2, "{case}: a widow on page {}", k + 2);
    }
}

/// Every spread ends level: the last lines of its two pages stand on one baseline —
/// the grid's last, or a line below it when the spread runs long, or as many lines
/// above it on both pages. Headings and verse leave room that is no whole number of
/// lines, which the spaces between blocks must take up, or the page is set again.
#[test]
fn issue_17_every_spread_ends_level_among_headings_and_verse() {
    let mut md = front("Level spreads");
    let words: Vec<&str> = SENTENCE.split_whitespace().collect();
    for k in 0..160usize {
        if k % 11 == 5 {
            md.push_str(&format!("## Part {k}\n\n"));
        }
        if k % 7 == 3 {
            for v in 0..(2 + k % 4) {
                md.push_str(&format!(
                    "| {} line {v},\n",
                    words[..3 + (k + v) % 5].join(" ")
                ));
            }
            md.push('\n');
        }
        // Paragraphs of one to nine lines.
        let n = 1 + (k * 37) % 90;
        let para: Vec<&str> = (0..n).map(|j| words[(j + k) % words.len()]).collect();
        md.push_str(&format!("{}.\n\n", para.join(" ")));
    }
    let (l, _) = lay(&md);
    let last_y = |p: &Page| p.lines[..p.body_lines].last().map(|pl| pl.y);
    // The text runs on over every page but the last, which ends it.
    let text: Vec<&Page> = l.pages.iter().filter(|p| p.body_lines > 0).collect();
    assert!(text.len() > 20, "{} pages", text.len());
    let spreads = text[..text.len() - 1].windows(2).map(|w| (w[0], w[1]));
    let unlevel: Vec<_> = spreads
        .filter(|(a, b)| a.number % 2 == 0 && b.number == a.number + 1)
        .filter(|(a, b)| last_y(a) != last_y(b))
        .map(|(a, b)| (a.number, last_y(a), last_y(b)))
        .collect();
    assert!(unlevel.is_empty(), "unlevel spreads: {unlevel:?}");
}

#[test]
fn a_note_split_at_the_foot_of_a_right_hand_page_does_not_end_there_in_a_hyphen() {
    // A reader carries a word broken at the foot of a right-hand page over the turn
    // of the leaf; the body's lines never end such a page in a hyphen, nor may a
    // note's. Texts of many lengths before a long note, so that the note splits at
    // many points: some splits fall on a recto, some at a hyphenated line.
    let note = "Notwithstanding the extraordinarily comprehensive administrative \
                reorganisation, the revolutionary municipality's unquestionably \
                characteristic determination, counterrevolutionary interference and \
                internationalist understanding notwithstanding, the representatives \
                deliberated incomprehensibly, unconstitutionally and indefatigably. "
        .repeat(6);
    let (mut recto_splits, mut hyphen_ends) = (0, 0);
    for k in 20..60 {
        let md = format!(
            "{}{}A sentence with a note.[^n]\n\n{}\n\n[^n]: {note}\n",
            front("T"),
            SENTENCE.repeat(k),
            SENTENCE.repeat(8)
        );
        let (l, _) = lay(&md);
        for p in &l.pages {
            let Some(last) = p.lines.iter().skip(p.body_lines).last() else { continue };
            let recto = p.number % 2 == 1;
            if recto && !last.line.last {
                recto_splits += 1;
                if last.line.hyphenated {
                    hyphen_ends += 1;
                }
            }
        }
    }
    assert!(recto_splits > 5, "the texts split the note on right-hand pages");
    assert_eq!(hyphen_ends, 0, "{hyphen_ends} of {recto_splits} splits end in a hyphen");
}
