//! Conservation — nothing lost, nothing repeated: every word of a manuscript appears in
//! every edition (the plain text, the EPUB and the print layout) exactly as often as
//! the manuscript holds it, and the words of the body (tables included) come in the
//! manuscript's order in each. Notes are placed differently by each edition, so only
//! their words' counts are compared.
//!
//! Manuscripts are generated from a vocabulary no edition's furniture can produce:
//! lowercase words of 4–12 letters starting with `q`, then a letter naming where the
//! word stands (`qb…` body, `qt…` table cells, `qn…` notes), then consonant–vowel pairs
//! (some vowels accented, some words written decomposed). Every word starting with `q`
//! is counted, so "Notes", "Image", note and list numbers, the title and link addresses
//! (`https://example.org/…`) never interfere, while a word cut in two shows up as a
//! missing word and a surplus fragment. The generator mixes paragraphs (with soft and
//! hard line breaks, punctuation that gets smartened), 40–80-letter words, URLs
//! (autolinks, `[text](url)`, links showing their own address), headings `#` to `###`,
//! emphasis, notes (several paragraphs; some referred to twice; some referred to only
//! from another note), block quotes, lists nested four deep, verse, pipe tables (some
//! cells of hundreds of words), figures (a 4 × 3 PNG given to the EPUB and its size to
//! the layout; their alternative text is not counted: no edition shows it as text) and
//! section breaks.
//!
//! How each edition's words are read, in reading order (a word is a maximal run of
//! alphanumeric characters after Unicode NFC):
//! - text: `text::render` with the default options, as it is;
//! - EPUB: the `<body>` of every spine document but the cover page (the navigation
//!   document is not in the spine), every tag read as a space (the generator never puts
//!   markup inside a word), the XML entities decoded;
//! - print: the page model of `layout::layout` with `LayoutOptions::a5()` (text pages
//!   only), body lines then note lines, each line read as `layout::dump::line_text`
//!   does, with note marks and runs not wholly on the page read as spaces. A word
//!   hyphenated at a line end, or broken between letters there (a word too wide for
//!   the measure: `Line::broken`), is joined to the first word of the next line of the
//!   same stream: the body, a table cell (`Placed::cell`; a header repeated on a later
//!   page is not new text), or one note (continued overleaf). Empty lines are
//!   skipped.
//!
//! Run: `cargo test --test conservation` (about 30 s in the debug profile on two
//! cores). The long version: `QUIRE_CONSERVATION_CASES=5000 cargo test --test
//! conservation` (about 4 min; `--release` makes it quicker). A failure is shrunk for
//! at most a minute and reported with its manuscript; its seed is kept in
//! `tests/conservation.proptest-regressions` and tried first on the next run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{Cursor, Read as _};

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use quire::backend::epub::{self, EpubOptions, Image, Resources};
use quire::backend::text::{self, TextOptions};
use quire::diag::{Diagnostics, Source, Span};
use quire::layout::lines::{Line, Run};
use quire::layout::units::{PT, Sp};
use quire::layout::{Fonts, Layout, LayoutOptions, layout};
use quire::model::Document;
use unicode_normalization::UnicodeNormalization as _;

/// Generated cases per run unless `QUIRE_CONSERVATION_CASES` says otherwise.
const DEFAULT_CASES: u32 = 600;

// ---------------------------------------------------------------------------------
// Words of the editions.

/// The words of a text: maximal runs of alphanumeric characters after NFC, with the
/// invisible characters (soft hyphens, word joiners) a reader never sees left out.
fn words(s: &str) -> Vec<String> {
    let nfc: String = s.nfc().filter(|c| !matches!(c, '\u{ad}' | '\u{2060}')).collect();
    nfc.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Whether a word is one the generator writes (and so one this test counts).
fn counted(w: &str) -> bool {
    w.starts_with('q')
}

/// The words of the text edition (default options, as the CLI builds it).
fn text_words(doc: &Document) -> Vec<String> {
    words(&text::render(doc, &TextOptions::default()))
}

/// A 4 × 3 PNG: the bytes given to the EPUB for every image (and the cover).
fn tiny_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbImage::new(4, 3)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG encodes");
    png
}

/// The EPUB's resources: a tiny cover (so no typographic cover is drawn) and a tiny
/// PNG for each image path.
fn resources(images: &[String]) -> Resources {
    let png = tiny_png();
    let info = quire::resources::inspect(&png).expect("the PNG is readable");
    let img = Image { bytes: png, info };
    Resources {
        cover: Some(img.clone()),
        images: images.iter().map(|p| (p.clone(), img.clone())).collect(),
        fonts: Default::default(),
    }
}

/// The words of the EPUB: the text of every content document in spine order, except
/// the cover page (the navigation document is not in the spine).
fn epub_words(doc: &Document, images: &[String]) -> Vec<String> {
    let opts = EpubOptions { modified: 0, embed_fonts: false, pages: Vec::new() };
    let bytes = epub::render(doc, &resources(images), &opts).expect("the EPUB renders");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("the EPUB is a zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_string(&mut s)
            .expect("UTF-8");
        s
    };
    let opf = read("EPUB/package.opf");
    let hrefs: BTreeMap<&str, &str> = tags(&opf, "item")
        .into_iter()
        .map(|t| (attr(t, "id"), attr(t, "href")))
        .collect();
    let mut out = Vec::new();
    for t in tags(&opf, "itemref") {
        let href = hrefs[attr(t, "idref")];
        if href == "cover.xhtml" || href == "nav.xhtml" {
            continue;
        }
        out.extend(words(&xhtml_text(&read(&format!("EPUB/{href}")))));
    }
    out
}

/// The start tags named `name` in an XML text (each without its `<` and `>`).
fn tags<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    xml.match_indices(&open)
        .map(|(i, _)| {
            let rest = &xml[i + 1..];
            &rest[..rest.find('>').expect("a closed tag")]
        })
        .collect()
}

/// The value of attribute `name` in a start tag (the package uses double quotes).
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let at = tag.find(&key).unwrap_or_else(|| panic!("no {name} in <{tag}>")) + key.len();
    &tag[at..at + tag[at..].find('"').expect("a closed attribute")]
}

/// The text of an XHTML document's `<body>`: every tag a space, the XML entities
/// (`&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and numeric references) decoded.
fn xhtml_text(x: &str) -> String {
    let body = &x[x.find("<body").expect("a body")..];
    let body = &body[..body.rfind("</body>").expect("a closed body")];
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest.find('>').expect("a closed tag");
                out.push(' ');
                rest = &rest[end + 1..];
            }
            '&' => {
                let end = rest.find(';').expect("a closed entity");
                let name = &rest[1..end];
                let decoded = match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => {
                        match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"))
                        {
                            Some(hex) => u32::from_str_radix(hex, 16).ok(),
                            None => name.strip_prefix('#').and_then(|d| d.parse().ok()),
                        }
                        .and_then(char::from_u32)
                    }
                };
                out.push(decoded.unwrap_or_else(|| panic!("unknown entity &{name};")));
                rest = &rest[end + 1..];
            }
            _ => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// One line of one stream of the print edition, and whether its last word goes on.
struct Seg<'a> {
    /// The line's left edge and baseline on its page.
    x: Sp,
    y: Sp,
    line: &'a Line,
}

/// A line's text as `layout::dump::line_text` reads it (a space wherever two runs do
/// not touch), with note marks read as spaces and an added hyphen left out; a run not
/// wholly on the page (`trim`: its width and height) is read as a space, since no
/// reader sees it.
fn seg_text(seg: &Seg, trim: (Sp, Sp)) -> String {
    let runs = &seg.line.runs;
    let runs = if seg.line.hyphenated { &runs[..runs.len() - 1] } else { &runs[..] };
    let on_page = |r: &Run| {
        let left = seg.x + r.x;
        left >= 0 && left + r.width() <= trim.0 && seg.y > 0 && seg.y <= trim.1
    };
    let mut s = String::new();
    let mut end = None;
    for r in runs {
        if r.frag.is_note_mark() || !on_page(r) {
            s.push(' ');
        } else {
            if end.is_some_and(|e| r.x > e + PT / 2) {
                s.push(' ');
            }
            s.push_str(&r.frag.text);
        }
        end = Some(r.x + r.width());
    }
    s
}

/// The text of a stream of lines: a line whose last word goes on — hyphenated, or
/// broken between letters because the word is too wide for the measure — is joined
/// to the next line with nothing between; other lines end in a space.
fn stream_text(segs: &[Seg], trim: (Sp, Sp)) -> String {
    let mut s = String::new();
    for seg in segs {
        s.push_str(&seg_text(seg, trim));
        if !(seg.line.hyphenated || seg.line.broken) {
            s.push(' ');
        }
    }
    s
}

/// Whether span `inner` lies within `outer` (an empty default span lies nowhere).
fn within(inner: Span, outer: Span) -> bool {
    inner != Span::default() && outer.start <= inner.start && inner.end <= outer.end
}

/// A table cell: (table, row, column), in reading order.
type CellId = (u32, u32, u16);

/// Appends the lines of the table cells read so far, row by row.
fn flush<'a>(table: &mut BTreeMap<CellId, Vec<Seg<'a>>>, body: &mut Vec<Seg<'a>>) {
    for (_, segs) in std::mem::take(table) {
        body.extend(segs);
    }
}

/// The print edition's words: the body stream (table cells read cell by cell, a
/// header repeated on a later page left out), then each note's stream in number
/// order.
fn pdf_words(layout: &Layout, doc: &Document) -> Vec<String> {
    let mut body: Vec<Seg> = Vec::new();
    let mut table: BTreeMap<CellId, Vec<Seg>> = BTreeMap::new();
    let mut notes: BTreeMap<u32, Vec<Seg>> = BTreeMap::new();
    let mut note = None;
    for page in &layout.pages {
        for pl in &page.lines[..page.body_lines] {
            let seg = Seg { x: pl.x, y: pl.y, line: &pl.line };
            match pl.cell {
                _ if pl.line.runs.is_empty() => {}
                Some(c) if c.repeated => {}
                Some(c) => table.entry((c.table, c.row, c.col)).or_default().push(seg),
                None => {
                    flush(&mut table, &mut body);
                    body.push(seg);
                }
            }
        }
        for pl in
            page.lines[page.body_lines..].iter().filter(|pl| !pl.line.runs.is_empty())
        {
            // The note a line belongs to: the one whose definition holds its text.
            let of = pl.line.runs.iter().find_map(|r| {
                doc.notes.iter().find(|n| within(r.frag.span, n.span)).map(|n| n.number)
            });
            note = of.or(note);
            let n = note.expect("a note line belongs to a note");
            notes.entry(n).or_default().push(Seg { x: pl.x, y: pl.y, line: &pl.line });
        }
    }
    flush(&mut table, &mut body);
    let trim = (layout.geometry.width, layout.geometry.height);
    let mut out = words(&stream_text(&body, trim));
    for segs in notes.values() {
        out.extend(words(&stream_text(segs, trim)));
    }
    out
}

/// Lays out the print edition: A5, the text pages alone, each image 4 × 3 pixels.
fn lay(doc: &Document, fonts: &Fonts, images: &[String]) -> Layout {
    let mut opts = LayoutOptions::a5();
    opts.images = images.iter().map(|p| (p.clone(), (4, 3))).collect();
    let mut diags = Diagnostics::new();
    layout(doc, fonts, &opts, &mut diags)
}

// ---------------------------------------------------------------------------------
// The property.

/// A manuscript and what it holds.
#[derive(Clone)]
struct Manuscript {
    /// The Markdown.
    text: String,
    /// Every counted word of its visible text, in manuscript order (notes last).
    expected: Vec<String>,
    /// The image paths it names.
    images: Vec<String>,
}

impl fmt::Debug for Manuscript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "manuscript:\n{}", self.text)
    }
}

/// Counts of the counted words of a sequence.
fn counts(ws: &[String]) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for w in ws.iter().filter(|w| counted(w)) {
        *m.entry(w.as_str()).or_insert(0) += 1;
    }
    m
}

/// The first word whose count differs (in manuscript order, then surplus words), with
/// its expected and actual counts and how many words differ.
fn count_mismatch(expected: &[String], got: &[String]) -> Option<String> {
    let (e, g) = (counts(expected), counts(got));
    let differing: Vec<&str> = expected
        .iter()
        .map(String::as_str)
        .chain(got.iter().map(String::as_str))
        .filter(|w| counted(w))
        .filter(|w| e.get(w) != g.get(w))
        .collect::<Vec<_>>();
    let first = differing.first()?;
    let distinct: BTreeSet<&str> = differing.iter().copied().collect();
    Some(format!(
        "`{first}` is in the manuscript {} time(s) but in the edition {} time(s) \
         ({} word(s) differ: {:?})",
        e.get(first).copied().unwrap_or(0),
        g.get(first).copied().unwrap_or(0),
        distinct.len(),
        distinct.iter().take(8).collect::<Vec<_>>()
    ))
}

/// Whether a word belongs to the body or a table (not a note).
fn in_body(w: &str) -> bool {
    w.starts_with("qb") || w.starts_with("qt")
}

/// Where the body's words first come in another order.
fn order_mismatch(expected: &[String], got: &[String]) -> Option<String> {
    let e: Vec<&String> = expected.iter().filter(|w| in_body(w)).collect();
    let g: Vec<&String> = got.iter().filter(|w| in_body(w)).collect();
    let at = (0..e.len().max(g.len())).find(|&i| e.get(i) != g.get(i))?;
    fn around<'a>(v: &[&'a String], at: usize) -> Vec<&'a String> {
        v[at.saturating_sub(2).min(v.len())..(at + 3).min(v.len())].to_vec()
    }
    Some(format!(
        "body word {at} differs: the manuscript has {:?}, the edition {:?}",
        around(&e, at),
        around(&g, at)
    ))
}

/// Builds every edition of a manuscript and compares their words with the
/// manuscript's: an error names each difference, with the manuscript.
fn check(m: &Manuscript, fonts: &Fonts) -> Result<(), String> {
    let src = Source::new("conservation.md", m.text.clone());
    let (doc, diags) = quire::load(&src);
    if diags.has_errors() {
        return Err(format!("the manuscript does not load: {diags:?}\n{m:?}"));
    }
    let editions = [
        ("text", text_words(&doc)),
        ("EPUB", epub_words(&doc, &m.images)),
        ("PDF", pdf_words(&lay(&doc, fonts, &m.images), &doc)),
    ];
    let mut problems = Vec::new();
    for (name, got) in &editions {
        match count_mismatch(&m.expected, got) {
            Some(p) => problems.push(format!("{name}: {p}")),
            None => {
                if let Some(p) = order_mismatch(&m.expected, got) {
                    problems.push(format!("{name}: {p}"));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{m:?}", problems.join("\n")))
    }
}

thread_local! {
    /// The fonts, loaded once per thread (their shaping cache is kept across cases).
    static FONTS: Fonts = Fonts::new();
}

/// `QUIRE_CONSERVATION_CASES`, or [`DEFAULT_CASES`].
fn cases() -> u32 {
    std::env::var("QUIRE_CONSERVATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_time: 60_000,
        // proptest's default looks for a lib.rs beside the test, which an
        // integration test has not: name the file (cargo runs tests from the
        // package's root).
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/conservation.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    })]

    /// Every word of a generated manuscript is in each edition as often as in the
    /// manuscript, and the body's words come in the manuscript's order.
    #[test]
    fn every_word_reaches_every_edition_exactly_as_often(m in manuscript()) {
        FONTS.with(|f| check(&m, f)).map_err(TestCaseError::fail)?;
    }
}

// ---------------------------------------------------------------------------------
// The generator.

/// Where a word stands; its letter follows the `q` of every word there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Body,
    Table,
    Note,
}

impl Class {
    fn letter(self) -> char {
        match self {
            Class::Body => 'b',
            Class::Table => 't',
            Class::Note => 'n',
        }
    }
}

/// An inline item of the plan (word numbers index the vocabulary of their class).
#[derive(Debug, Clone)]
enum Inl {
    Word(u8),
    /// The same word, written decomposed (NFD).
    Nfd(u8),
    /// Punctuation after the previous word.
    Punct(u8),
    /// Words in straight double quotes (smartened).
    Quoted(Vec<u8>),
    /// A 40–80-letter word (the letters after `q` and the class letter).
    Long(String),
    Em(Vec<u8>),
    Strong(Vec<u8>),
    /// `<https://www.example.org/…>` with these words in its path and query.
    Auto(Vec<u8>),
    /// `[words](https://example.org/…)`: an address with no counted word.
    Link(Vec<u8>),
    /// `[url](url)`: a link showing its own address, made of these words.
    SelfLink(Vec<u8>),
    /// A reference to a note (by index, modulo the notes).
    Note(u8),
    /// A line break in the source (a space), where the block allows one.
    Soft,
    /// A hard line break (`\` at the end of a source line), where the block allows one.
    Hard,
    /// Words in an inline HTML element (`<b>`, `<i>`, `<span>`, `<code>` …, or a
    /// `<br>` after them).
    Tag(u8, Vec<u8>),
    /// Two words joined by a hyphen.
    Compound(u8, u8),
    /// A word with soft hyphens in it.
    Shy(u8),
}

/// A list; each item a paragraph and perhaps a nested list.
#[derive(Debug, Clone)]
struct List {
    ordered: bool,
    loose: bool,
    items: Vec<(Vec<Inl>, Option<List>)>,
}

/// A block of the plan.
#[derive(Debug, Clone)]
enum Blk {
    Para(Vec<Inl>),
    Heading(u8, Vec<Inl>),
    Quote(Vec<Blk>),
    List(List),
    Verse(Vec<Vec<Vec<Inl>>>),
    /// Rows of cells, the first row the header.
    Table(Vec<Vec<Vec<Inl>>>),
    Figure(u8),
    Break,
    /// A block of raw HTML holding words (`<div class="aside">…</div>`, `<p>`,
    /// `<blockquote>`, a list, a table), by kind.
    Html(u8, Vec<u8>),
    /// A code block: lines of words, some indented with tabs or spaces.
    Code(Vec<(u8, Vec<u8>)>),
    /// An HTML comment alone (before the first heading, it must not make a chapter).
    Comment,
}

/// A note: its paragraphs, and perhaps a note referred to only from it.
#[derive(Debug, Clone)]
struct NoteSpec {
    paras: Vec<Vec<Inl>>,
    sub: Option<Vec<Inl>>,
}

/// A whole manuscript, before it is written.
#[derive(Debug, Clone)]
struct Plan {
    /// The words of each class (without `q` and the class letter).
    vocab: [Vec<String>; 3],
    blocks: Vec<Blk>,
    notes: Vec<NoteSpec>,
}

fn inl() -> impl Strategy<Value = Inl> {
    let ids = || prop::collection::vec(any::<u8>(), 1..4);
    prop_oneof![
        24 => any::<u8>().prop_map(Inl::Word),
        1 => any::<u8>().prop_map(Inl::Nfd),
        4 => any::<u8>().prop_map(Inl::Punct),
        1 => ids().prop_map(Inl::Quoted),
        2 => "([b-df-hj-np-tv-z][aeiou]){19,39}".prop_map(Inl::Long),
        1 => ids().prop_map(Inl::Em),
        1 => ids().prop_map(Inl::Strong),
        1 => prop::collection::vec(any::<u8>(), 1..7).prop_map(Inl::Auto),
        1 => ids().prop_map(Inl::Link),
        1 => ids().prop_map(Inl::SelfLink),
        1 => any::<u8>().prop_map(Inl::Note),
        2 => Just(Inl::Soft),
        1 => Just(Inl::Hard),
        1 => (any::<u8>(), ids()).prop_map(|(t, w)| Inl::Tag(t, w)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Inl::Compound(a, b)),
        1 => any::<u8>().prop_map(Inl::Shy),
    ]
}

fn text(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Inl>> {
    prop::collection::vec(inl(), len)
}

fn list(depth: u32) -> BoxedStrategy<List> {
    let sub = if depth == 0 {
        Just(None).boxed()
    } else {
        prop::option::weighted(0.3, list(depth - 1)).boxed()
    };
    let item = (text(1..16), sub);
    (any::<bool>(), prop::bool::weighted(0.3), prop::collection::vec(item, 1..5))
        .prop_map(|(ordered, loose, items)| List { ordered, loose, items })
        .boxed()
}

fn cell() -> impl Strategy<Value = Vec<Inl>> {
    prop_oneof![8 => text(1..8), 1 => text(100..400)]
}

fn block() -> impl Strategy<Value = Blk> {
    let para = |n: usize| text(1..n).prop_map(Blk::Para);
    let quoted = prop_oneof![
        3 => para(40),
        1 => list(1).prop_map(Blk::List),
        1 => prop::collection::vec(para(20), 1..3).prop_map(Blk::Quote),
    ];
    prop_oneof![
        8 => para(60),
        2 => (1u8..=3, text(1..8)).prop_map(|(l, t)| Blk::Heading(l, t)),
        2 => prop::collection::vec(quoted, 1..4).prop_map(Blk::Quote),
        3 => list(3).prop_map(Blk::List),
        1 => prop::collection::vec(prop::collection::vec(text(1..12), 1..5), 1..4)
            .prop_map(Blk::Verse),
        2 => (1usize..4, 1usize..5)
            .prop_flat_map(|(cols, rows)| {
                prop::collection::vec(prop::collection::vec(cell(), cols), rows + 1)
            })
            .prop_map(Blk::Table),
        1 => (1u8..4).prop_map(Blk::Figure),
        1 => Just(Blk::Break),
        1 => (any::<u8>(), prop::collection::vec(any::<u8>(), 2..8))
            .prop_map(|(k, w)| Blk::Html(k, w)),
        1 => prop::collection::vec(
            (any::<u8>(), prop::collection::vec(any::<u8>(), 0..9)),
            1..8
        )
        .prop_map(Blk::Code),
        1 => Just(Blk::Comment),
    ]
}

fn vocab() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set("([b-df-hj-np-tv-z][aeiouéü]){1,5}", 1..24)
        .prop_map(|s| s.into_iter().collect())
}

fn note() -> impl Strategy<Value = NoteSpec> {
    (prop::collection::vec(text(1..30), 1..3), prop::option::weighted(0.3, text(1..20)))
        .prop_map(|(paras, sub)| NoteSpec { paras, sub })
}

fn manuscript() -> impl Strategy<Value = Manuscript> {
    (
        [vocab(), vocab(), vocab()],
        prop::collection::vec(block(), 1..12),
        prop::collection::vec(note(), 0..5),
    )
        .prop_map(|(vocab, blocks, notes)| Plan { vocab, blocks, notes }.write())
}

/// Punctuation written after a word (`...` and `--` are smartened).
const PUNCT: &[&str] = &[",", ".", ";", ":", "?", "...", " --", " ---"];

/// Writes a plan as Markdown, recording the words it holds.
struct Writer<'p> {
    plan: &'p Plan,
    expected: Vec<String>,
    /// Notes referred to from the body, by index.
    referenced: BTreeSet<usize>,
    images: BTreeSet<String>,
}

impl Plan {
    /// The manuscript: front matter, the blocks, then the definitions of the notes the
    /// text refers to (and of the notes those refer to).
    fn write(&self) -> Manuscript {
        let mut w = Writer {
            plan: self,
            expected: Vec::new(),
            referenced: BTreeSet::new(),
            images: BTreeSet::new(),
        };
        let mut parts = vec!["---\ntitle: Conservation\n---".to_string()];
        for b in &self.blocks {
            parts.push(w.block(b).join("\n"));
        }
        for k in w.referenced.clone() {
            parts.extend(w.note(k));
        }
        Manuscript {
            text: parts.join("\n\n") + "\n",
            expected: w.expected,
            images: w.images.into_iter().collect(),
        }
    }
}

impl Writer<'_> {
    /// Word `id` of a class, recorded.
    fn word(&mut self, class: Class, id: u8) -> String {
        let v = &self.plan.vocab[class as usize];
        let w = format!("q{}{}", class.letter(), v[id as usize % v.len()]);
        self.expected.push(w.clone());
        w
    }

    fn words(&mut self, class: Class, ids: &[u8], sep: &str) -> String {
        ids.iter().map(|&i| self.word(class, i)).collect::<Vec<_>>().join(sep)
    }

    /// Inline items as source lines (one unless `soft` allows line breaks). A line
    /// never starts with markup other than emphasis or quotes, two wide items (long
    /// words, URLs) never stand side by side, and the text is never empty: a word is
    /// put in where needed.
    fn inlines(
        &mut self,
        items: &[Inl],
        class: Class,
        soft: bool,
        refs: bool,
    ) -> Vec<String> {
        let mut lines = vec![String::new()];
        let mut prev_wide = false;
        for it in items {
            let cur = lines.last_mut().expect("a line");
            match it {
                Inl::Soft | Inl::Hard => {
                    if soft && !cur.is_empty() {
                        if matches!(it, Inl::Hard) {
                            cur.push('\\');
                        }
                        lines.push(String::new());
                    }
                }
                Inl::Punct(p) => {
                    if cur
                        .ends_with(|c: char| c.is_alphanumeric() || "]*>)\"".contains(c))
                    {
                        cur.push_str(PUNCT[*p as usize % PUNCT.len()]);
                    }
                }
                Inl::Note(k) => {
                    if !refs || self.plan.notes.is_empty() {
                        continue;
                    }
                    if cur.is_empty() {
                        let w = self.word(class, *k);
                        cur.push_str(&w);
                    }
                    let k = *k as usize % self.plan.notes.len();
                    self.referenced.insert(k);
                    cur.push_str(&format!("[^n{k}]"));
                    prev_wide = false;
                }
                _ => {
                    let wide =
                        matches!(it, Inl::Long(_) | Inl::Auto(_) | Inl::SelfLink(_));
                    let plain_start = matches!(
                        it,
                        Inl::Word(_)
                            | Inl::Nfd(_)
                            | Inl::Em(_)
                            | Inl::Strong(_)
                            | Inl::Compound(..)
                            | Inl::Shy(_)
                    );
                    let mut s = String::new();
                    if (wide && prev_wide) || (cur.is_empty() && !plain_start) {
                        s.push_str(&self.word(class, 0));
                        s.push(' ');
                    }
                    s.push_str(&self.item(it, class));
                    let cur = lines.last_mut().expect("a line");
                    if !cur.is_empty() {
                        cur.push(' ');
                    }
                    cur.push_str(&s);
                    prev_wide = wide;
                }
            }
        }
        lines.retain(|l| !l.is_empty());
        if lines.is_empty() {
            lines.push(self.word(class, 0));
        }
        lines
    }

    /// One word-like item.
    fn item(&mut self, it: &Inl, class: Class) -> String {
        match it {
            Inl::Word(id) => self.word(class, *id),
            Inl::Nfd(id) => self.word(class, *id).nfd().collect(),
            Inl::Quoted(ids) => format!("\"{}\"", self.words(class, ids, " ")),
            Inl::Long(stem) => {
                let w = format!("q{}{stem}", class.letter());
                self.expected.push(w.clone());
                w
            }
            Inl::Em(ids) => format!("*{}*", self.words(class, ids, " ")),
            Inl::Strong(ids) => format!("**{}**", self.words(class, ids, " ")),
            Inl::Auto(ids) => {
                const SEPS: &[&str] = &["/", "-", "/", "?id=", "&p=", "."];
                let mut url = String::from("https://www.example.org/");
                for (k, &id) in ids.iter().enumerate() {
                    if k > 0 {
                        url.push_str(SEPS[(k - 1) % SEPS.len()]);
                    }
                    url.push_str(&self.word(class, id));
                }
                format!("<{url}>")
            }
            Inl::Link(ids) => {
                let n: usize = ids.iter().map(|&i| i as usize).sum();
                let text = self.words(class, ids, " ");
                format!("[{text}](https://example.org/archive/1871/{n}/commune-{n}.html)")
            }
            Inl::SelfLink(ids) => {
                let url = format!("https://example.org/{}", self.words(class, ids, "/"));
                format!("[{url}]({url})")
            }
            Inl::Tag(t, ids) => {
                const TAGS: &[&str] =
                    &["b", "i", "em", "strong", "span", "code", "sup", "u"];
                let tag = TAGS[*t as usize % TAGS.len()];
                let br = if t % 5 == 0 { "<br>" } else { "" };
                format!("<{tag}>{}</{tag}>{br}", self.words(class, ids, " "))
            }
            Inl::Compound(a, b) => {
                format!("{}-{}", self.word(class, *a), self.word(class, *b))
            }
            Inl::Shy(id) => {
                // Soft hyphens between the letter pairs after the prefix.
                let w = self.word(class, *id);
                let (head, tail) = w.split_at(2);
                let mut s = head.to_string();
                for (k, c) in tail.chars().enumerate() {
                    if k > 0 && k % 2 == 0 {
                        s.push('\u{ad}');
                    }
                    s.push(c);
                }
                s
            }
            Inl::Punct(_) | Inl::Note(_) | Inl::Soft | Inl::Hard => {
                unreachable!("not a word")
            }
        }
    }

    fn block(&mut self, b: &Blk) -> Vec<String> {
        match b {
            Blk::Para(t) => self.inlines(t, Class::Body, true, true),
            Blk::Heading(level, t) => {
                let text = self.inlines(t, Class::Body, false, true).join(" ");
                vec![format!("{} {text}", "#".repeat(*level as usize))]
            }
            Blk::Quote(blocks) => {
                let mut out = Vec::new();
                for (i, b) in blocks.iter().enumerate() {
                    if i > 0 {
                        out.push(String::new());
                    }
                    out.extend(self.block(b));
                }
                out.iter()
                    .map(
                        |l| if l.is_empty() { ">".to_string() } else { format!("> {l}") },
                    )
                    .collect()
            }
            Blk::List(l) => self.list(l),
            Blk::Verse(stanzas) => {
                let mut out = vec!["<div class=\"verse\">".to_string(), String::new()];
                for (i, stanza) in stanzas.iter().enumerate() {
                    if i > 0 {
                        out.push(String::new());
                    }
                    for line in stanza {
                        out.push(self.inlines(line, Class::Body, false, true).join(" "));
                    }
                }
                out.extend([String::new(), "</div>".to_string()]);
                out
            }
            Blk::Table(rows) => {
                let mut out = Vec::new();
                for (r, row) in rows.iter().enumerate() {
                    let cells: Vec<String> = row
                        .iter()
                        .map(|c| self.inlines(c, Class::Table, false, true).join(" "))
                        .collect();
                    out.push(format!("| {} |", cells.join(" | ")));
                    if r == 0 {
                        out.push(format!("|{}", " --- |".repeat(row.len())));
                    }
                }
                out
            }
            Blk::Figure(n) => {
                let path = format!("images/fig{n}.png");
                self.images.insert(path.clone());
                vec![format!("![figure {n}]({path})")]
            }
            Blk::Break => vec!["* * *".to_string()],
            Blk::Comment => vec!["<!-- a comment no edition shows -->".to_string()],
            Blk::Html(kind, ids) => {
                let (a, b) = ids.split_at(ids.len() / 2);
                let (a, b) =
                    (self.words(Class::Body, a, " "), self.words(Class::Body, b, " "));
                vec![match kind % 5 {
                    0 => format!("<div class=\"aside\">{a} <b>{b}</b></div>"),
                    1 => format!("<p>{a}<br>{b}</p>"),
                    2 => format!("<blockquote><p>{a}</p><p>{b}</p></blockquote>"),
                    3 => format!("<ul><li>{a}</li><li>{b}</li></ul>"),
                    _ => format!(
                        "<table><tr><th>{a}</th></tr><tr><td>{b}</td></tr></table>"
                    ),
                }]
            }
            Blk::Code(lines) => {
                let mut out = vec!["```".to_string()];
                for (indent, ids) in lines {
                    let lead = match indent % 4 {
                        0 => "",
                        1 => "\t",
                        2 => "    ",
                        _ => "\t\t",
                    };
                    out.push(format!("{lead}{}", self.words(Class::Body, ids, " \t ")));
                }
                out.push("```".to_string());
                out
            }
        }
    }

    fn list(&mut self, l: &List) -> Vec<String> {
        let mut out = Vec::new();
        for (i, (text, sub)) in l.items.iter().enumerate() {
            if i > 0 && l.loose {
                out.push(String::new());
            }
            let marker =
                if l.ordered { format!("{}. ", i + 1) } else { "- ".to_string() };
            let pad = " ".repeat(marker.len());
            let mut body = self.inlines(text, Class::Body, true, true);
            if let Some(sub) = sub {
                body.extend(self.list(sub));
            }
            for (k, line) in body.iter().enumerate() {
                out.push(if k == 0 {
                    format!("{marker}{line}")
                } else if line.is_empty() {
                    String::new()
                } else {
                    format!("{pad}{line}")
                });
            }
        }
        out
    }

    /// The definition of note `k` (and of the note referred to only from it).
    fn note(&mut self, k: usize) -> Vec<String> {
        let spec = &self.plan.notes[k];
        let mut out = Vec::new();
        let mut def = Vec::new();
        for (p, para) in spec.paras.iter().enumerate() {
            let mut lines = self.inlines(para, Class::Note, true, false);
            if p == 0 && spec.sub.is_some() {
                lines.last_mut().expect("a line").push_str(&format!(" see[^s{k}]"));
            }
            if p > 0 {
                def.push(String::new());
            }
            for (i, l) in lines.into_iter().enumerate() {
                def.push(if p == 0 && i == 0 {
                    format!("[^n{k}]: {l}")
                } else {
                    format!("    {l}")
                });
            }
        }
        out.push(def.join("\n"));
        if let Some(sub) = &spec.sub {
            let lines = self.inlines(sub, Class::Note, false, false);
            out.push(format!("[^s{k}]: {}", lines.join(" ")));
        }
        out
    }
}

// ---------------------------------------------------------------------------------
// Fixed cases: the shapes known to be hard, and the smallest manuscripts of the
// failures the property found.

/// A plan whose three vocabularies are the same 200 words.
fn plan(blocks: Vec<Blk>, notes: Vec<NoteSpec>) -> Plan {
    const C: &[u8] = b"bcdfghjklmnprstvwxz";
    const V: &[u8] = b"aeiou";
    let syll = |mut k: usize| {
        let mut s = String::new();
        loop {
            s.push(C[k % C.len()] as char);
            s.push(V[(k / C.len()) % V.len()] as char);
            k /= C.len() * V.len();
            if k == 0 {
                return s;
            }
        }
    };
    let v: Vec<String> =
        (0..200).map(|i| format!("{}{}", syll(i), syll(i * 7 + 3))).collect();
    Plan { vocab: [v.clone(), v.clone(), v], blocks, notes }
}

/// `n` words, cycling through the vocabulary.
fn many_words(n: usize) -> Vec<Inl> {
    (0..n).map(|i| Inl::Word((i * 37 % 251) as u8)).collect()
}

/// Writes a plan and checks it, panicking with the differences.
fn check_fixed(p: &Plan) {
    let m = p.write();
    if let Err(e) = FONTS.with(|f| check(&m, f)) {
        panic!("{e}");
    }
}

/// The number of print pages of a plan.
fn pages(p: &Plan) -> usize {
    let m = p.write();
    let (doc, _) = quire::load(&Source::new("pages.md", m.text));
    FONTS.with(|f| lay(&doc, f, &m.images).pages.len())
}

/// A one-column table whose body cell holds a 2,500-word paragraph (one column, so
/// the cell has the whole measure, as the same words set as paragraphs would).
fn long_cell_table() -> Blk {
    Blk::Table(vec![vec![vec![Inl::Word(1)]], vec![many_words(2_500)]])
}

#[test]
fn a_table_cell_of_2500_words_keeps_every_word() {
    check_fixed(&plan(vec![long_cell_table()], vec![]));
}

#[test]
fn a_table_cell_of_2500_words_takes_about_the_pages_of_its_words() {
    let table = pages(&plan(vec![long_cell_table()], vec![]));
    let words = many_words(2_500);
    let paras = words.chunks(100).map(|c| Blk::Para(c.to_vec())).collect();
    let plain = pages(&plan(paras, vec![]));
    assert!(
        table <= plain + 2,
        "the table takes {table} pages, its words as paragraphs {plain}"
    );
}

#[test]
fn a_note_referred_to_only_from_another_note_reaches_every_edition() {
    let body =
        vec![Blk::Para(vec![Inl::Word(1), Inl::Word(2), Inl::Note(0), Inl::Word(3)])];
    let notes = vec![NoteSpec {
        paras: vec![vec![Inl::Word(4), Inl::Word(5)]],
        sub: Some(vec![Inl::Word(6), Inl::Word(7), Inl::Word(8)]),
    }];
    let p = plan(body, notes);
    let m = p.write();
    let (doc, _) = quire::load(&Source::new("n.md", m.text.clone()));
    let got = FONTS.with(|f| pdf_words(&lay(&doc, f, &m.images), &doc));
    let b: Vec<String> =
        [6, 7, 8].iter().map(|&i| format!("qn{}", p.vocab[2][i])).collect();
    assert!(
        b.iter().all(|w| got.contains(w)),
        "note b's words {b:?} are not in the PDF {got:?}\n{m:?}"
    );
    check_fixed(&p);
}

/// Found as well: from about 18 levels the measure is gone and each letter is set on a
/// line of its own; from about 21 the lines start past the trim's right edge.
#[test]
fn a_list_nested_twenty_levels_keeps_every_word() {
    let mut l =
        List { ordered: false, loose: false, items: vec![(many_words(30), None)] };
    for depth in 0..19 {
        l = List {
            ordered: depth % 3 == 0,
            loose: false,
            items: vec![(many_words(12), Some(l)), (many_words(5), None)],
        };
    }
    check_fixed(&plan(vec![Blk::List(l)], vec![]));
}

/// Found by the property: the PDF prints a note twice at the foot of the page when one
/// line refers to it twice (`qbaa[^a] qbee[^a]`).
#[test]
fn a_note_referred_to_twice_on_one_line_is_printed_once() {
    let body =
        vec![Blk::Para(vec![Inl::Word(1), Inl::Note(0), Inl::Word(2), Inl::Note(0)])];
    let notes = vec![NoteSpec { paras: vec![vec![Inl::Word(3)]], sub: None }];
    check_fixed(&plan(body, notes));
}

/// Found by the property: the text edition cuts a word longer than its 72 columns (or
/// than what indentation leaves) at the measure, with no mark, so the word is lost to
/// a reader and to a search.
#[test]
fn a_word_wider_than_the_text_width_is_not_cut() {
    let long = "ba".repeat(38);
    check_fixed(&plan(vec![Blk::Para(vec![Inl::Word(1), Inl::Long(long)])], vec![]));
}
