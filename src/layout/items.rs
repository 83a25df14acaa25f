//! Paragraph → boxes, glue and penalties (Knuth & Plass 1981, §2; The TeXbook ch. 14).
//!
//! Input: a paragraph's inlines and its [`ParaStyle`]. Output: a [`Para`]: items for
//! the line breaker, and the shaped fragments the boxes stand for. Words are shaped
//! whole (kerning and ligatures intact) and cut at the model's hyphenation points
//! where a cluster boundary allows; each cut is a flagged penalty carrying the hyphen's
//! width. Interword glue follows TeX's defaults for a text face (stretch ½, shrink ⅓
//! of the space). Each box also carries a little letter-spacing stretch and shrink
//! (SPECS B.9: −1 % to +2 % of the em per glyph), so justification can spread its
//! slack over letters as well as spaces and keep word gaps even.
//!
//! Not here: choosing breaks (`linebreak`), positioning (`lines`).

use std::rc::Rc;

use super::fonts::{Face, Feat, Fonts, Glyph};
use super::units::{Sp, scale};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::Inline;

/// Penalty that forbids a break (TeX's 10000).
pub const INF_PENALTY: i32 = 10_000;
/// Penalty that forces one (TeX's −10000).
pub const FORCE: i32 = -10_000;

/// Where a fragment links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A web or mail address.
    Url(String),
    /// A note, by number (a reference mark in the text).
    Note(u32),
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
    /// The first reference to a note is an anchor the note links back to.
    pub note_anchor: Option<u32>,
    /// Part of a word too wide for the measure, broken between letters.
    pub broken: bool,
    /// Where the text came from.
    pub span: Span,
}

impl Frag {
    /// A fragment; its width is the sum of its glyphs' advances at `size`.
    #[allow(clippy::too_many_arguments)]
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
        Frag {
            face,
            size,
            glyphs,
            upem,
            width,
            text,
            link,
            note_anchor: None,
            broken: false,
            span,
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
        /// A hyphenated break (for double-hyphen demerits and the hyphen run limit).
        flagged: bool,
        /// A discretionary from the hyphenation patterns (off in the first pass).
        hyphenation: bool,
        /// The hyphen drawn when broken here.
        frag: Option<usize>,
    },
}

impl Item {
    /// A plain penalty: no width, not a hyphen.
    pub fn penalty(p: i32) -> Item {
        Item::Penalty { w: 0, p, flagged: false, hyphenation: false, frag: None }
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

/// Letter-spacing flexibility per glyph, as a fraction of the size (SPECS B.9).
pub const TRACK_STRETCH: f64 = 0.02;
/// See [`TRACK_STRETCH`].
pub const TRACK_SHRINK: f64 = 0.01;

/// A paragraph ready for line breaking.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Para {
    /// The horizontal list.
    pub items: Vec<Item>,
    /// What the boxes draw.
    pub frags: Vec<Rc<Frag>>,
}

/// A piece of text in one style.
struct Piece {
    text: String,
    face: Face,
    feat: Feat,
    link: Option<Link>,
    span: Span,
    hyphens: Vec<u32>,
}

enum Token {
    Text(Piece),
    Note { number: u32, first: bool, span: Span },
    Break,
}

fn flatten(
    inlines: &[Inline],
    face: Face,
    feat: Feat,
    link: &Option<Link>,
    out: &mut Vec<Token>,
) {
    for i in inlines {
        match i {
            Inline::Text { text, hyphens, span } => out.push(Token::Text(Piece {
                text: text.clone(),
                face,
                feat,
                link: link.clone(),
                span: *span,
                hyphens: hyphens.clone(),
            })),
            Inline::Emphasis { content, .. } => {
                flatten(content, face.emphasised(), feat, link, out)
            }
            Inline::Strong { content, .. } => {
                flatten(content, face.strong(), feat, link, out)
            }
            Inline::Strikethrough { content, .. } => {
                flatten(content, face, feat, link, out)
            }
            Inline::Link { url, content, .. } => {
                let l =
                    crate::model::html::safe_href(url).then(|| Link::Url(url.clone()));
                flatten(content, face, feat, &l.or_else(|| link.clone()), out);
            }
            Inline::Code { text, span } => out.push(Token::Text(Piece {
                text: text.clone(),
                face: Face::Sans,
                feat: Feat::Text,
                link: link.clone(),
                span: *span,
                hyphens: Vec::new(),
            })),
            Inline::Image { alt, span, .. } => out.push(Token::Text(Piece {
                text: format!("[{alt}]"),
                face: face.emphasised(),
                feat,
                link: None,
                span: *span,
                hyphens: Vec::new(),
            })),
            Inline::NoteRef { number, first, span, .. } => {
                if *number > 0 {
                    out.push(Token::Note { number: *number, first: *first, span: *span });
                }
            }
            Inline::SoftBreak { span } => out.push(Token::Text(Piece {
                text: " ".into(),
                face,
                feat,
                link: None,
                span: *span,
                hyphens: Vec::new(),
            })),
            Inline::LineBreak { .. } => out.push(Token::Break),
            Inline::Html { .. } => {}
        }
    }
}

/// A part of a word: a slice of a piece, or a note mark.
enum Part<'a> {
    Text { piece: &'a Piece, start: usize, end: usize },
    Note { number: u32, first: bool, span: Span },
}

/// Builds paragraphs' items; holds what every paragraph needs.
pub struct Builder<'f> {
    /// Fonts and their shaping cache.
    pub fonts: &'f Fonts,
    /// The text measure (for cutting over-long words).
    pub measure: Sp,
    /// Characters already reported as missing from the fonts.
    reported: Vec<char>,
    /// The hyphen of each face and size, shared by every line that ends with one.
    hyphens: std::collections::BTreeMap<(Face, Sp), Rc<Frag>>,
}

impl<'f> Builder<'f> {
    /// A builder for a measure.
    pub fn new(fonts: &'f Fonts, measure: Sp) -> Self {
        Builder { fonts, measure, reported: Vec::new(), hyphens: Default::default() }
    }

    /// Builds a paragraph.
    pub fn para(
        &mut self,
        inlines: &[Inline],
        style: &ParaStyle,
        diags: &mut Diagnostics,
    ) -> Para {
        let mut tokens = Vec::new();
        flatten(inlines, style.face, style.feat, &None, &mut tokens);
        let mut p = Para::default();
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
                Token::Note { number, first, span } => {
                    word.push(Part::Note { number: *number, first: *first, span: *span })
                }
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

    fn frag(
        &mut self,
        face: Face,
        size: Sp,
        glyphs: &[Glyph],
        text: &str,
        link: Option<Link>,
        span: Span,
    ) -> Frag {
        Frag::new(
            face,
            size,
            self.fonts.upem(face),
            glyphs.to_vec(),
            text.to_string(),
            link,
            span,
        )
    }

    fn push_box(p: &mut Para, f: Frag) {
        // Letter-spacing goes between a fragment's glyphs, never after its last one,
        // so it widens words, not the spaces between them.
        let n = f.glyphs.len().saturating_sub(1) as f64;
        let size = f.size as f64;
        let w = f.width();
        p.items.push(Item::Box {
            w,
            st: (n * size * TRACK_STRETCH) as Sp,
            sh: (n * size * TRACK_SHRINK) as Sp,
            frag: Some(p.frags.len()),
        });
        p.frags.push(Rc::new(f));
    }

    fn report_missing(
        &mut self,
        face: Face,
        text: &str,
        glyphs: &[Glyph],
        span: Span,
        diags: &mut Diagnostics,
    ) {
        for g in glyphs.iter().filter(|g| g.id == 0) {
            let c = text[g.cluster as usize..].chars().next().unwrap_or(' ');
            if c.is_whitespace() || self.reported.contains(&c) {
                continue;
            }
            self.reported.push(c);
            diags.push(
                Diagnostic::warning(
                    "uncovered-char",
                    span,
                    format!("U+{:04X} `{c}` is not in the font ({}); the PDF shows an empty box", c as u32, face.file().family),
                )
                .with_hint("replace the character, or avoid it in the print edition"),
            );
        }
    }

    /// Emits a word: its parts as boxes, with penalties at allowed breaks inside it.
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
        // Shape each part.
        struct Shaped {
            face: Face,
            glyphs: Vec<Glyph>,
            text: String,
            link: Option<Link>,
            note: Option<(u32, bool)>,
            span: Span,
            breaks: Vec<(usize, Kind)>,
        }
        #[derive(Clone, Copy, PartialEq)]
        enum Kind {
            Hyphenation,
            Explicit,
            Dash,
        }
        let mut shaped = Vec::new();
        for part in &parts {
            match part {
                Part::Text { piece, start, end } => {
                    let text = &piece.text[*start..*end];
                    let glyphs = self.fonts.shape(piece.face, piece.feat, text).to_vec();
                    self.report_missing(piece.face, text, &glyphs, piece.span, diags);
                    let mut breaks = Vec::new();
                    if style.hyphenate {
                        for &h in &piece.hyphens {
                            let h = h as usize;
                            if h > *start && h < *end {
                                breaks.push((h - start, Kind::Hyphenation));
                            }
                        }
                    }
                    let chars: Vec<(usize, char)> = text.char_indices().collect();
                    for w in chars.windows(2) {
                        let ((_, a), (j, b)) = (w[0], w[1]);
                        if a == '-' && b.is_alphabetic() && j > 1 {
                            breaks.push((j, Kind::Explicit));
                        } else if matches!(a, '—' | '–' | '/')
                            && !b.is_whitespace()
                            && j > 1
                        {
                            breaks.push((j, Kind::Dash));
                        }
                    }
                    breaks.sort_by_key(|b| b.0);
                    breaks.dedup_by_key(|b| b.0);
                    shaped.push(Shaped {
                        face: piece.face,
                        glyphs,
                        text: text.to_string(),
                        link: piece.link.clone(),
                        note: None,
                        span: piece.span,
                        breaks,
                    });
                }
                Part::Note { number, first, span } => {
                    let text = number.to_string();
                    let face = match style.face {
                        Face::Sans => Face::Regular,
                        f => f,
                    };
                    let glyphs = self.fonts.shape(face, Feat::Sups, &text).to_vec();
                    shaped.push(Shaped {
                        face,
                        glyphs,
                        text,
                        link: Some(Link::Note(*number)),
                        note: Some((*number, *first)),
                        span: *span,
                        breaks: Vec::new(),
                    });
                }
            }
        }
        let total: Sp = shaped
            .iter()
            .map(|s| {
                s.glyphs
                    .iter()
                    .map(|g| scale(g.adv, style.size, self.fonts.upem(s.face)))
                    .sum::<Sp>()
            })
            .sum();
        // A word wider than the measure may break between any two characters — the
        // last resort that keeps every line inside the measure.
        let anywhere = total > self.measure * 9 / 10;
        for (k, s) in shaped.iter().enumerate() {
            if k > 0 && s.note.is_none() && anywhere {
                p.items.push(Item::Penalty {
                    w: 0,
                    p: 1000,
                    flagged: false,
                    hyphenation: false,
                    frag: None,
                });
            }
            // Cut points as glyph indices: a point inside a ligature is no cut.
            let mut cuts: Vec<(usize, Kind, usize)> = Vec::new();
            let points: Vec<(usize, Kind)> = if anywhere {
                s.text.char_indices().skip(1).map(|(i, _)| (i, Kind::Dash)).collect()
            } else {
                s.breaks.clone()
            };
            for (b, kind) in points {
                if let Some(gi) = s.glyphs.iter().position(|g| g.cluster as usize >= b)
                    && gi > 0
                    && s.glyphs[gi].cluster as usize == b
                    && s.glyphs[..gi].iter().all(|g| (g.cluster as usize) < b)
                {
                    cuts.push((gi, kind, b));
                }
            }
            let mut g0 = 0;
            let mut t0 = 0;
            let hyphen = |me: &mut Self, p: &mut Para| -> usize {
                let f = me
                    .hyphens
                    .entry((s.face, style.size))
                    .or_insert_with(|| {
                        let hg = me.fonts.shape(s.face, Feat::Text, "-");
                        let upem = me.fonts.upem(s.face);
                        Rc::new(Frag::new(
                            s.face,
                            style.size,
                            upem,
                            hg.to_vec(),
                            "-".into(),
                            None,
                            Span::default(),
                        ))
                    })
                    .clone();
                p.frags.push(f);
                p.frags.len() - 1
            };
            for (gi, kind, b) in cuts.iter().copied().chain(std::iter::once((
                s.glyphs.len(),
                Kind::Dash,
                s.text.len(),
            ))) {
                let glyphs: Vec<Glyph> = s.glyphs[g0..gi]
                    .iter()
                    .map(|g| Glyph { cluster: g.cluster - t0 as u32, ..*g })
                    .collect();
                let mut f = self.frag(
                    s.face,
                    style.size,
                    &glyphs,
                    &s.text[t0..b],
                    s.link.clone(),
                    s.span,
                );
                if let Some((n, true)) = s.note {
                    f.note_anchor = Some(n);
                }
                f.broken = anywhere;
                Self::push_box(p, f);
                if gi < s.glyphs.len() {
                    let item = match kind {
                        Kind::Hyphenation => {
                            let hf = hyphen(self, p);
                            let w = p.frags[hf].width();
                            Item::Penalty {
                                w,
                                p: 50,
                                flagged: true,
                                hyphenation: true,
                                frag: Some(hf),
                            }
                        }
                        Kind::Explicit => Item::Penalty {
                            w: 0,
                            p: 50,
                            flagged: true,
                            hyphenation: false,
                            frag: None,
                        },
                        Kind::Dash if anywhere => Item::Penalty {
                            w: 0,
                            p: 1000,
                            flagged: false,
                            hyphenation: false,
                            frag: None,
                        },
                        Kind::Dash => Item::Penalty {
                            w: 0,
                            p: 50,
                            flagged: false,
                            hyphenation: false,
                            frag: None,
                        },
                    };
                    p.items.push(item);
                }
                g0 = gi;
                t0 = b;
            }
        }
    }
}
