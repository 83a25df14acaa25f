//! Blocks → the vertical list (TeX's "galley"): lines and spaces with the rules for
//! where a page may end. A break is allowed before a paragraph's line k of n only
//! when k = 0 or when at least two lines stay on each side (no orphan, no widow); never
//! within the first two lines after a heading or right after a section-break ornament.
//! Notes are set here too, at note size, ready for the page builder.

use std::collections::BTreeMap;

use super::fonts::{Face, Feat, Fonts};
use super::items::{Align, Builder, ParaStyle};
use super::linebreak::{Params, Ragged, linebreak};
use super::lines::{self, Line};
use super::units::Sp;
use super::{Geometry, LayoutOptions};
use crate::diag::{Diagnostics, Span};
use crate::model::{Block, DivRole, Document, Inline, plain_text};

/// What a vertical item is.
#[derive(Debug, Clone, PartialEq)]
pub enum VKind {
    /// A line of text, `x` from the text block's left edge, its baseline `ascent`
    /// below the item's top.
    Line {
        /// The set line.
        line: Line,
        /// Offset from the text block's left edge.
        x: Sp,
        /// Baseline below the item's top.
        ascent: Sp,
    },
    /// Vertical space.
    Space,
    /// A heading starts here (for the outline).
    Mark {
        /// Level.
        level: u8,
        /// Plain text.
        text: String,
    },
    /// An image, scaled to fit.
    Image {
        /// Path as written.
        src: String,
        /// Alternative text.
        alt: String,
        /// Offset from the text block's left edge.
        x: Sp,
        /// Width on the page.
        w: Sp,
    },
}

/// One item of the vertical list.
#[derive(Debug, Clone, PartialEq)]
pub struct VItem {
    /// Height it takes.
    pub h: Sp,
    /// What it is.
    pub kind: VKind,
    /// Whether a page may end just before it.
    pub break_before: bool,
    /// Dropped when it would start a page (space).
    pub discard: bool,
    /// Notes referenced in it.
    pub notes: Vec<u32>,
    /// Starts a new page; `true` for a right-hand page (a chapter).
    pub new_page: Option<bool>,
    /// The page it starts has no running head (chapter openings, the first page).
    pub opening: bool,
    /// Where it came from (for layout findings).
    pub span: Span,
}

/// A note, set: its lines and their leading.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteLines {
    /// The lines.
    pub lines: Vec<Line>,
    /// Their baseline-to-baseline distance.
    pub leading: Sp,
    /// Type size.
    pub size: Sp,
}

/// The vertical list and the notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Galley {
    /// Body items in reading order.
    pub items: Vec<VItem>,
    /// Notes by number.
    pub notes: BTreeMap<u32, NoteLines>,
    /// Running head for left-hand pages (the author), and right-hand (the title).
    pub heads: (String, String),
}

struct Ctx<'a, 'd> {
    fonts: &'a Fonts,
    geo: &'a Geometry,
    opts: &'a LayoutOptions,
    builder: Builder<'a>,
    diags: &'d mut Diagnostics,
    out: Vec<VItem>,
    /// Lines still to keep with what precedes them (after a heading or ornament).
    keep: u8,
}

impl Ctx<'_, '_> {
    fn push(&mut self, mut it: VItem) {
        if self.keep > 0 && matches!(it.kind, VKind::Line { .. } | VKind::Image { .. }) {
            it.break_before = false;
            self.keep -= 1;
        }
        self.out.push(it);
    }

    fn space(&mut self, h: Sp, span: Span) {
        self.out.push(VItem {
            h,
            kind: VKind::Space,
            break_before: self.keep == 0,
            discard: true,
            notes: Vec::new(),
            new_page: None,
            opening: false,
            span,
        });
    }

    /// Sets a paragraph and appends its lines; returns how many.
    fn para(
        &mut self,
        inlines: &[Inline],
        style: ParaStyle,
        x: Sp,
        measure: Sp,
        span: Span,
    ) -> usize {
        let lines = set_para(&mut self.builder, inlines, &style, measure, self.diags);
        let n = lines.len();
        let mut after_hyphen = false;
        for (k, line) in lines.into_iter().enumerate() {
            let notes = line.notes.clone();
            // No orphan, no widow (two lines on each side), and no page ending in a
            // hyphen (TeX's \brokenpenalty, made absolute).
            let break_before = k == 0 || (k >= 2 && n - k >= 2 && !after_hyphen);
            after_hyphen = line.hyphenated;
            self.push(VItem {
                h: style.leading,
                kind: VKind::Line { line, x, ascent: style.size },
                break_before,
                discard: false,
                notes,
                new_page: None,
                opening: false,
                span,
            });
        }
        n
    }

    fn body(&self) -> ParaStyle {
        ParaStyle {
            face: Face::Regular,
            feat: Feat::Text,
            size: self.geo.size,
            leading: self.geo.leading,
            indent: 0,
            align: Align::Justify,
            hyphenate: true,
        }
    }

    fn blocks(&mut self, blocks: &[Block], x: Sp, measure: Sp, base: ParaStyle) {
        for b in blocks {
            self.block(b, x, measure, base);
        }
    }

    fn block(&mut self, b: &Block, x: Sp, measure: Sp, base: ParaStyle) {
        let l = self.geo.leading;
        let em = base.size;
        match b {
            Block::Paragraph { content, indent, span } => {
                let style = ParaStyle { indent: if *indent { em } else { 0 }, ..base };
                self.para(content, style, x, measure, *span);
            }
            Block::Heading { level, content, span, .. } => {
                let (size, face, align, before, after) = match level {
                    1 => (em * 7 / 5, Face::Regular, Align::Center, 2 * l, l),
                    2 => (em * 23 / 20, Face::Italic, Align::Center, l, l / 2),
                    _ => (em, Face::Italic, Align::Left, l / 2, l / 4),
                };
                if *level > 1 {
                    self.space(before, *span);
                } else {
                    // A chapter opens a right-hand page, with space above its title.
                    self.out.push(VItem {
                        h: before,
                        kind: VKind::Space,
                        break_before: true,
                        discard: false,
                        notes: Vec::new(),
                        new_page: Some(true),
                        opening: true,
                        span: *span,
                    });
                }
                self.out.push(VItem {
                    h: 0,
                    kind: VKind::Mark { level: *level, text: plain_text(content) },
                    break_before: false,
                    discard: false,
                    notes: Vec::new(),
                    new_page: None,
                    opening: false,
                    span: *span,
                });
                let style = ParaStyle {
                    face,
                    size,
                    leading: size * 13 / 10,
                    indent: 0,
                    align,
                    hyphenate: false,
                    feat: Feat::Text,
                };
                let before_lines = self.out.len();
                self.para(content, style, x, measure, *span);
                // A heading stays with its mark and its own lines stay together; the
                // space above it is where a page may end.
                for it in &mut self.out[before_lines..] {
                    it.break_before = false;
                }
                self.space(after, *span);
                if let Some(s) = self.out.last_mut() {
                    s.break_before = false;
                    s.discard = false;
                }
                // Keep the heading with the next two lines.
                self.keep = 2;
            }
            Block::BlockQuote { blocks, span } => {
                self.space(l / 2, *span);
                let inset = em * 3 / 2;
                self.blocks(blocks, x + inset, measure - 2 * inset, base);
                self.space(l / 2, *span);
            }
            Block::List { start, items, span, .. } => {
                self.space(l / 4, *span);
                let hang = em * 3 / 2;
                for (k, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(s) => format!("{}.", s + k as u64),
                        None => "•".to_string(),
                    };
                    let first = self.out.len();
                    self.blocks(
                        item,
                        x + hang,
                        measure - hang,
                        ParaStyle { align: Align::Justify, ..base },
                    );
                    // Hang the marker in front of the item's first line.
                    let glyphs =
                        self.fonts.shape(base.face, Feat::Text, &marker).to_vec();
                    let frag =
                        self.builder_frag(base.face, base.size, &glyphs, &marker, *span);
                    if let Some(VItem { kind: VKind::Line { line, .. }, .. }) = self.out
                        [first..]
                        .iter_mut()
                        .find(|i| matches!(i.kind, VKind::Line { .. }))
                    {
                        let w = frag.width();
                        line.runs.insert(
                            0,
                            lines::Run::new(-(w + em / 2), std::rc::Rc::new(frag)),
                        );
                    }
                }
                self.space(l / 4, *span);
            }
            Block::Verse { stanzas, span } => {
                self.space(l / 2, *span);
                let inset = em * 2;
                for (k, stanza) in stanzas.iter().enumerate() {
                    if k > 0 {
                        self.space(l / 2, *span);
                    }
                    // Each verse line is set on its own, flush left, unhyphenated; a
                    // line too long for the measure turns over with a deeper indent,
                    // as verse is printed (so it is broken 2 em short of the measure).
                    let style = ParaStyle {
                        align: Align::Left,
                        hyphenate: false,
                        indent: 0,
                        ..base
                    };
                    let turn = em * 2;
                    for line in stanza {
                        let first = self.out.len();
                        self.para(line, style, x + inset, measure - inset - turn, *span);
                        for it in self.out[first..].iter_mut().skip(1) {
                            if let VKind::Line { x, .. } = &mut it.kind {
                                *x += turn;
                            }
                        }
                    }
                }
                self.space(l / 2, *span);
            }
            Block::Code { text, span, .. } => {
                self.space(l / 2, *span);
                let mut inl = Vec::new();
                for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
                    if i > 0 {
                        inl.push(Inline::LineBreak { span: *span });
                    }
                    inl.push(Inline::Code { text: line.to_string(), span: *span });
                }
                let size = base.size * 17 / 20;
                let style = ParaStyle {
                    face: Face::Sans,
                    size,
                    leading: size * 13 / 10,
                    indent: 0,
                    align: Align::Left,
                    hyphenate: false,
                    feat: Feat::Text,
                };
                self.para(&inl, style, x + em, measure - em, *span);
                self.space(l / 2, *span);
            }
            Block::Table { head, rows, span, .. } => {
                // A table is set as rows of cells in equal columns, each cell ragged.
                self.space(l / 2, *span);
                let ncols =
                    head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
                let gap = em / 2;
                let colw = (measure - gap * (ncols as Sp - 1)) / ncols as Sp;
                let size = base.size * 9 / 10;
                for (r, row) in std::iter::once(head).chain(rows.iter()).enumerate() {
                    if r == 0 && head.is_empty() {
                        continue;
                    }
                    let face = if r == 0 { Face::Bold } else { base.face };
                    let style = ParaStyle {
                        face,
                        size,
                        leading: size * 13 / 10,
                        indent: 0,
                        align: Align::Left,
                        hyphenate: true,
                        feat: Feat::Lining,
                    };
                    let cells: Vec<Vec<Line>> = row
                        .iter()
                        .map(|c| set_para(&mut self.builder, c, &style, colw, self.diags))
                        .collect();
                    let height = cells.iter().map(Vec::len).max().unwrap_or(1);
                    for k in 0..height {
                        let mut runs = Vec::new();
                        let mut notes = Vec::new();
                        for (c, cell) in cells.iter().enumerate() {
                            if let Some(line) = cell.get(k) {
                                for run in &line.runs {
                                    let mut run = run.clone();
                                    run.x += (colw + gap) * c as Sp + line.indent;
                                    runs.push(run);
                                }
                                notes.extend(line.notes.iter().copied());
                            }
                        }
                        let line = Line {
                            runs,
                            width: measure,
                            ratio: 0.0,
                            hyphenated: false,
                            last: true,
                            first: true,
                            notes: notes.clone(),
                            indent: 0,
                        };
                        self.push(VItem {
                            h: style.leading,
                            kind: VKind::Line { line, x, ascent: size },
                            break_before: k == 0 && r > 1,
                            discard: false,
                            notes,
                            new_page: None,
                            opening: false,
                            span: *span,
                        });
                    }
                }
                self.space(l / 2, *span);
            }
            Block::Figure { src, alt, span, .. } => {
                let (w, h) = match self.opts.images.get(src) {
                    Some(&(pw, ph)) if pw > 0 && ph > 0 => {
                        // Fit the measure and at most half the text block's height.
                        let maxh = self.geo.body_height() / 2;
                        let w = measure.min(maxh * Sp::from(pw) / Sp::from(ph));
                        (w, w * Sp::from(ph) / Sp::from(pw))
                    }
                    _ => return,
                };
                self.space(l / 2, *span);
                self.push(VItem {
                    h,
                    kind: VKind::Image {
                        src: src.clone(),
                        alt: alt.clone(),
                        x: x + (measure - w) / 2,
                        w,
                    },
                    break_before: true,
                    discard: false,
                    notes: Vec::new(),
                    new_page: None,
                    opening: false,
                    span: *span,
                });
                self.space(l / 2, *span);
            }
            Block::SectionBreak { span } => {
                self.space(l / 2, *span);
                let fleuron = [Inline::Text {
                    text: "\u{2766}".into(),
                    hyphens: Vec::new(),
                    span: *span,
                }];
                let style = ParaStyle {
                    align: Align::Center,
                    hyphenate: false,
                    indent: 0,
                    size: em * 6 / 5,
                    ..base
                };
                let at = self.out.len();
                self.para(&fleuron, style, x, measure, *span);
                // The ornament may open a page but never end one (and is not dropped
                // at a page top as space would be).
                if let Some(it) = self.out.get_mut(at) {
                    it.break_before = true;
                }
                self.space(l / 2, *span);
                if let Some(s) = self.out.last_mut() {
                    s.break_before = false;
                    s.discard = false;
                }
                self.keep = 1;
            }
            Block::Div { role, blocks, span } => match role {
                DivRole::EditorNote => {
                    let style = ParaStyle { face: base.face.emphasised(), ..base };
                    self.blocks(blocks, x, measure, style);
                    self.space(l, *span);
                }
                DivRole::Signature => {
                    self.space(l / 2, *span);
                    self.blocks(
                        blocks,
                        x,
                        measure,
                        ParaStyle { align: Align::Right, hyphenate: false, ..base },
                    );
                }
                DivRole::Epigraph => {
                    let inset = measure / 4;
                    let style = ParaStyle {
                        face: base.face.emphasised(),
                        align: Align::Left,
                        ..base
                    };
                    self.blocks(blocks, x + inset, measure - inset, style);
                    self.space(l, *span);
                }
                DivRole::Dedication => {
                    self.space(l, *span);
                    let style = ParaStyle {
                        face: base.face.emphasised(),
                        align: Align::Center,
                        ..base
                    };
                    self.blocks(blocks, x, measure, style);
                    self.space(l, *span);
                }
            },
            Block::Html { .. } => {}
        }
    }

    fn builder_frag(
        &self,
        face: Face,
        size: Sp,
        glyphs: &[super::fonts::Glyph],
        text: &str,
        span: Span,
    ) -> super::items::Frag {
        let upem = self.fonts.upem(face);
        super::items::Frag::new(
            face,
            size,
            upem,
            glyphs.to_vec(),
            text.to_string(),
            None,
            span,
        )
    }
}

/// Breaks and sets one paragraph at a measure.
pub fn set_para(
    builder: &mut Builder,
    inlines: &[Inline],
    style: &ParaStyle,
    measure: Sp,
    diags: &mut Diagnostics,
) -> Vec<Line> {
    builder.measure = measure;
    let p = builder.para(inlines, style, diags);
    let params = Params::for_size(style.size);
    let ragged = (style.align != Align::Justify).then_some(Ragged(2 * style.size));
    let (breaks, _) = linebreak(&p.items, measure, &params, ragged);
    lines::set(&p, &breaks, measure, style.align)
}

/// Builds the galley of a document.
pub fn build(
    doc: &Document,
    fonts: &Fonts,
    geo: &Geometry,
    opts: &LayoutOptions,
    diags: &mut Diagnostics,
) -> Galley {
    let measure = geo.measure();
    let mut c = Ctx {
        fonts,
        geo,
        opts,
        builder: Builder::new(fonts, measure),
        diags,
        out: Vec::new(),
        keep: 0,
    };
    let base = c.body();
    let m = &doc.meta;
    let book = match opts.kind {
        Some(super::Kind::Book) => true,
        Some(super::Kind::Pamphlet) => false,
        None => doc.chapters.iter().any(|ch| ch.has_heading),
    };
    let span = m.span;
    // The title block: on its own page for a book, above the text for an article.
    let title_style = ParaStyle {
        size: geo.size * 8 / 5,
        leading: geo.size * 2,
        align: Align::Center,
        hyphenate: false,
        indent: 0,
        ..base
    };
    let text =
        |s: &str| vec![Inline::Text { text: s.to_string(), hyphens: Vec::new(), span }];
    c.out.push(VItem {
        h: if book { geo.body_height() / 4 } else { 0 },
        kind: VKind::Space,
        break_before: false,
        discard: false,
        notes: Vec::new(),
        new_page: None,
        opening: true,
        span,
    });
    c.out.push(VItem {
        h: 0,
        kind: VKind::Mark { level: 0, text: m.title.clone() },
        break_before: false,
        discard: false,
        notes: Vec::new(),
        new_page: None,
        opening: false,
        span,
    });
    c.para(&text(&m.title), title_style, 0, measure, span);
    if let Some(sub) = &m.subtitle {
        let st = ParaStyle {
            face: Face::Italic,
            size: geo.size * 6 / 5,
            leading: geo.size * 8 / 5,
            align: Align::Center,
            hyphenate: false,
            indent: 0,
            ..base
        };
        c.para(&text(sub), st, 0, measure, span);
    }
    if !m.authors.is_empty() {
        c.space(geo.leading / 2, span);
        let st = ParaStyle {
            feat: Feat::SmallCaps,
            align: Align::Center,
            hyphenate: false,
            indent: 0,
            ..base
        };
        c.para(&text(&m.authors.join(", ")), st, 0, measure, span);
    }
    for it in &mut c.out {
        it.break_before = false;
    }
    c.space(geo.leading * 2, span);
    if let Some(last) = c.out.last_mut() {
        last.discard = false;
    }
    c.keep = 2;
    c.blocks(&doc.blocks, 0, measure, base);

    // Notes at note size (SPECS/issue: about 9/11 pt), on the same measure.
    let nsize = geo.size * 4 / 5;
    let nstyle = ParaStyle { size: nsize, leading: nsize * 11 / 9, indent: 0, ..base };
    let mut notes = BTreeMap::new();
    for n in &doc.notes {
        let mut lines = Vec::new();
        for (k, b) in n.blocks.iter().enumerate() {
            let mut inl: Vec<Inline> = Vec::new();
            if k == 0 {
                inl.push(Inline::Text {
                    text: format!("{}.\u{a0}", n.number),
                    hyphens: Vec::new(),
                    span: n.span,
                });
            }
            match b {
                Block::Paragraph { content, .. } | Block::Heading { content, .. } => {
                    inl.extend(content.iter().cloned())
                }
                other => inl.push(Inline::Text {
                    text: crate::model::plain_text(&block_text(other)),
                    hyphens: Vec::new(),
                    span: n.span,
                }),
            }
            let style = ParaStyle { indent: if k > 0 { nsize } else { 0 }, ..nstyle };
            lines.extend(set_para(&mut c.builder, &inl, &style, measure, c.diags));
        }
        notes.insert(n.number, NoteLines { lines, leading: nstyle.leading, size: nsize });
    }
    let left = if m.authors.is_empty() { m.title.clone() } else { m.authors.join(", ") };
    Galley { items: c.out, notes, heads: (left, m.title.clone()) }
}

/// The text of a non-paragraph block in a note, flattened.
fn block_text(b: &Block) -> Vec<Inline> {
    let mut out = Vec::new();
    crate::model::for_each_inlines(std::slice::from_ref(b), &mut |inl: &[Inline]| {
        if !out.is_empty() {
            out.push(Inline::SoftBreak { span: Span::default() });
        }
        out.extend(inl.iter().cloned());
    });
    out
}
