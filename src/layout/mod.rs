//! The print layout: the model → pages of positioned lines.
//!
//! Input: a resolved [`Document`], the [`Fonts`], and [`LayoutOptions`] (trim, margins,
//! type). Output: [`Layout`] — pages whose lines, rules and images have positions in
//! scaled points from the trim's top-left corner, plus layout findings as diagnostics.
//! The recipe:
//!
//! 1. `galley`: every block → a vertical list of lines and spaces, each paragraph
//!    through `items` (boxes, glue, penalties) → `linebreak` (Knuth–Plass) →
//!    `lines` (positions); notes laid out the same way at note size.
//! 2. `paginate`: the vertical list → pages, with footnotes at the foot of the page
//!    of their reference, no widows, no orphans, headings kept with their text, and
//!    chapters opening on right-hand pages.
//!
//! The PDF backend only draws what this decides; `dump` prints it as text for the
//! golden tests.

pub mod covers;
pub mod dump;
pub mod fonts;
pub mod front;
pub mod galley;
mod gap;
pub mod items;
pub mod linebreak;
pub mod lines;
pub mod paginate;
pub mod structure;
pub mod style;
pub mod table;
pub mod units;
pub mod wrap;

use std::collections::BTreeMap;

pub use fonts::Fonts;
use lines::Line;
use units::{Sp, pt};

use crate::diag::{Diagnostics, Span};
use crate::model::Document;
use crate::print::{PageStyle, Trim};

/// How the pages are made.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutOptions {
    /// The finished page.
    pub trim: Trim,
    /// Margins and type size.
    pub style: PageStyle,
    /// Pixel sizes of the images the manuscript names, by path as written.
    pub images: BTreeMap<String, (u32, u32)>,
    /// Pamphlet (self-cover) or book (title page); `None`: the text pages alone, a
    /// book's with its title page.
    pub kind: Option<Makeup>,
    /// Bleed, in points (the cover image runs into it).
    pub bleed: f64,
    /// Pixel size of the cover image, if the manuscript gives one.
    pub cover: Option<(u32, u32)>,
    /// The deepest heading level a book's printed contents lists (1: chapters).
    pub toc_depth: u8,
    /// Optical margin alignment: punctuation and hyphens hang into the margins of
    /// justified text (`pdf: {protrusion: false}` turns it off).
    pub protrusion: bool,
    /// Font expansion: a justified line's glyphs widen or narrow by up to 2 %
    /// (`pdf: {expansion: false}` turns it off).
    pub expansion: bool,
}

/// How the print edition is made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Makeup {
    /// A self-cover pamphlet: front cover, inside cover with the colophon, the text,
    /// blanks to a multiple of four, back cover.
    Pamphlet,
    /// A book: a title page, chapters on right-hand pages.
    Book,
}

impl Makeup {
    /// `pdf: {layout: …}` or, by default, a book when the manuscript has chapters.
    pub fn for_document(doc: &Document, setting: Option<&str>) -> Result<Makeup, String> {
        match setting {
            Some("pamphlet") => Ok(Makeup::Pamphlet),
            Some("book") => Ok(Makeup::Book),
            Some(other) => {
                Err(format!("`{other}` is not a layout: use pamphlet or book"))
            }
            None if doc.chapters.iter().any(|c| c.has_heading) => Ok(Makeup::Book),
            None => Ok(Makeup::Pamphlet),
        }
    }
}

impl LayoutOptions {
    /// A5 with its classic margins (17/20/28/34 mm inner, top, outer, bottom) and
    /// 11.5/15 pt: about 66 characters a line, Bringhurst's ideal measure.
    pub fn a5() -> Self {
        let trim = Trim::parse("a5").expect("a5 is a preset");
        let style = trim.page_style();
        LayoutOptions {
            trim,
            style,
            images: BTreeMap::new(),
            kind: None,
            bleed: 0.0,
            cover: None,
            toc_depth: 1,
            protrusion: true,
            expansion: true,
        }
    }
}

/// The page's frame, in scaled points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Trim width.
    pub width: Sp,
    /// Trim height.
    pub height: Sp,
    /// Spine-side margin.
    pub inner: Sp,
    /// Top margin.
    pub top: Sp,
    /// Fore-edge margin.
    pub outer: Sp,
    /// Bottom margin.
    pub bottom: Sp,
    /// Body type size.
    pub size: Sp,
    /// Body leading.
    pub leading: Sp,
    /// Bound on the right (a right-to-left language): odd pages are left-hand.
    pub rtl: bool,
}

impl Geometry {
    /// From options.
    pub fn new(o: &LayoutOptions) -> Self {
        Geometry {
            width: pt(o.trim.width),
            height: pt(o.trim.height),
            inner: pt(o.style.inner),
            top: pt(o.style.top),
            outer: pt(o.style.outer),
            bottom: pt(o.style.bottom),
            size: pt(o.style.font_size),
            leading: pt(o.style.leading),
            rtl: false,
        }
    }

    /// The width of the text block.
    pub fn measure(&self) -> Sp {
        self.width - self.inner - self.outer
    }

    /// The height of the text block.
    pub fn body_height(&self) -> Sp {
        self.height - self.top - self.bottom
    }

    /// The part of the text block whole lines fill: its height rounded down to the
    /// leading. Pages are filled to it, so that every full page, with notes or
    /// without, ends on the same baseline and facing pages stand level.
    pub fn grid_height(&self) -> Sp {
        self.body_height() / self.leading.max(1) * self.leading.max(1)
    }

    /// The text block's left edge on page `number` (1-based): recto (odd) pages
    /// have the spine on their left, or, in a book bound on the right, on their
    /// right.
    pub fn left(&self, number: usize) -> Sp {
        if (number % 2 == 1) != self.rtl { self.inner } else { self.outer }
    }
}

/// A line placed on a page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placed {
    /// Left edge of the line, from the trim's left edge.
    pub x: Sp,
    /// Baseline, from the trim's top edge.
    pub y: Sp,
    /// The line.
    pub line: Line,
    /// The table cell the line belongs to, if any.
    pub cell: Option<Cell>,
}

impl Placed {
    /// A line at a position.
    pub fn new(x: Sp, y: Sp, line: Line) -> Placed {
        Placed { x, y, line, cell: None }
    }

    /// A table header shown again on a page the table continues on: not new text.
    pub fn repeated(&self) -> bool {
        self.cell.is_some_and(|c| c.repeated)
    }
}

/// Where a line of a table stands (small: a book has many lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The table, counted from the document's start.
    pub table: u32,
    /// The row, counting the header row if there is one.
    pub row: u32,
    /// The column.
    pub col: u16,
    /// Whether the row is the header.
    pub header: bool,
    /// A header shown again on a page the table continues on.
    pub repeated: bool,
}

/// A page left blank on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    /// The left-hand page before a chapter that opens on the right.
    Verso,
    /// Padding that brings a self-cover pamphlet to a multiple of four pages.
    Padding,
    /// The back of a book's half-title, or the page that brings its front matter
    /// to an even count.
    Front,
}

impl Blank {
    /// What the page dump calls it.
    pub fn name(self) -> &'static str {
        match self {
            Blank::Verso => "blank verso before a chapter",
            Blank::Padding => "blank padding to a multiple of four",
            Blank::Front => "blank page of the front matter",
        }
    }
}

/// Something the page builder reports about a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The page ends `lines` lines short to keep lines together; `span` is what went
    /// on to the next page.
    Short {
        /// Lines left empty.
        lines: u32,
        /// The first thing on the next page.
        span: Span,
    },
    /// A note could not begin on the page of its reference (at `span`).
    NoteMoved {
        /// The note.
        note: u32,
        /// Its reference.
        span: Span,
    },
    /// Material taller than the page.
    Overfull {
        /// The material.
        span: Span,
    },
    /// A paragraph was set `by` lines longer (or, negative, shorter) than its best,
    /// to fill a page or level a spread (no widow, no orphan, no page left short).
    /// Not a problem: golden page dumps show it.
    Reset {
        /// Lines more or fewer.
        by: i32,
        /// The paragraph.
        span: Span,
    },
}

/// A horizontal rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Left end, from the trim's left edge.
    pub x: Sp,
    /// From the trim's top edge.
    pub y: Sp,
    /// Length.
    pub w: Sp,
    /// Thickness.
    pub t: Sp,
}

/// An image placed on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedImage {
    /// The path as written in the manuscript.
    pub src: String,
    /// Alternative text.
    pub alt: String,
    /// Top-left corner, from the trim's top-left.
    pub x: Sp,
    /// See `x`.
    pub y: Sp,
    /// Size on the page.
    pub w: Sp,
    /// See `w`.
    pub h: Sp,
    /// Its node in the document's structure (a figure).
    pub tag: structure::Tag,
}

/// The level of a [`Mark`] that is an anchor in the running text (`<span id>`): a
/// link target, not a heading (no outline entry, not in the contents).
pub const ANCHOR_LEVEL: u8 = u8::MAX;

/// A heading for the PDF outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Level 1–6 (0: the title).
    pub level: u8,
    /// Plain text.
    pub text: String,
    /// The heading's id, the target of internal links.
    pub id: Option<String>,
    /// Its top, from the trim's top edge.
    pub y: Sp,
}

/// How a page's number is printed: a book's front matter in lower-case roman
/// numerals, its text in arabic figures from 1 (Chicago Manual of Style, 1.7–1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Numbering {
    /// i, ii, iii …
    Roman,
    /// 1, 2, 3 …
    #[default]
    Arabic,
}

/// The number printed on (or counted for) a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Folio {
    /// Its style.
    pub numbering: Numbering,
    /// Its value, from 1 in its style's run of pages.
    pub n: u32,
}

impl std::fmt::Display for Folio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.numbering {
            Numbering::Arabic => write!(f, "{}", self.n),
            Numbering::Roman => f.write_str(&roman(self.n)),
        }
    }
}

/// A number in lower-case roman numerals (0 is empty: no such page).
pub fn roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (v, d) in DIGITS {
        while n >= v {
            s.push_str(d);
            n -= v;
        }
    }
    s
}

/// A laid-out page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// 1-based page number: its place in the file, which decides left and right.
    pub number: usize,
    /// The number printed on it (a book's front matter counts in roman numerals,
    /// its text in arabic from 1).
    pub label: Folio,
    /// Text lines (body, then notes).
    pub lines: Vec<Placed>,
    /// Rules (the footnote separator).
    pub rules: Vec<Rule>,
    /// Images.
    pub images: Vec<PlacedImage>,
    /// The running head, if the page has one.
    pub head: Option<String>,
    /// Whether the folio (page number) is printed.
    pub folio: bool,
    /// Headings that start on this page.
    pub marks: Vec<Mark>,
    /// Notes that start on this page, with the baseline of their first line.
    pub note_starts: Vec<(u32, Sp)>,
    /// Number of body lines (not notes).
    pub body_lines: usize,
    /// A blank the design asks for (the page dump names it).
    pub blank: Option<Blank>,
    /// What the page builder found on this page.
    pub findings: Vec<Finding>,
}

/// The result of laying out a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The frame.
    pub geometry: Geometry,
    /// The pages.
    pub pages: Vec<Page>,
    /// The page builder's check of its own books: what went wrong (empty when every
    /// item and every note line was placed exactly once, and no page is empty but a
    /// designed blank).
    pub audit: Vec<String>,
    /// What every run and image is in the document, in reading order: the tagged
    /// PDF's structure.
    pub structure: structure::Structure,
    /// The pages of the text, without a book's front matter or a pamphlet's covers
    /// (indices into `pages`).
    pub text_pages: std::ops::Range<usize>,
}

/// How many times a book with cross-references to pages is laid out at most: each
/// layout prints the page numbers the one before found, until they agree (as LaTeX
/// reruns until its labels settle).
const MAX_PASSES: usize = 4;

/// Lays out a document (see the module docs for the recipe). A document with
/// cross-references to pages (`[](#id)`) is laid out again with the page numbers
/// the last layout found, until no number changes.
pub fn layout(
    doc: &Document,
    fonts: &Fonts,
    opts: &LayoutOptions,
    diags: &mut Diagnostics,
) -> Layout {
    let wanted = page_ref_ids(doc);
    let mut refs = BTreeMap::new();
    // Paragraphs that print no page number, kept from one layout to the next.
    let mut kept = (!wanted.is_empty()).then(BTreeMap::new);
    let mut pass = 1;
    loop {
        let mut d = Diagnostics::new();
        let l = layout_with(doc, fonts, opts, (&refs, &mut kept), &mut d);
        let found = ref_texts(&l, &wanted, &doc.meta.lang);
        if found == refs || pass == MAX_PASSES {
            if found != refs {
                d.push(crate::diag::Diagnostic::warning(
                    "unsettled-refs",
                    doc.meta.span,
                    format!("the page numbers of cross-references did not settle after {MAX_PASSES} layouts; some may be a page off"),
                ));
            }
            diags.extend(d);
            return l;
        }
        refs = found;
        pass += 1;
    }
}

/// The text a cross-reference to a page prints: the language's word and the
/// number, joined by a no-break space ("page 47"). The one owner of that wording.
pub fn page_ref_text(lang: &crate::model::Lang, folio: Folio) -> String {
    format!("{}\u{a0}{folio}", lang.page_word())
}

/// What each wanted id's cross-references print in this layout.
fn ref_texts(
    l: &Layout,
    wanted: &std::collections::BTreeSet<String>,
    lang: &crate::model::Lang,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for p in &l.pages {
        for m in &p.marks {
            if let Some(id) = m.id.as_ref().filter(|id| wanted.contains(*id)) {
                out.entry(id.clone()).or_insert_with(|| page_ref_text(lang, p.label));
            }
        }
    }
    out
}

/// The ids the document's cross-references to pages point to.
fn page_ref_ids(doc: &Document) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut collect = |inl: &[crate::model::Inline]| {
        crate::model::walk_inlines(inl, &mut |i| {
            if let crate::model::Inline::PageRef { id, .. } = i {
                out.insert(id.clone());
            }
        })
    };
    crate::model::for_each_inlines(&doc.blocks, &mut |inl| collect(inl));
    for n in &doc.notes {
        crate::model::for_each_inlines(&n.blocks, &mut |inl| collect(inl));
    }
    out
}

/// One layout, with the cross-references printing `refs`.
fn layout_with(
    doc: &Document,
    fonts: &Fonts,
    opts: &LayoutOptions,
    refs: (&BTreeMap<String, String>, &mut Option<BTreeMap<usize, galley::Ahead>>),
    diags: &mut Diagnostics,
) -> Layout {
    let geometry = Geometry { rtl: doc.meta.lang.rtl(), ..Geometry::new(opts) };
    // 1. Blocks → a vertical list; notes → their own lines.
    let (mut galley, mut resetter) =
        galley::build(doc, fonts, &geometry, opts, refs, diags);
    // 2. The vertical list → pages.
    let (pages, audit) = paginate::paginate(&mut galley, &mut resetter, &geometry);
    let text_len = pages.len();
    let mut structure = std::mem::take(&mut galley.structure);
    // 3. A pamphlet's self-cover around the text.
    let mut pages = match opts.kind {
        Some(Makeup::Book) => front::book(
            pages,
            doc,
            fonts,
            (&geometry, &mut structure),
            opts.toc_depth,
            diags,
        ),
        Some(Makeup::Pamphlet) => covers::self_cover(
            pages,
            &doc.meta,
            fonts,
            (&geometry, &mut structure),
            opts.cover,
            pt(opts.bleed),
            diags,
        ),
        None => pages,
    };
    if opts.kind != Some(Makeup::Book) {
        for p in &mut pages {
            p.label = Folio { numbering: Numbering::Arabic, n: p.number as u32 };
        }
    }
    // The text's pages: after a book's front matter or a pamphlet's covers.
    let first = match opts.kind {
        Some(Makeup::Book) => pages.len() - text_len,
        Some(Makeup::Pamphlet) => 2,
        None => 0,
    };
    let text_pages = first..first + text_len;
    findings(&pages, diags);
    once_per_char(diags);
    Layout { geometry, pages, audit, structure, text_pages }
}

/// Where a printed page of the text begins, for an e-book's page-list: its number
/// and the model text its first word was set from (see [`items::Frag::origin`]);
/// `None` for a page with no word of the text on it (a blank, a figure alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart {
    /// The printed number.
    pub label: String,
    /// The inline's span start and the byte of its text.
    pub at: Option<(u32, u32)>,
}

impl Layout {
    /// Where each page of the text begins, in order (see [`PageStart`]).
    pub fn page_starts(&self) -> Vec<PageStart> {
        let pages = self.pages.get(self.text_pages.clone()).unwrap_or_default();
        pages
            .iter()
            .map(|p| PageStart { label: p.label.to_string(), at: self.first_word(p) })
            .collect()
    }

    /// The first word of the text on a page, in reading order: the first run of its
    /// first body line that is content and not generated (a list item's number).
    fn first_word(&self, p: &Page) -> Option<(u32, u32)> {
        let text = |tag: structure::Tag| {
            tag != structure::ARTIFACT
                && self
                    .structure
                    .nodes
                    .get(tag as usize)
                    .is_some_and(|n| n.role != structure::Role::Label)
        };
        p.lines.iter().take(p.body_lines).filter(|pl| !pl.repeated()).find_map(|pl| {
            let mut runs: Vec<&lines::Run> =
                pl.line.runs.iter().filter(|r| text(r.tag)).collect();
            runs.sort_by_key(|r| r.order);
            runs.first().map(|r| r.frag.origin)
        })
    }
}

/// About how many characters a line of body text holds: the measure over the mean
/// advance of the characters (spaces included) of an English pangram in the body
/// face at the body size. 45–75 reads comfortably, 66 is the ideal (Bringhurst,
/// *The Elements of Typographic Style*, 2.1.2).
pub fn chars_per_line(fonts: &Fonts, geo: &Geometry) -> f64 {
    const SAMPLE: &str = "the quick brown fox jumps over the lazy dog";
    let face = fonts::Face::REGULAR;
    let glyphs = fonts.shape(face, fonts::Feat::Text, SAMPLE);
    let width: i64 = glyphs.iter().map(|g| i64::from(g.adv)).sum();
    let em = f64::from(fonts.upem(face));
    let mean = width as f64 / em * geo.size as f64 / SAMPLE.chars().count() as f64;
    if mean > 0.0 { geo.measure() as f64 / mean } else { 0.0 }
}

/// The comfortable range of [`chars_per_line`].
pub const COMFORTABLE_MEASURE: std::ops::RangeInclusive<f64> = 45.0..=75.0;

/// A character no font has is reported once, at its first place: the text pages and
/// the cover set the title each, and each would report it.
fn once_per_char(diags: &mut Diagnostics) {
    let mut firsts: BTreeMap<String, crate::diag::Span> = BTreeMap::new();
    for d in diags.iter().filter(|d| d.code == "uncovered-char") {
        let first = firsts.entry(d.message.clone()).or_insert(d.span);
        if (d.span.start, d.span.end) < (first.start, first.end) {
            *first = d.span;
        }
    }
    diags.retain(|d| {
        if d.code != "uncovered-char" || firsts.get(&d.message) != Some(&d.span) {
            return d.code != "uncovered-char";
        }
        firsts.remove(&d.message);
        true
    });
}

/// Layout findings, reported against the manuscript with their page, each once: a
/// line that ends inside a word too wide for the measure (at the line's last word), a
/// line spaced beyond its stretch (at its first word), a page left short by three
/// lines or more to keep lines together, a note that could not begin on its
/// reference's page, material taller than a page.
fn findings(pages: &[Page], diags: &mut Diagnostics) {
    use crate::diag::Diagnostic;
    // Whether the line before ended inside a broken word (which then goes on).
    let mut in_broken = false;
    for p in pages {
        let body = p.lines.iter().take(p.body_lines).filter(|pl| !pl.repeated());
        for (k, pl) in body.enumerate() {
            let line_no = k + 1;
            if pl.line.broken && !in_broken {
                diags.push(Diagnostic::warning(
                    "broken-word",
                    last_word_span(&pl.line),
                    format!("a word too wide for the measure is broken between letters (page {}, line {line_no})", p.label),
                ));
            }
            in_broken = pl.line.broken;
            if !pl.line.last
                && pl.line.ratio > lines::LOOSE_RATIO
                && let Some(first) = pl.line.runs.first()
            {
                diags.push(Diagnostic::warning(
                    "loose-line",
                    first.frag.span,
                    format!("a line is spaced loosely, its spaces {:.1} times their width (page {}, line {line_no})", 1.0 + pl.line.ratio / 2.0, p.label),
                ));
            }
        }
        for f in &p.findings {
            diags.push(match f {
                Finding::Short { lines, span } => Diagnostic::warning(
                    "short-page",
                    *span,
                    format!("page {} is left {lines} lines short to keep this with what follows (no widow, orphan or stranded heading)", p.label),
                ),
                Finding::NoteMoved { note, span } => Diagnostic::warning(
                    "note-moved",
                    *span,
                    format!("note {note} could not begin on the page of its reference (page {})", p.number),
                ),
                Finding::Overfull { span } => Diagnostic::warning(
                    "overfull-page",
                    *span,
                    format!("this material is taller than the page (page {})", p.label),
                ),
                Finding::Reset { .. } => continue,
            });
        }
    }
}

/// Where the last word of a line starts: its fragments touch, words do not.
fn last_word_span(line: &Line) -> Span {
    let runs = &line.runs;
    let mut k = runs.len().saturating_sub(1);
    while k > 0 && runs[k - 1].x + runs[k - 1].width() >= runs[k].x - units::PT / 10 {
        k -= 1;
    }
    runs.get(k).map(|r| r.frag.span).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_a5_page_holds_about_the_ideal_measure() {
        let fonts = Fonts::new();
        let a5 = chars_per_line(&fonts, &Geometry::new(&LayoutOptions::a5()));
        let mut small = LayoutOptions::a5();
        small.style.font_size = 7.0;
        let small = chars_per_line(&fonts, &Geometry::new(&small));
        eprintln!("A5 at 11.5 pt: {a5:.1} characters; at 7 pt: {small:.1}");
        assert!((60.0..=72.0).contains(&a5), "{a5}");
        assert!(!COMFORTABLE_MEASURE.contains(&small), "{small}");
    }
}
