//! Paragraph → boxes, glue and penalties (Knuth & Plass 1981, §2; The TeXbook ch. 14).
//!
//! Input: a paragraph's inlines and its [`ParaStyle`]. Output: a [`Para`]: items for
//! the line breaker, and the shaped fragments the boxes stand for. Words are shaped
//! whole (kerning and ligatures intact) and cut where a line may end inside them:
//!
//! - at the model's hyphenation points (a flagged penalty carrying the hyphen);
//! - after an explicit hyphen, and after a dash or a slash between words;
//! - in a web address, only after `/`, `-`, `.`, `?`, `&`, `=` or `#` (never inside
//!   a number such as `1848`, never between the two slashes of `//`);
//! - between two Chinese or Japanese characters where UAX #14 allows, as a little
//!   stretchable glue (CJK justifies between characters);
//! - and, as the last resort that keeps every line inside the measure, between any
//!   two characters of a stretch still wider than the measure once those cuts are
//!   made — a break only the emergency pass may take (see `linebreak`).
//!
//! No cut is ever made next to a word joiner (U+2060), a zero-width no-break space
//! or a no-break space or hyphen (UAX #14 classes WJ and GL): `1862⁠–⁠64` stays whole.
//! Word joiners and soft hyphens (U+00AD, a hyphenation point of the author's) are
//! invisible and are left out of the shaped text, so the PDF's text reads `1862–64`.
//!
//! Interword glue follows TeX's defaults for a text face (stretch ½, shrink ⅓ of the
//! space). Each box also carries a little letter-spacing stretch and shrink (−1 % to
//! +2 % of the em per glyph, as InDesign's composer allows), so justification can
//! spread its slack over letters as well as spaces and keep word gaps even.
//!
//! Text of several directions is cut into runs of one bidi embedding level (UAX #9,
//! resolved per paragraph only when it holds right-to-left characters), each shaped
//! in its direction; the items stay in logical order, and `lines` puts each set
//! line's runs in visual order.
//!
//! Not here: choosing breaks (`linebreak`), positioning (`lines`).

use std::sync::Arc;

use super::fonts::{Face, Feat, Fonts, Glyph, Role};
use super::units::{Sp, scale};
use crate::diag::{Diagnostics, Span};
use crate::model::Inline;

/// Penalty that forbids a break (TeX's 10000).
pub const INF_PENALTY: i32 = 10_000;
/// Penalty that forces one (TeX's −10000).
pub const FORCE: i32 = -10_000;

/// The cost of a break at a hyphenation point or after an explicit hyphen (plain
/// TeX's `\hyphenpenalty` and `\exhyphenpenalty`).
const HYPHEN_PENALTY: i32 = 50;
/// After a dash or slash between words: as cheap as a hyphen, but no hyphen drawn.
const DASH_PENALTY: i32 = 50;
/// Inside a web address: allowed, but dearer than a hyphen.
const URL_PENALTY: i32 = 100;
/// Between two letters of a stretch too wide for the measure (emergency pass only).
const EMERGENCY_PENALTY: i32 = 1000;

/// Where a fragment links to (shared by the fragments of one link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A web or mail address.
    Url(Arc<str>),
    /// A place in the document: a heading's id (`[text](#id)`).
    Internal(Arc<str>),
    /// A note, by number (a reference mark in the text).
    Note(u32),
    /// Back from a note (its number) to its first reference.
    Back(u32),
}

/// A run of shaped glyphs in one face and size: what a box draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Frag {
    /// The face.
    pub face: Face,
    /// Type size.
    pub size: Sp,
    /// Glyphs, in font units.
    pub glyphs: Vec<Glyph>,
    /// Units per em of the face (advances scale by `size / upem`).
    pub upem: i32,
    /// Natural width (the sum of [`Frag::advances`]).
    pub width: Sp,
    /// The text the glyphs show (clusters index into it).
    pub text: String,
    /// Where it links to.
    pub link: Option<Link>,
    /// The first reference to a note is an anchor the note links back to (its
    /// number: never 0, so the option costs nothing — a book holds hundreds of
    /// thousands of fragments).
    pub note_anchor: Option<std::num::NonZeroU32>,
    /// More of the same word follows in another fragment: when both stand on one
    /// line, letter-spacing also goes into the gap after this fragment's last glyph.
    pub continues: bool,
    /// Where the text came from: the word's own bytes where the manuscript's text
    /// maps one to one onto the model's, else its text run.
    pub span: Span,
    /// Its bidi embedding level (UAX #9): odd is right to left. Glyphs are stored
    /// in visual order either way; lines reorder fragments by level.
    pub level: u8,
    /// Whether letter-spacing may go between its glyphs: not in scripts whose
    /// letters join (Arabic, Devanagari's headline) nor in CJK, which justifies
    /// between characters instead.
    pub spaced: bool,
    /// Whether font expansion may widen or narrow its glyphs (where it is spaced,
    /// and the document has not turned expansion off).
    pub expands: bool,
    /// Whether it is a word in capitals (two letters or more, none lower-case),
    /// which may be letter-spaced further (see [`TRACK_STRETCH_CAPITALS`]).
    pub capitals: bool,
    /// Its language when it differs from the document's (a `lang` span): an index
    /// into [`Builder::langs`] and the layout's structure; 0 for the document's.
    pub lang: u8,
    /// The model's text it was set from: where that inline starts in the
    /// manuscript (its span's start), and the byte of its text this fragment starts
    /// at — how the EPUB finds the word a printed page begins with.
    pub origin: (u32, u32),
}

impl Frag {
    /// A fragment; its width is the sum of its glyphs' advances at `size`.
    pub fn new(
        face: Face,
        size: Sp,
        upem: i32,
        glyphs: Vec<Glyph>,
        text: String,
        link: Option<Link>,
        span: Span,
    ) -> Frag {
        let width = glyphs.iter().map(|g| scale(g.adv, size, upem)).sum();
        let capitals = in_capitals(&text);
        Frag {
            face,
            size,
            glyphs,
            upem,
            width,
            text,
            link,
            note_anchor: None,
            continues: false,
            span,
            level: 0,
            spaced: true,
            expands: false,
            capitals,
            lang: 0,
            origin: (span.start as u32, 0),
        }
    }

    /// Natural width.
    pub fn width(&self) -> Sp {
        self.width
    }

    /// Each glyph's advance at `size`, computed when drawn rather than stored: a
    /// book's layout holds hundreds of thousands of fragments.
    pub fn advances(&self) -> impl Iterator<Item = Sp> + '_ {
        self.glyphs.iter().map(|g| scale(g.adv, self.size, self.upem))
    }

    /// Whether it is a note's reference mark.
    pub fn is_note_mark(&self) -> bool {
        matches!(self.link, Some(Link::Note(_)))
    }

    /// The gaps letter-spacing may go into: between its glyphs, and after its last
    /// one if `trailing` (more of its word follows on the line).
    pub fn gaps(&self, trailing: bool) -> usize {
        if !self.spaced {
            return 0;
        }
        self.glyphs.len().saturating_sub(1) + usize::from(trailing)
    }

    /// How far font expansion may widen and narrow it: [`EXPAND_STRETCH`] and
    /// [`EXPAND_SHRINK`] of its width, where it [`expands`](Frag::expands).
    pub fn expansion(&self) -> (Sp, Sp) {
        if !self.expands {
            return (0, 0);
        }
        let w = self.width as f64;
        ((w * EXPAND_STRETCH) as Sp, (w * EXPAND_SHRINK) as Sp)
    }

    /// The letter-spacing stretch and shrink of `gaps` of its gaps: words in
    /// capitals may stretch further.
    pub fn letters(&self, gaps: usize) -> (Sp, Sp) {
        let (st, sh) = letter_flex(gaps, self.size);
        if self.capitals {
            let more = TRACK_STRETCH_CAPITALS / TRACK_STRETCH;
            ((st as f64 * more) as Sp, sh)
        } else {
            (st, sh)
        }
    }

    /// Its box's stretch and shrink: letter-spacing in its `gaps(trailing)` and
    /// font expansion.
    pub fn flex(&self, trailing: bool) -> (Sp, Sp) {
        let (lst, lsh) = self.letters(self.gaps(trailing));
        let (est, esh) = self.expansion();
        (lst + est, lsh + esh)
    }

    /// Whether it is set right to left.
    pub fn rtl(&self) -> bool {
        self.level % 2 == 1
    }
}

/// The letter-spacing stretch and shrink of `gaps` gaps at a type size.
pub fn letter_flex(gaps: usize, size: Sp) -> (Sp, Sp) {
    let (n, size) = (gaps as f64, size as f64);
    ((n * size * TRACK_STRETCH) as Sp, (n * size * TRACK_SHRINK) as Sp)
}

/// What kind of break a penalty offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brk {
    /// An ordinary break (after a dash, in a web address, a forced or forbidden one).
    Plain,
    /// A discretionary hyphen from the patterns: flagged, and not taken in the
    /// first pass (TeX §863).
    Hyphen,
    /// After an explicit hyphen: flagged (it counts toward hyphen runs).
    Explicit,
    /// Between two letters of a stretch wider than the measure: only the emergency
    /// pass takes it, and a line ending here is reported as a broken word.
    Emergency,
    /// Between two characters of Chinese or Japanese (a UAX #14 opportunity next to
    /// an ideograph or kana): set as a little stretchable glue, not a penalty, as
    /// CJK text is justified between characters (JIS X 4051, W3C JLREQ §3.8).
    Ideographic,
}

impl Brk {
    /// Whether a line ending here ends with a hyphen (TeX's flagged penalty).
    pub fn flagged(self) -> bool {
        matches!(self, Brk::Hyphen | Brk::Explicit)
    }
}

/// An item of the horizontal list.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Material: a fragment (or, with `frag: None`, empty space such as an indent).
    Box {
        /// Natural width.
        w: Sp,
        /// Letter-spacing stretch.
        st: Sp,
        /// Letter-spacing shrink.
        sh: Sp,
        /// Index into [`Para::frags`].
        frag: Option<usize>,
    },
    /// Space between words.
    Glue {
        /// Natural width.
        w: Sp,
        /// Stretch.
        st: Sp,
        /// Shrink.
        sh: Sp,
        /// Infinitely stretchable (`\parfillskip`, a line end before a hard break).
        fil: bool,
    },
    /// A possible break.
    Penalty {
        /// Width added when broken here (a hyphen).
        w: Sp,
        /// Its cost; [`INF_PENALTY`] forbids, [`FORCE`] forces.
        p: i32,
        /// What kind of break it is.
        kind: Brk,
        /// The hyphen drawn when broken here.
        frag: Option<usize>,
        /// Letter-spacing stretch and shrink lost when broken here: inside a word,
        /// the gap after the fragment before it, which a line end does not have.
        lost: (Sp, Sp),
    },
}

impl Item {
    /// A plain penalty: no width, not a hyphen.
    pub fn penalty(p: i32) -> Item {
        Item::Penalty { w: 0, p, kind: Brk::Plain, frag: None, lost: (0, 0) }
    }
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Justified.
    Justify,
    /// Flush left, ragged right.
    Left,
    /// Flush right.
    Right,
    /// Centred.
    Center,
}

/// The look of one paragraph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParaStyle {
    /// The face of plain text.
    pub face: Face,
    /// Features of plain text.
    pub feat: Feat,
    /// Type size.
    pub size: Sp,
    /// Baseline to baseline.
    pub leading: Sp,
    /// First-line indent.
    pub indent: Sp,
    /// Alignment.
    pub align: Align,
    /// Whether words may be hyphenated.
    pub hyphenate: bool,
}

/// Letter-spacing flexibility per glyph, as a fraction of the size.
pub const TRACK_STRETCH: f64 = 0.02;
/// See [`TRACK_STRETCH`].
pub const TRACK_SHRINK: f64 = 0.01;

/// Letter-spacing stretch per glyph of a word in capitals, as a fraction of the
/// size: capitals are set with more air between them than lower-case letters
/// need (Bringhurst, *The Elements of Typographic Style*, 3.2.2: "letterspace all
/// strings of capitals"), so a line of them may take its slack there rather than
/// in wide spaces between short words that may not break.
pub const TRACK_STRETCH_CAPITALS: f64 = 0.05;

/// Whether a text is a word in capitals: two letters or more, and no lower-case one.
fn in_capitals(text: &str) -> bool {
    let mut letters = 0;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_lowercase() {
            return false;
        }
        letters += usize::from(c.is_uppercase());
    }
    letters >= 2
}

/// Font expansion, as pdfTeX's `\pdfadjustspacing` and microtype's defaults
/// (`stretch=20, shrink=20`, thousandths of the width): a justified line's glyphs
/// may be widened by up to 2 % or narrowed by up to 2 %, one factor for the whole
/// line, so that less of its slack falls on the spaces between words. The breaker
/// counts it with the glue, as pdfTeX does.
pub const EXPAND_STRETCH: f64 = 0.02;
/// See [`EXPAND_STRETCH`].
pub const EXPAND_SHRINK: f64 = 0.02;

/// A paragraph ready for line breaking.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Para {
    /// The horizontal list.
    pub items: Vec<Item>,
    /// What the boxes draw.
    pub frags: Vec<Arc<Frag>>,
    /// Whether its base direction is right to left (UAX #9 P2–P3, or the
    /// document's language).
    pub rtl: bool,
}

/// How far a character may hang into the margin at a line's start and at its end,
/// in thousandths of its advance: optical margin alignment ("protrusion"), after
/// the defaults of microtype (R. Schlicht, *The microtype package*, §5.1; its
/// `mt-cmr.cfg`) and H. T. Thành's pdfTeX. Full stops, commas, hyphens and closing
/// quotes hang most, so that the ink of a justified column's edge looks straight;
/// letters never hang.
pub fn protrusion(c: char) -> (i32, i32) {
    match c {
        '.' | ',' => (0, 700),
        ':' | ';' => (0, 500),
        '!' | '?' => (0, 200),
        '-' | '\u{2010}' | '\u{2011}' | '\u{AD}' => (0, 700),
        '\u{2013}' => (0, 300),
        '\u{2014}' => (0, 200),
        '\u{2019}' | '\'' => (0, 700),
        '\u{201D}' | '"' => (0, 500),
        '\u{2018}' => (700, 0),
        '\u{201C}' => (500, 0),
        '\u{201A}' | '\u{201E}' => (400, 0),
        '\u{AB}' | '\u{BB}' | '\u{2039}' | '\u{203A}' => (300, 300),
        '(' | '[' => (50, 0),
        ')' | ']' => (0, 50),
        _ => (0, 0),
    }
}

impl Para {
    /// Each item's protrusion (see [`protrusion`]) into the left and the right
    /// margin, should a line start or end with it: a box by its first and last
    /// character, a hyphen penalty by its hyphen. Empty for a right-to-left
    /// paragraph, which does not hang its punctuation.
    pub fn protrusions(&self) -> Vec<(Sp, Sp)> {
        if self.rtl {
            return Vec::new();
        }
        let hang = |f: &Frag| -> (Sp, Sp) {
            if f.level % 2 == 1 || f.is_note_mark() {
                return (0, 0);
            }
            let (l, r) = (f.text.chars().next(), f.text.chars().next_back());
            let (first, last) = (f.advances().next(), f.advances().last());
            let of = |c: Option<char>, adv: Option<Sp>, side: fn((i32, i32)) -> i32| {
                c.zip(adv).map_or(0, |(c, a)| a * Sp::from(side(protrusion(c))) / 1000)
            };
            (of(l, first, |p| p.0), of(r, last, |p| p.1))
        };
        self.items
            .iter()
            .map(|it| match it {
                Item::Box { frag: Some(f), .. } | Item::Penalty { frag: Some(f), .. } => {
                    hang(&self.frags[*f])
                }
                _ => (0, 0),
            })
            .collect()
    }

    /// The narrowest and the natural width of the paragraph: the widest stretch no
    /// break may divide (emergency breaks aside), and the widest line it makes when
    /// only forced breaks end lines. Tables share their width out by these (as an
    /// HTML automatic table layout does).
    pub fn widths(&self) -> (Sp, Sp) {
        let (mut min, mut max) = (0, 0);
        let (mut run, mut line) = (0, 0);
        for it in &self.items {
            match it {
                Item::Box { w, .. } => {
                    run += w;
                    line += w;
                }
                Item::Glue { w, .. } => {
                    min = min.max(run);
                    run = 0;
                    line += w;
                }
                Item::Penalty { w, p, kind, .. } => {
                    if *p == FORCE {
                        max = max.max(line);
                        line = 0;
                    }
                    if *p < INF_PENALTY && *kind != Brk::Emergency {
                        min = min.max(run + w);
                        run = 0;
                    }
                }
            }
        }
        (min.max(run), max.max(line))
    }
}

/// A piece of text in one style.
struct Styled {
    /// The text, with word joiners taken out.
    text: String,
    face: Face,
    feat: Feat,
    link: Option<Link>,
    span: Span,
    /// Whether `text` has the manuscript's bytes one to one (so a word's span can be
    /// found inside `span`).
    exact: bool,
    /// Hyphenation points, as byte offsets into `text`.
    hyphens: Vec<u32>,
    /// Byte offsets into `text` where a word joiner stood: never a break there.
    joins: Vec<u32>,
    /// Code: its spaces are kept as typed, each as wide as a character, none
    /// stretching.
    code: bool,
    /// Byte offset of `text` in the paragraph's text (for its bidi levels).
    at: usize,
    /// Its language, an index into [`Builder::langs`].
    lang: u8,
}

enum Token {
    Text(Styled),
    Note { number: u32, first: bool, span: Span, at: usize },
    Break,
}

/// Characters that only forbid a break and are not drawn (UAX #14 class WJ).
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{2060}' | '\u{FEFF}')
}

/// Characters that glue their neighbours (UAX #14 class GL).
fn is_glue(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{202F}' | '\u{2007}' | '\u{2011}' | '\u{034F}')
}

/// Offsets in text order, as the shaper looks them up (by bisection).
fn in_order(mut v: Vec<u32>) -> Vec<u32> {
    if !v.is_sorted() {
        v.sort_unstable();
    }
    v
}

fn piece(
    text: &str,
    hyphens: &[u32],
    face: Face,
    feat: Feat,
    link: Option<Link>,
    span: Span,
) -> Styled {
    let exact = text.len() == span.end - span.start;
    let invisible = |c: char| is_joiner(c) || c == crate::model::hyphenate::SOFT_HYPHEN;
    if !text.chars().any(invisible) {
        return Styled {
            text: text.to_string(),
            face,
            feat,
            link,
            span,
            exact,
            hyphens: in_order(hyphens.to_vec()),
            joins: Vec::new(),
            code: false,
            at: 0,
            lang: 0,
        };
    }
    // Take the joiners and soft hyphens out (a soft hyphen's offset is already a
    // hyphenation point); offsets after each move back by its length.
    let mut clean = String::with_capacity(text.len());
    let mut joins = Vec::new();
    let mut shift = Vec::new();
    for (i, c) in text.char_indices() {
        if invisible(c) {
            if is_joiner(c) {
                joins.push(clean.len() as u32);
            }
            shift.push((i, c.len_utf8()));
        } else {
            clean.push(c);
        }
    }
    let moved = |h: u32| -> u32 {
        let gone: usize =
            shift.iter().filter(|(at, _)| *at < h as usize).map(|(_, n)| n).sum();
        h - gone as u32
    };
    Styled {
        text: clean,
        face,
        feat,
        link,
        span,
        exact: false,
        hyphens: in_order(hyphens.iter().map(|&h| moved(h)).collect()),
        joins,
        code: false,
        at: 0,
        lang: 0,
    }
}

/// How a stretch of inlines is set: its face, features, link and language (an
/// index into the builder's table of languages; 0: the document's).
#[derive(Clone)]
struct Look<'r> {
    face: Face,
    feat: Feat,
    link: Option<Link>,
    lang: u8,
    /// What each cross-reference prints ("page 47"), by the heading's id.
    refs: &'r std::collections::BTreeMap<String, String>,
}

fn flatten<'r>(
    inlines: &[Inline],
    look: &Look<'r>,
    langs: &mut Vec<String>,
    out: &mut Vec<Token>,
) {
    let with = |l: &Look<'r>, f: &dyn Fn(&mut Look<'r>)| {
        let mut l = l.clone();
        f(&mut l);
        l
    };
    let styled = |text: &str, hyphens: &[u32], face: Face, feat: Feat, link, span| {
        Styled { lang: look.lang, ..piece(text, hyphens, face, feat, link, span) }
    };
    let (face, feat, link) = (look.face, look.feat, &look.link);
    for i in inlines {
        match i {
            Inline::Text { text, hyphens, span } => out.push(Token::Text(styled(
                text,
                hyphens,
                face,
                feat,
                link.clone(),
                *span,
            ))),
            Inline::Emphasis { content, .. } => {
                flatten(content, &with(look, &|l| l.face = face.emphasised()), langs, out)
            }
            Inline::Strong { content, .. } => {
                flatten(content, &with(look, &|l| l.face = face.strong()), langs, out)
            }
            Inline::Strikethrough { content, .. } | Inline::Anchor { content, .. } => {
                flatten(content, look, langs, out)
            }
            Inline::SmallCaps { content, .. } => {
                flatten(content, &with(look, &|l| l.feat = Feat::SmallCaps), langs, out)
            }
            // Its direction follows its characters; its hyphenation points came
            // from its own language's patterns; the PDF marks its language.
            Inline::Lang { lang, content, .. } => {
                let k = lang_index(langs, lang.tag());
                flatten(content, &with(look, &|l| l.lang = k), langs, out)
            }
            Inline::Link { url, content, .. } => {
                let own = if let Some(id) = url.strip_prefix('#') {
                    Some(Link::Internal(id.into()))
                } else {
                    crate::model::html::safe_href(url)
                        .then(|| Link::Url(url.as_str().into()))
                };
                let own = own.or_else(|| link.clone());
                flatten(content, &with(look, &|l| l.link = own.clone()), langs, out);
            }
            // The page is known once the book is paginated: until then (and for an
            // id the layout has not met) a stand-in of about its width.
            Inline::PageRef { id, span, .. } => {
                let text = look.refs.get(id).map_or("page\u{a0}00", String::as_str);
                let own = Some(Link::Internal(id.as_str().into()));
                out.push(Token::Text(styled(text, &[], face, feat, own, *span)));
            }
            Inline::Code { text, span } => {
                let text = crate::model::expand_tabs(text);
                let mut p =
                    styled(&text, &[], Face::MONO, Feat::Code, link.clone(), *span);
                p.code = true;
                out.push(Token::Text(p));
            }
            Inline::Image { alt, span, .. } => out.push(Token::Text(styled(
                &format!("[{alt}]"),
                &[],
                face.emphasised(),
                feat,
                None,
                Span::new(span.start, span.start),
            ))),
            Inline::NoteRef { number, first, span, .. } => {
                if *number > 0 {
                    out.push(Token::Note {
                        number: *number,
                        first: *first,
                        span: *span,
                        at: 0,
                    });
                }
            }
            Inline::SoftBreak { span } => {
                out.push(Token::Text(styled(" ", &[], face, feat, None, *span)))
            }
            Inline::LineBreak { .. } => out.push(Token::Break),
            Inline::Html { .. } => {}
        }
    }
}

/// The index of a BCP 47 tag in a table of languages, added if new (a byte: past
/// 255 languages in one document, the rest are marked as the document's).
fn lang_index(langs: &mut Vec<String>, tag: &str) -> u8 {
    if let Some(k) = langs.iter().position(|l| l == tag) {
        return k as u8;
    }
    if langs.len() > usize::from(u8::MAX) {
        return 0;
    }
    langs.push(tag.to_string());
    (langs.len() - 1) as u8
}

/// A part of a word: a slice of a piece, or a note mark.
enum Part<'a> {
    Text { piece: &'a Styled, start: usize, end: usize },
    Note { number: u32, first: bool, span: Span, at: usize },
}

/// A part of a word, shaped.
struct Shaped {
    face: Face,
    /// Its type size.
    size: Sp,
    glyphs: Vec<Glyph>,
    text: String,
    link: Option<Link>,
    /// A note mark: its number, and whether it is the note's first reference.
    note: Option<(u32, bool)>,
    span: Span,
    /// Whether `span` holds `text` byte for byte.
    exact: bool,
    /// Hyphenation points and joiners, relative to `text`.
    hyphens: Vec<usize>,
    joins: Vec<usize>,
    /// Bidi embedding level; glyphs are in logical order (reversed when drawn if
    /// odd).
    level: u8,
    /// Whether its letters may be spaced (see [`Frag::spaced`]).
    spaced: bool,
    /// Its language (see [`Frag::lang`]).
    lang: u8,
    /// Byte offset of `text` in its piece's text (the model inline's).
    at: usize,
}

/// A place inside a word where a line may end: before glyph `glyph` of a part (0:
/// between this part and the one before), at byte `byte` of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    glyph: usize,
    byte: usize,
    kind: Brk,
    penalty: i32,
}

/// The part of `span` that holds bytes `start..end` of a text run of `len` bytes,
/// when the run maps one to one onto the manuscript (`exact`); else the whole span.
fn sub_span(span: Span, exact: bool, start: usize, end: usize) -> Span {
    if exact { Span::new(span.start + start, span.start + end) } else { span }
}

/// Builds paragraphs' items; holds what every paragraph needs.
pub struct Builder<'f> {
    /// Fonts and their shaping cache.
    pub fonts: &'f Fonts,
    /// The text measure (for cutting over-long words).
    pub measure: Sp,
    /// The document's language is written right to left: every paragraph but code
    /// takes that base direction.
    pub rtl: bool,
    /// The current paragraph's bidi embedding level per byte of its text; empty
    /// when it is all left to right.
    levels: Vec<u8>,
    /// Characters already reported as missing from the fonts.
    reported: Vec<char>,
    /// The hyphen of each face and size, shared by every line that ends with one.
    hyphens: std::collections::BTreeMap<(Face, Sp), Arc<Frag>>,
    /// The languages of `lang` spans met so far (BCP 47 tags), by the index
    /// fragments carry; entry 0, the document's own, is empty.
    pub langs: Vec<String>,
    /// What each cross-reference to a page prints ("page 47"), by the heading's
    /// id: the page numbers of the layout before.
    pub page_refs: std::collections::BTreeMap<String, String>,
    /// Whether justified lines hang their punctuation into the margins.
    pub protrusion: bool,
    /// Whether justified lines may expand or condense their glyphs (see
    /// [`EXPAND_STRETCH`]).
    pub expansion: bool,
}

impl<'f> Builder<'f> {
    /// A builder set up as this one — its fonts, measure, direction, page
    /// references and settings — with nothing met yet (no languages, no
    /// characters reported).
    pub fn like(&self) -> Self {
        Builder {
            rtl: self.rtl,
            page_refs: self.page_refs.clone(),
            protrusion: self.protrusion,
            expansion: self.expansion,
            ..Builder::new(self.fonts, self.measure)
        }
    }

    /// A builder for a measure.
    pub fn new(fonts: &'f Fonts, measure: Sp) -> Self {
        Builder {
            fonts,
            measure,
            rtl: false,
            levels: Vec::new(),
            reported: Vec::new(),
            hyphens: Default::default(),
            langs: vec![String::new()],
            page_refs: Default::default(),
            protrusion: true,
            expansion: true,
        }
    }

    /// Builds a paragraph.
    pub fn para(
        &mut self,
        inlines: &[Inline],
        style: &ParaStyle,
        diags: &mut Diagnostics,
    ) -> Para {
        let mut tokens = Vec::new();
        let look = Look {
            face: style.face,
            feat: style.feat,
            link: None,
            lang: 0,
            refs: &self.page_refs,
        };
        flatten(inlines, &look, &mut self.langs, &mut tokens);
        let mut p =
            Para { rtl: self.resolve_levels(&mut tokens, style), ..Para::default() };
        if style.indent > 0 {
            p.items.push(Item::Box { w: style.indent, st: 0, sh: 0, frag: None });
        }
        let space = self.fonts.shape(style.face, Feat::Text, " ");
        let sw = space.first().map_or(style.size / 4, |g| {
            scale(g.adv, style.size, self.fonts.upem(style.face))
        });
        let glue = Item::Glue { w: sw, st: sw / 2, sh: sw / 3, fil: false };

        let mut word: Vec<Part> = Vec::new();
        for t in &tokens {
            match t {
                Token::Text(piece) if piece.code => {
                    self.code_piece(piece, style, &mut word, &mut p, diags)
                }
                Token::Text(piece) => {
                    let mut start = 0;
                    for (i, c) in piece.text.char_indices() {
                        if matches!(c, ' ' | '\t' | '\n' | '\r') {
                            if i > start {
                                word.push(Part::Text { piece, start, end: i });
                            }
                            self.word(&mut word, style, &mut p, diags);
                            if !p.items.is_empty()
                                && !matches!(p.items.last(), Some(Item::Glue { .. }))
                            {
                                p.items.push(glue.clone());
                            }
                            start = i + c.len_utf8();
                        }
                    }
                    if start < piece.text.len() {
                        word.push(Part::Text { piece, start, end: piece.text.len() });
                    }
                }
                Token::Note { number, first, span, at } => word.push(Part::Note {
                    number: *number,
                    first: *first,
                    span: *span,
                    at: *at,
                }),
                Token::Break => {
                    self.word(&mut word, style, &mut p, diags);
                    if matches!(p.items.last(), Some(Item::Glue { .. })) {
                        p.items.pop();
                    }
                    p.items.push(Item::Glue { w: 0, st: 0, sh: 0, fil: true });
                    p.items.push(Item::penalty(FORCE));
                }
            }
        }
        self.word(&mut word, style, &mut p, diags);
        while matches!(p.items.last(), Some(Item::Glue { .. })) {
            p.items.pop();
        }
        // \parfillskip and the final forced break (TeX §816).
        p.items.push(Item::penalty(INF_PENALTY));
        p.items.push(Item::Glue { w: 0, st: 0, sh: 0, fil: true });
        p.items.push(Item::penalty(FORCE));
        p
    }

    /// A piece of code: its words as any words, but each run of spaces kept at the
    /// width of that many characters — fixed space at the start of the paragraph (an
    /// indent), elsewhere glue that may end a line but never stretches.
    fn code_piece<'p>(
        &mut self,
        piece: &'p Styled,
        style: &ParaStyle,
        word: &mut Vec<Part<'p>>,
        p: &mut Para,
        diags: &mut Diagnostics,
    ) {
        let space = self.fonts.shape(piece.face, piece.feat, " ");
        let size = piece_size(piece, style);
        let sw = space
            .first()
            .map_or(size / 2, |g| scale(g.adv, size, self.fonts.upem(piece.face)));
        let mut start = 0;
        let mut rest = piece.text.as_str();
        while !rest.is_empty() {
            let text_len = rest.find(' ').unwrap_or(rest.len());
            if text_len > 0 {
                word.push(Part::Text { piece, start, end: start + text_len });
            }
            let spaces =
                rest[text_len..].len() - rest[text_len..].trim_start_matches(' ').len();
            if spaces > 0 {
                self.word(word, style, p, diags);
                let w = sw * spaces as Sp;
                let at_start =
                    !p.items.iter().any(|i| matches!(i, Item::Box { frag: Some(_), .. }));
                p.items.push(if at_start {
                    Item::Box { w, st: 0, sh: 0, frag: None }
                } else {
                    Item::Glue { w, st: 0, sh: 0, fil: false }
                });
            }
            start += text_len + spaces;
            rest = &piece.text[start..];
        }
    }

    /// Emits a word: its parts shaped, cut where a line may end inside it, and set
    /// out as boxes with penalties between them.
    fn word(
        &mut self,
        word: &mut Vec<Part>,
        style: &ParaStyle,
        p: &mut Para,
        diags: &mut Diagnostics,
    ) {
        if word.is_empty() {
            return;
        }
        let parts = std::mem::take(word);
        let shaped: Vec<Shaped> =
            parts.iter().flat_map(|part| self.shape_part(part, style, diags)).collect();
        let url = is_url(&shaped);
        let mut cuts: Vec<Vec<Cut>> =
            shaped.iter().map(|s| natural_cuts(s, style.hyphenate, url)).collect();
        if !url && !style.face.is_mono() {
            ideographic_cuts(&shaped, &mut cuts);
        }
        self.emergency_cuts(&shaped, &mut cuts);
        let first = p.items.len();
        for (s, cuts) in shaped.iter().zip(&cuts) {
            self.emit(s, cuts, p);
        }
        continue_word(p, first);
    }

    /// Resolves the paragraph's bidi levels (UAX #9) into `self.levels`, recording
    /// where each token's text starts; returns whether its base direction is right
    /// to left. Code keeps a left-to-right base. A paragraph with nothing right to
    /// left in it skips the algorithm: every level is 0.
    fn resolve_levels(&mut self, tokens: &mut [Token], style: &ParaStyle) -> bool {
        self.levels.clear();
        let code = style.face.is_mono();
        let bidi = |t: &Token| matches!(t, Token::Text(p) if beyond(&p.text, 0xD6) && p.text.chars().any(maybe_rtl));
        if (code || !self.rtl) && !tokens.iter().any(bidi) {
            return false;
        }
        // A note mark reads as a number; a hard break is a line separator
        // (whitespace), not a paragraph separator.
        let mut text = String::new();
        for t in tokens.iter_mut() {
            match t {
                Token::Text(p) => {
                    p.at = text.len();
                    text.push_str(&p.text);
                }
                Token::Note { at, .. } => {
                    *at = text.len();
                    text.push('0');
                }
                Token::Break => text.push('\u{2028}'),
            }
        }
        let rtl = !code && (self.rtl || crate::model::lang::first_strong_rtl(&text));
        let base =
            if rtl { unicode_bidi::Level::rtl() } else { unicode_bidi::Level::ltr() };
        let info = unicode_bidi::BidiInfo::new(&text, Some(base));
        self.levels = info.levels.iter().map(|l| l.number()).collect();
        rtl
    }

    /// Shapes one part of a word: a text part in the faces that draw it (see
    /// [`Builder::shape_text`]), a note mark in superior figures.
    fn shape_part(
        &mut self,
        part: &Part,
        style: &ParaStyle,
        diags: &mut Diagnostics,
    ) -> Vec<Shaped> {
        match part {
            Part::Text { piece, start, end } => {
                self.shape_text(piece, *start..*end, style, diags)
            }
            Part::Note { number, first, span, at } => {
                let level = self.levels.get(*at).copied().unwrap_or(0);
                vec![Shaped { level, ..self.note_mark(*number, *first, *span, style) }]
            }
        }
    }

    /// Shapes bytes `range` of a piece in its face; if that face lacks some of its
    /// characters, splits it into runs by the first face of the fallback chain that
    /// draws each grapheme cluster and shapes each run in its own face, at a size
    /// matched to the piece's (see [`Fonts::matched_size`]). A character no face has
    /// is reported once.
    fn shape_text(
        &mut self,
        piece: &Styled,
        range: std::ops::Range<usize>,
        style: &ParaStyle,
        diags: &mut Diagnostics,
    ) -> Vec<Shaped> {
        if self.levels.is_empty() {
            return self.shape_level_run(piece, range, 0, style, diags);
        }
        let runs = level_runs(&self.levels, piece.at, range);
        let mut out = Vec::with_capacity(runs.len());
        for (range, level) in runs {
            out.extend(self.shape_level_run(piece, range, level, style, diags));
        }
        out
    }

    /// Shapes bytes `range` of a piece, all of one bidi level, in its direction.
    fn shape_level_run(
        &mut self,
        piece: &Styled,
        range: std::ops::Range<usize>,
        level: u8,
        style: &ParaStyle,
        diags: &mut Diagnostics,
    ) -> Vec<Shaped> {
        let rtl = level % 2 == 1;
        let text = &piece.text[range.clone()];
        let glyphs = self.fonts.shape_run(piece.face, piece.feat, text, rtl);
        let runs = if glyphs.iter().any(|g| g.id == 0) {
            self.fonts.split(piece.face, text)
        } else {
            Vec::new()
        };
        let whole = runs.len() <= 1 && runs.first().is_none_or(|r| r.1 == piece.face);
        let runs = if whole { vec![(0..text.len(), piece.face)] } else { runs };
        let size = piece_size(piece, style);
        let mut out = Vec::with_capacity(runs.len());
        for (r, face) in runs {
            let (start, end) = (range.start + r.start, range.start + r.end);
            let text = &piece.text[start..end];
            let glyphs = if whole {
                glyphs.to_vec()
            } else {
                self.fonts.shape_run(face, piece.feat, text, rtl).to_vec()
            };
            let span = sub_span(piece.span, piece.exact, start, end);
            self.report_missing(face, text, &glyphs, (span, piece.exact), diags);
            // The points inside this run, found by bisection: they are in text order,
            // and a paragraph of one long text has as many as it has words.
            let within = |v: &[u32]| -> Vec<usize> {
                let from = v.partition_point(|&h| (h as usize) <= start);
                let to = v.partition_point(|&h| (h as usize) < end);
                v[from..to.max(from)]
                    .iter()
                    .map(|&h| h as usize)
                    .filter(|&h| h > start && h < end)
                    .map(|h| h - start)
                    .collect()
            };
            out.push(Shaped {
                face,
                size: self.fonts.matched_size(piece.face, face, text, size),
                glyphs,
                text: text.to_string(),
                link: piece.link.clone(),
                note: None,
                span: sub_span(piece.span, piece.exact, start, end),
                exact: piece.exact,
                hyphens: within(&piece.hyphens),
                joins: within(&piece.joins),
                level,
                spaced: !beyond(text, 0xD8) || !text.chars().any(unspaced_script),
                lang: piece.lang,
                at: start,
            });
        }
        out
    }

    /// A note's reference mark: its number in the face's superior figures, or, in a
    /// face without them, in its own figures made smaller and raised (as a word
    /// processor's superscript: 65 % of the size, raised a third of the em).
    fn note_mark(
        &self,
        number: u32,
        first: bool,
        span: Span,
        style: &ParaStyle,
    ) -> Shaped {
        let text = number.to_string();
        let face = if style.face.is_mono() || style.face.role == Role::Sans {
            Face::REGULAR
        } else {
            style.face
        };
        // A face without figures (many Hebrew and Arabic faces have none of their
        // own) takes the mark's figures from the first face of its chain that has
        // them.
        let face = match self.fonts.split(face, &text).as_slice() {
            [(_, f)] => *f,
            _ => face,
        };
        let (glyphs, size) = if self.fonts.has_sups(face) {
            (self.fonts.shape(face, Feat::Sups, &text).to_vec(), style.size)
        } else {
            let raise = self.fonts.upem(face) / 2;
            let glyphs = self.fonts.shape(face, Feat::Lining, &text);
            let glyphs =
                glyphs.iter().map(|g| Glyph { dy: g.dy + raise, ..*g }).collect();
            (glyphs, style.size * 13 / 20)
        };
        Shaped {
            face,
            size,
            glyphs,
            text,
            link: Some(Link::Note(number)),
            note: Some((number, first)),
            span,
            exact: false,
            hyphens: Vec::new(),
            joins: Vec::new(),
            level: 0,
            spaced: true,
            lang: 0,
            at: 0,
        }
    }

    /// Adds emergency cuts inside every stretch of the word that is still wider than
    /// the measure between its natural cuts: between any two characters (and between
    /// two parts), except next to a joiner or before a note mark that follows text.
    /// Between two marks it may cut: a run of marks wider than the measure breaks
    /// rather than run off the page.
    fn emergency_cuts(&self, shaped: &[Shaped], cuts: &mut [Vec<Cut>]) {
        // The stretches: (part, glyph) positions where one starts, with its width.
        let mut stretch_start = (0usize, 0usize);
        let mut width: Sp = 0;
        let mut wide: Vec<((usize, usize), (usize, usize))> = Vec::new();
        for (k, s) in shaped.iter().enumerate() {
            let upem = self.fonts.upem(s.face);
            let mut next_cut = cuts[k].iter().map(|c| c.glyph).peekable();
            for (gi, g) in s.glyphs.iter().enumerate() {
                if next_cut.peek() == Some(&gi) {
                    next_cut.next();
                    if width > self.measure {
                        wide.push((stretch_start, (k, gi)));
                    }
                    stretch_start = (k, gi);
                    width = 0;
                }
                width += scale(g.adv, s.size, upem);
            }
        }
        if width > self.measure {
            wide.push((stretch_start, (shaped.len(), 0)));
        }
        for (from, to) in wide {
            for (k, s) in shaped.iter().enumerate() {
                if (k, 0) > to || k < from.0 {
                    continue;
                }
                for (gi, byte) in cluster_starts(s) {
                    let at = (k, gi);
                    let between_marks = gi == 0
                        && s.note.is_some()
                        && k > 0
                        && shaped[k - 1].note.is_some();
                    let allowed = at > from
                        && at < to
                        && (s.note.is_none() || between_marks)
                        && (gi > 0 || k > 0)
                        && !no_break_at(s, byte);
                    if allowed && !cuts[k].iter().any(|c| c.glyph == gi) {
                        cuts[k].push(Cut {
                            glyph: gi,
                            byte,
                            kind: Brk::Emergency,
                            penalty: EMERGENCY_PENALTY,
                        });
                    }
                }
                cuts[k].sort_by_key(|c| c.glyph);
            }
        }
    }

    /// Sets out one shaped part as boxes, with a penalty at each cut.
    fn emit(&mut self, s: &Shaped, cuts: &[Cut], p: &mut Para) {
        let size = s.size;
        let mut g0 = 0;
        let mut t0 = 0;
        for cut in cuts.iter().copied().map(Some).chain(std::iter::once(None)) {
            let (gi, b) =
                cut.map_or((s.glyphs.len(), s.text.len()), |c| (c.glyph, c.byte));
            if gi > g0 {
                let mut glyphs: Vec<Glyph> = s.glyphs[g0..gi]
                    .iter()
                    .map(|g| Glyph { cluster: g.cluster - t0 as u32, ..*g })
                    .collect();
                if s.level % 2 == 1 {
                    // Back to the visual order the shaper gave.
                    glyphs.reverse();
                }
                let span = sub_span(s.span, s.exact, t0, b);
                let mut f = Frag::new(
                    s.face,
                    size,
                    self.fonts.upem(s.face),
                    glyphs,
                    s.text[t0..b].to_string(),
                    s.link.clone(),
                    span,
                );
                if let Some((n, true)) = s.note {
                    f.note_anchor = std::num::NonZeroU32::new(n);
                }
                f.level = s.level;
                f.spaced = s.spaced;
                // Joined scripts and CJK are neither spaced nor expanded.
                f.expands = s.spaced && self.expansion;
                f.lang = s.lang;
                let start = if s.exact { s.span.start - s.at } else { s.span.start };
                f.origin = (start as u32, (s.at + t0) as u32);
                push_box(p, f);
            }
            if let Some(c) = cut {
                let item = match c.kind {
                    Brk::Ideographic => {
                        // A tenth of the em of stretch. Ideographs never shrink
                        // (JLREQ §3.8.3), but full-width punctuation is half blank:
                        // after a closing mark (、。」…) or before an opening one
                        // (「（…) the glue may take back that half em, as JIS X 4051
                        // compresses punctuation before anything else.
                        let before = s.text[..c.byte].chars().next_back();
                        let after = s.text[c.byte..].chars().next();
                        let half = before.is_some_and(|c| CJK_CLOSING.contains(c))
                            || after.is_some_and(|c| CJK_OPENING.contains(c));
                        let sh = if half { size / 2 } else { 0 };
                        Item::Glue { w: 0, st: size / 10, sh, fil: false }
                    }
                    Brk::Hyphen => {
                        let hf = self.hyphen(s.face, size, p);
                        Item::Penalty {
                            w: p.frags[hf].width(),
                            p: c.penalty,
                            kind: c.kind,
                            frag: Some(hf),
                            lost: (0, 0),
                        }
                    }
                    kind => Item::Penalty {
                        w: 0,
                        p: c.penalty,
                        kind,
                        frag: None,
                        lost: (0, 0),
                    },
                };
                p.items.push(item);
            }
            g0 = gi;
            t0 = b;
        }
    }

    /// The hyphen of a face and size, added to the paragraph's fragments.
    fn hyphen(&mut self, face: Face, size: Sp, p: &mut Para) -> usize {
        let fonts = self.fonts;
        let f = self
            .hyphens
            .entry((face, size))
            .or_insert_with(|| {
                let hg = fonts.shape(face, Feat::Text, "-");
                Arc::new(Frag::new(
                    face,
                    size,
                    fonts.upem(face),
                    hg.to_vec(),
                    "-".into(),
                    None,
                    Span::default(),
                ))
            })
            .clone();
        p.frags.push(f);
        p.frags.len() - 1
    }

    fn report_missing(
        &mut self,
        face: Face,
        text: &str,
        glyphs: &[Glyph],
        (span, exact): (Span, bool),
        diags: &mut Diagnostics,
    ) {
        for g in glyphs.iter().filter(|g| g.id == 0) {
            let at = g.cluster as usize;
            let c = text[at..].chars().next().unwrap_or(' ');
            let span = sub_span(span, exact, at, at + c.len_utf8());
            if c.is_whitespace() || self.reported.contains(&c) {
                continue;
            }
            self.reported.push(c);
            diags.push(crate::typeface::uncovered(
                c,
                &self.fonts.chain_names(face),
                span,
            ));
        }
    }
}

/// The size a piece is set at: code in running text a little smaller than the text
/// (the monospaced face's letters are larger than a book face's at one size), code
/// in a code block at the block's size.
fn piece_size(piece: &Styled, style: &ParaStyle) -> Sp {
    if piece.code && !style.face.is_mono() {
        super::style::STYLES.inline_code.of(style.size)
    } else {
        style.size
    }
}

/// The runs of one bidi level in bytes `range` of a piece whose text starts at byte
/// `at` of the paragraph's text.
fn level_runs(
    levels: &[u8],
    at: usize,
    range: std::ops::Range<usize>,
) -> Vec<(std::ops::Range<usize>, u8)> {
    let level = |i: usize| levels.get(at + i).copied().unwrap_or(0);
    let mut runs: Vec<(std::ops::Range<usize>, u8)> = Vec::new();
    let mut start = range.start;
    for i in range.clone() {
        if level(i) != level(start) {
            runs.push((start..i, level(start)));
            start = i;
        }
    }
    runs.push((start..range.end, level(start)));
    runs
}

/// Whether a character belongs to a script whose letters must not be spaced apart:
/// joining scripts (Arabic, Syriac, N'Ko, Mongolian), the Indic scripts whose letters
/// hang from a headline, and CJK (justified by inter-character glue instead).
fn unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{0600}'..='\u{08FF}'
        | '\u{0900}'..='\u{0DFF}'
        | '\u{1800}'..='\u{18AF}'
        | '\u{2E80}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FE70}'..='\u{FEFF}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Whether a text has a character whose UTF-8 lead byte is `lead` or more: a quick
/// byte test before a test by characters (U+0590, Hebrew, starts at 0xD6; U+0600,
/// Arabic, at 0xD8; U+2E80, CJK, at 0xE2), so Latin text pays next to nothing.
fn beyond(text: &str, lead: u8) -> bool {
    text.bytes().any(|b| b >= lead)
}

/// Whether a character may make a paragraph's text bidirectional: a letter or digit
/// of a right-to-left script (bidi classes R, AL, AN: the Hebrew to N'Ko blocks,
/// their presentation forms, the historic right-to-left blocks) or a right-to-left
/// control. A quick test that keeps the bidi algorithm off every other paragraph.
fn maybe_rtl(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}'
        | '\u{10800}'..='\u{10FFF}'
        | '\u{1E800}'..='\u{1EFFF}'
        | '\u{200F}'
        | '\u{202B}'
        | '\u{202E}'
        | '\u{2067}')
}

/// Pushes a fragment as a box. Letter-spacing goes between a word's glyphs, never
/// after its last one, so it widens words, not the spaces between them.
fn push_box(p: &mut Para, f: Frag) {
    let (st, sh) = f.flex(false);
    p.items.push(Item::Box { w: f.width(), st, sh, frag: Some(p.frags.len()) });
    p.frags.push(Arc::new(f));
}

/// Marks every fragment of the word whose items start at `first`, but its last, as
/// followed by more of the word, and gives its box the letter-spacing flexibility of
/// the gap after its last glyph.
fn continue_word(p: &mut Para, first: usize) {
    let Para { items, frags, .. } = p;
    let boxes: Vec<usize> = (first..items.len())
        .filter(|&i| matches!(items[i], Item::Box { frag: Some(_), .. }))
        .collect();
    for &i in boxes.iter().rev().skip(1) {
        let Item::Box { st, sh, frag: Some(f), .. } = &mut items[i] else { continue };
        let frag = Arc::make_mut(&mut frags[*f]);
        frag.continues = true;
        (*st, *sh) = frag.flex(true);
        let gap = frag.letters(1);
        if let Some(Item::Penalty { lost, .. }) = items.get_mut(i + 1) {
            *lost = gap;
        }
    }
}

/// Whether the word is a web or mail address (the same test as the hyphenation pass,
/// which leaves such words alone).
fn is_url(shaped: &[Shaped]) -> bool {
    let text: String = shaped.iter().map(|s| s.text.as_str()).collect();
    text.contains("://") || text.starts_with("www.") || text.starts_with("mailto:")
}

/// Whether a break before byte `b` of the part is forbidden by its neighbours: a
/// joiner stood there, or a no-break character is on either side.
fn no_break_at(s: &Shaped, b: usize) -> bool {
    if s.joins.contains(&b) {
        return true;
    }
    let before = s.text[..b].chars().next_back();
    let after = s.text[b..].chars().next();
    before.is_some_and(is_glue) || after.is_some_and(is_glue)
}

/// The glyph index and byte offset where each cluster of a part starts (left to
/// right); a position inside a ligature is no cluster start.
fn cluster_starts(s: &Shaped) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut max_before = None::<u32>;
    for (gi, g) in s.glyphs.iter().enumerate() {
        if max_before.is_none_or(|m| g.cluster > m) {
            out.push((gi, g.cluster as usize));
        }
        max_before = Some(max_before.map_or(g.cluster, |m| m.max(g.cluster)));
    }
    out
}

/// Full-width closing punctuation whose glyph is half blank on its right (JIS X
/// 4051 classes 2, 5 and 6: closing brackets, commas, full stops).
const CJK_CLOSING: &str = "、。，．」』）】〉》〕";
/// Full-width opening brackets, half blank on their left.
const CJK_OPENING: &str = "「『（【〈《〔";

/// Whether a character is Chinese or Japanese: ideographs, kana, CJK punctuation
/// and full-width forms — where UAX #14 allows breaks between characters.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'
        | '\u{3000}'..='\u{30FF}'
        | '\u{3100}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Adds the UAX #14 break opportunities of a word that touch a Chinese or Japanese
/// character (the algorithm's prohibitions keep 、。」！？ and small kana from
/// starting a line and 「『（ from ending one) as ideographic cuts.
fn ideographic_cuts(shaped: &[Shaped], cuts: &mut [Vec<Cut>]) {
    let cjk = |s: &Shaped| beyond(&s.text, 0xE2) && s.text.chars().any(is_cjk);
    if !shaped.iter().any(|s| s.note.is_none() && cjk(s)) {
        return;
    }
    let text: String = shaped.iter().map(|s| s.text.as_str()).collect();
    let mut at = Vec::with_capacity(shaped.len());
    let mut start = 0;
    for s in shaped {
        at.push(start);
        start += s.text.len();
    }
    for (b, _) in unicode_linebreak::linebreaks(&text) {
        if b == 0 || b >= text.len() {
            continue;
        }
        let before = text[..b].chars().next_back().is_some_and(is_cjk);
        let after = text[b..].chars().next().is_some_and(is_cjk);
        if !(before || after) {
            continue;
        }
        // The part the break falls in (or starts), and the glyph that starts there.
        let k = at.iter().rposition(|&a| a <= b).unwrap_or(0);
        let s = &shaped[k];
        let byte = b - at[k];
        if s.note.is_some() || (byte == 0 && k == 0) || no_break_at(s, byte) {
            continue;
        }
        let glyph = if byte == 0 {
            Some(0)
        } else {
            cluster_starts(s).iter().find(|&&(_, cb)| cb == byte).map(|&(gi, _)| gi)
        };
        if let Some(glyph) = glyph
            && !cuts[k].iter().any(|c| c.glyph == glyph)
        {
            cuts[k].push(Cut { glyph, byte, kind: Brk::Ideographic, penalty: 0 });
            cuts[k].sort_by_key(|c| c.glyph);
        }
    }
}

/// The cuts a part offers before any emergency: hyphenation points (if the paragraph
/// hyphenates), explicit hyphens, dashes and slashes between words, and the
/// allowed places in a web address.
fn natural_cuts(s: &Shaped, hyphenate: bool, url: bool) -> Vec<Cut> {
    if s.note.is_some() {
        return Vec::new();
    }
    let points = break_points(s, hyphenate, url);
    // Most parts offer none: a short word, a space, a mark.
    if points.is_empty() {
        return Vec::new();
    }
    let starts = cluster_starts(s);
    points
        .into_iter()
        .filter(|&(b, ..)| !no_break_at(s, b))
        .filter_map(|(b, kind, penalty)| {
            starts
                .iter()
                .find(|&&(gi, byte)| byte == b && gi > 0)
                .map(|&(glyph, byte)| Cut { glyph, byte, kind, penalty })
        })
        .collect()
}

/// Where a part's text may break before any emergency (see [`natural_cuts`]): byte
/// offsets in order, each once (a hyphenation point before a hyphen's), with the
/// kind of break and its penalty.
fn break_points(s: &Shaped, hyphenate: bool, url: bool) -> Vec<(usize, Brk, i32)> {
    let mut points: Vec<(usize, Brk, i32)> = Vec::new();
    // Each character with the one after it.
    let pairs = s.text.char_indices().zip(s.text.char_indices().skip(1));
    if url {
        for ((_, a), (j, b)) in pairs {
            let after_sep = matches!(a, '/' | '-' | '.' | '?' | '&' | '=' | '#');
            if after_sep && !(a == '/' && b == '/') {
                points.push((j, Brk::Plain, URL_PENALTY));
            }
        }
    } else {
        if hyphenate {
            points.extend(s.hyphens.iter().map(|&h| (h, Brk::Hyphen, HYPHEN_PENALTY)));
        }
        // Only a hyphen, a slash or a dash (U+2013, U+2014: lead byte 0xE2) breaks
        // after itself: a text without one is not walked.
        if s.text.bytes().any(|c| matches!(c, b'-' | b'/' | 0xE2)) {
            for ((_, a), (j, b)) in pairs {
                if a == '-' && b.is_alphabetic() && j > 1 {
                    points.push((j, Brk::Explicit, HYPHEN_PENALTY));
                } else if matches!(a, '—' | '–' | '/') && !b.is_whitespace() && j > 1
                {
                    points.push((j, Brk::Plain, DASH_PENALTY));
                }
            }
        }
    }
    points.sort_by_key(|p| p.0);
    points.dedup_by_key(|p| p.0);
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<Inline> {
        vec![Inline::Text {
            text: s.into(),
            hyphens: Vec::new(),
            span: Span::new(0, s.len()),
        }]
    }

    fn style() -> ParaStyle {
        ParaStyle {
            face: Face::REGULAR,
            feat: Feat::Text,
            size: 11 * super::super::units::PT,
            leading: 14 * super::super::units::PT,
            indent: 0,
            align: Align::Justify,
            hyphenate: true,
        }
    }

    /// The texts between the breaks a paragraph offers, with the kind of each.
    fn cuts(s: &str, measure: Sp) -> Vec<(String, Option<Brk>)> {
        let fonts = Fonts::new();
        let mut b = Builder::new(&fonts, measure);
        let p = b.para(&text(s), &style(), &mut Diagnostics::default());
        let mut out: Vec<(String, Option<Brk>)> = vec![(String::new(), None)];
        for it in &p.items {
            match it {
                Item::Box { frag: Some(f), .. } => {
                    out.last_mut().unwrap().0.push_str(&p.frags[*f].text)
                }
                Item::Penalty { p: pen, kind, .. }
                    if *pen < INF_PENALTY && *pen > FORCE =>
                {
                    out.last_mut().unwrap().1 = Some(*kind);
                    out.push((String::new(), None));
                }
                Item::Glue { .. } => out.push((String::new(), None)),
                _ => {}
            }
        }
        out.retain(|(t, _)| !t.is_empty());
        out
    }

    #[test]
    fn urls_break_only_after_their_separators() {
        let wide = 1000 * super::super::units::PT;
        let c = cuts("https://example.org/path/1848/a-b?x=1&y=2#frag", wide);
        let texts: Vec<&str> = c.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "https://", "example.", "org/", "path/", "1848/", "a-", "b?", "x=", "1&",
                "y=", "2#", "frag"
            ]
        );
        assert!(c.iter().all(|(_, k)| k.is_none_or(|k| k == Brk::Plain)));
    }

    #[test]
    fn a_word_joiner_forbids_the_break_and_is_not_drawn() {
        let wide = 1000 * super::super::units::PT;
        let c = cuts("1862\u{2060}–\u{2060}64 and 1862–64", wide);
        let texts: Vec<&str> = c.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["1862–64", "and", "1862–", "64"]);
    }

    #[test]
    fn soft_hyphens_are_break_points_and_not_drawn() {
        let fonts = Fonts::new();
        let mut b = Builder::new(&fonts, 1000 * super::super::units::PT);
        let text = "revo\u{ad}lution";
        let inl = vec![Inline::Text {
            text: text.into(),
            hyphens: vec![4],
            span: Span::new(0, text.len()),
        }];
        let p = b.para(&inl, &style(), &mut Diagnostics::default());
        let texts: Vec<&str> = p
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Box { frag: Some(f), .. } => Some(p.frags[*f].text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["revo", "lution"]);
        assert!(
            p.items.iter().any(|i| matches!(i, Item::Penalty { kind: Brk::Hyphen, .. }))
        );
    }

    #[test]
    fn only_a_stretch_wider_than_the_measure_breaks_between_letters() {
        let measure = 60 * super::super::units::PT;
        // A long compound: only its over-wide component gets emergency cuts.
        let c = cuts("ab-Pneumonoultramicroscopicsilicovolcanoconiosis", measure);
        assert_eq!(c[0], ("ab-".to_string(), Some(Brk::Explicit)));
        assert!(c[1..c.len() - 1].iter().all(|(_, k)| *k == Some(Brk::Emergency)));
        // A word that fits has none.
        let c = cuts("short words only", measure);
        assert!(c.iter().all(|(_, k)| k.is_none()));
    }

    #[test]
    fn widths_of_a_paragraph() {
        let fonts = Fonts::new();
        let mut b = Builder::new(&fonts, 1000 * super::super::units::PT);
        let p = b.para(&text("aa bbbb"), &style(), &mut Diagnostics::default());
        let (min, max) = p.widths();
        assert!(min > 0 && max > min);
    }

    #[test]
    fn words_in_capitals_are_told_from_others() {
        for w in ["WHALE.", "“WHALE.", "A.S.", "NATO", "WALW-IAN,", "(DUODECIMO),"] {
            assert!(in_capitals(w), "{w}");
        }
        for w in ["Mr.", "I", "Whale", "1848", "—", "iPHONE"] {
            assert!(!in_capitals(w), "{w}");
        }
    }

    #[test]
    fn font_expansion_widens_a_justified_line_by_one_factor_within_its_limit() {
        use super::super::linebreak::{Params, linebreak};
        let fonts = Fonts::new();
        let measure = 200 * super::super::units::PT;
        let mut b = Builder::new(&fonts, measure);
        let words = "The Commune came too late. It had all the possibilities of taking \
                     the power on September and that would have permitted the proletariat \
                     of Paris to place itself at a single stroke at the head of the workers";
        let p = b.para(&text(words), &style(), &mut Diagnostics::default());
        let (breaks, _) = linebreak(
            &p.items,
            &[],
            measure,
            &Params::for_size(11 * super::super::units::PT),
            None,
        );
        let lines = super::super::lines::set(&p, &breaks, measure, Align::Justify, &[]);
        let mut expanded = 0;
        for line in lines.iter().filter(|l| !l.last) {
            let scales: Vec<f64> = line
                .runs
                .iter()
                .map(|r| {
                    (r.frag.width() + Sp::from(r.grow)) as f64 / r.frag.width() as f64
                })
                .collect();
            let (lo, hi) =
                scales.iter().fold((f64::MAX, 0.0f64), |(a, b), &s| (a.min(s), b.max(s)));
            // One factor for the line (up to rounding), within ±2 %.
            assert!(hi - lo < 0.002, "scales {scales:?}");
            assert!(
                lo >= 1.0 - EXPAND_SHRINK - 1e-3 && hi <= 1.0 + EXPAND_STRETCH + 1e-3
            );
            expanded += usize::from((hi - 1.0).abs() > 1e-4);
            // The glyphs' advances, expansion and letter-spacing included, are
            // each run's width: the ink stands where the layout put it.
            for r in &line.runs {
                let mut adv = Vec::new();
                r.push_advances(&mut adv);
                assert_eq!(adv.iter().sum::<Sp>(), r.width());
            }
            assert_eq!(line.width, measure);
        }
        assert!(expanded > 0, "no line was expanded or condensed");
    }
}
