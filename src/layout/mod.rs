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
pub mod galley;
pub mod items;
pub mod linebreak;
pub mod lines;
pub mod paginate;
pub mod units;

use std::collections::BTreeMap;

pub use fonts::Fonts;
use lines::Line;
use units::{Sp, pt};

use crate::diag::Diagnostics;
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
    pub kind: Option<Kind>,
    /// Bleed, in points (the cover image runs into it).
    pub bleed: f64,
    /// Pixel size of the cover image, if the manuscript gives one.
    pub cover: Option<(u32, u32)>,
}

/// How the print edition is made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A self-cover pamphlet: front cover, inside cover with the colophon, the text,
    /// blanks to a multiple of four, back cover.
    Pamphlet,
    /// A book: a title page, chapters on right-hand pages.
    Book,
}

impl Kind {
    /// `pdf: {layout: …}` or, by default, a book when the manuscript has chapters.
    pub fn for_document(doc: &Document, setting: Option<&str>) -> Result<Kind, String> {
        match setting {
            Some("pamphlet") => Ok(Kind::Pamphlet),
            Some("book") => Ok(Kind::Book),
            Some(other) => {
                Err(format!("`{other}` is not a layout: use pamphlet or book"))
            }
            None if doc.chapters.iter().any(|c| c.has_heading) => Ok(Kind::Book),
            None => Ok(Kind::Pamphlet),
        }
    }
}

impl LayoutOptions {
    /// A5 with its classic margins and 11.5/15 pt (SPECS B.8).
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

    /// The text block's left edge on page `number` (1-based): right-hand (odd) pages
    /// have the spine on their left.
    pub fn left(&self, number: usize) -> Sp {
        if number % 2 == 1 { self.inner } else { self.outer }
    }
}

/// A line placed on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Left edge of the line, from the trim's left edge.
    pub x: Sp,
    /// Baseline, from the trim's top edge.
    pub y: Sp,
    /// The line.
    pub line: Line,
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
}

/// A heading for the PDF outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Level 1–6.
    pub level: u8,
    /// Plain text.
    pub text: String,
    /// Its top, from the trim's top edge.
    pub y: Sp,
}

/// A laid-out page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// 1-based page number.
    pub number: usize,
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
}

/// The result of laying out a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The frame.
    pub geometry: Geometry,
    /// The pages.
    pub pages: Vec<Page>,
}

/// Lays out a document (see the module docs for the recipe).
pub fn layout(
    doc: &Document,
    fonts: &Fonts,
    opts: &LayoutOptions,
    diags: &mut Diagnostics,
) -> Layout {
    let geometry = Geometry::new(opts);
    // 1. Blocks → a vertical list; notes → their own lines.
    let mut galley = galley::build(doc, fonts, &geometry, opts, diags);
    // 2. The vertical list → pages.
    let pages = paginate::paginate(doc, &mut galley, &geometry, diags);
    // 3. A pamphlet's self-cover around the text.
    let pages = match opts.kind {
        Some(Kind::Pamphlet) => covers::self_cover(
            pages,
            &doc.meta,
            fonts,
            &geometry,
            opts.cover,
            pt(opts.bleed),
            diags,
        ),
        _ => pages,
    };
    findings(&pages, &geometry, diags);
    Layout { geometry, pages }
}

/// Layout findings, reported against the manuscript with their page (issue 6): a word
/// broken between letters to fit, a line spaced beyond its stretch, a page left short
/// by three lines or more to keep a paragraph or heading together, a note that could
/// not begin on its reference's page.
fn findings(pages: &[Page], geo: &Geometry, diags: &mut Diagnostics) {
    use crate::diag::Diagnostic;
    let mut starts = BTreeMap::new();
    let mut refs = BTreeMap::new();
    for p in pages {
        for (n, _) in &p.note_starts {
            starts.entry(*n).or_insert(p.number);
        }
        for pl in p.lines.iter().take(p.body_lines) {
            let Some(first) = pl.line.runs.first() else { continue };
            let span = first.frag.span;
            if let Some(r) = pl.line.runs.iter().find(|r| r.frag.broken) {
                diags.push(Diagnostic::warning(
                    "broken-word",
                    r.frag.span,
                    format!("a word too wide for the measure is broken between letters (page {})", p.number),
                ));
            }
            if !pl.line.last && pl.line.ratio > 1.0 {
                diags.push(Diagnostic::warning(
                    "loose-line",
                    span,
                    format!("a line is spaced wider than its stretch allows (page {}, ratio {:.1})", p.number, pl.line.ratio),
                ));
            }
            for r in &pl.line.runs {
                if let (Some(n), items::Frag { span, .. }) =
                    (r.frag.note_anchor, &*r.frag)
                {
                    refs.entry(n).or_insert((p.number, *span));
                }
            }
        }
        // A text page whose body ends three lines or more above the foot (and is not
        // the last page of a chapter or the book).
        if let Some(last) = p.lines.get(p.body_lines.wrapping_sub(1))
            && !last.line.last
        {
            let notes_top = p
                .rules
                .first()
                .map_or(geo.top + geo.body_height(), |r| r.y - geo.leading / 2);
            if notes_top - last.y >= 4 * geo.leading {
                let span =
                    last.line.runs.first().map(|r| r.frag.span).unwrap_or_default();
                diags.push(Diagnostic::warning(
                    "short-page",
                    span,
                    format!("page {} is left short to keep lines together (no widow, orphan or stranded heading)", p.number),
                ));
            }
        }
    }
    for (n, (page, span)) in refs {
        if starts.get(&n).is_some_and(|&s| s != page) {
            diags.push(Diagnostic::warning(
                "note-moved",
                span,
                format!(
                    "note {n} could not begin on the page of its reference (page {page})"
                ),
            ));
        }
    }
}
