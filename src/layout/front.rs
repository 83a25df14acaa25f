//! A book's front matter, before its text (The Chicago Manual of Style, 1.4–1.42):
//! the half-title (i), its blank back (ii), the title page (iii) with the colophon
//! on its back (iv), then the contents from the next right-hand page, each entry
//! with dotted leaders to its page number and linked to its heading; a blank to an
//! even count, so the text starts on a right-hand page numbered 1. The front
//! matter is numbered in lower-case roman numerals (printed on the contents pages
//! only), the text in arabic figures from 1.
//!
//! The contents needs the text's page numbers, so it is made after the text is
//! paginated; since the text is numbered from 1 whatever comes before it, nothing
//! in the text moves when the contents grows.

use std::sync::Arc;

use super::covers::{colophon, stack, style};
use super::fonts::{Face, Feat, Fonts};
use super::galley::set_para;
use super::items::{Align, Builder, ParaStyle};
use super::lines::{Line, Run};
use super::structure::{ARTIFACT, Role, Structure};
use super::units::Sp;
use super::{Blank, Folio, Geometry, Mark, Numbering, Page, Placed};
use crate::diag::{Diagnostics, Span};
use crate::model::{Document, Inline, Metadata};

/// A heading the contents lists: its level, text, id and printed page.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The manuscript's level (1: a chapter).
    pub level: u8,
    /// Its text.
    pub text: String,
    /// Its id, the contents line's link target.
    pub id: Option<String>,
    /// The page it starts on.
    pub folio: Folio,
}

/// Puts the front matter before a book's text pages; returns the whole book.
pub fn book(
    mut text: Vec<Page>,
    doc: &Document,
    fonts: &Fonts,
    (geo, tags): (&Geometry, &mut Structure),
    toc_depth: u8,
    diags: &mut Diagnostics,
) -> Vec<Page> {
    // The text's first page opens the book: no running head.
    if let Some(p) = text.first_mut() {
        p.head = None;
    }
    let meta = &doc.meta;
    let mut b = Builder::new(fonts, geo.measure());
    b.rtl = meta.lang.rtl();
    let entries = entries(&text, toc_depth);
    let mut front = vec![
        Page {
            lines: half_title(&mut b, meta, (geo, tags), diags),
            ..Default::default()
        },
        Page { blank: Some(Blank::Front), ..Default::default() },
        title_page(&mut b, meta, (geo, tags), diags),
        Page { lines: colophon(&mut b, meta, (geo, tags), diags), ..Default::default() },
    ];
    if !entries.is_empty() {
        let first = front.len() + 1;
        front.extend(contents(&mut b, meta, (geo, tags), &entries, first, diags));
    }
    if front.len() % 2 == 1 {
        front.push(Page { blank: Some(Blank::Front), ..Default::default() });
    }
    number(front, text)
}

/// The headings the contents lists, with the pages they start on.
pub fn entries(text: &[Page], depth: u8) -> Vec<Entry> {
    let mut out = Vec::new();
    for p in text {
        for m in &p.marks {
            if (1..=depth).contains(&m.level) && !m.text.trim().is_empty() {
                out.push(Entry {
                    level: m.level,
                    text: m.text.clone(),
                    id: m.id.clone(),
                    folio: Folio { numbering: Numbering::Arabic, n: p.number as u32 },
                });
            }
        }
    }
    out
}

/// Numbers the front matter in roman numerals and the text in arabic figures from
/// 1, and the whole book's pages in order.
fn number(front: Vec<Page>, text: Vec<Page>) -> Vec<Page> {
    let offset = front.len();
    let mut pages = Vec::with_capacity(offset + text.len());
    for (k, mut p) in front.into_iter().enumerate() {
        p.number = k + 1;
        p.label = Folio { numbering: Numbering::Roman, n: p.number as u32 };
        pages.push(p);
    }
    for mut p in text {
        p.label = Folio { numbering: Numbering::Arabic, n: p.number as u32 };
        p.number += offset;
        pages.push(p);
    }
    pages
}

/// The half-title: the title alone, a third of the way down.
fn half_title(
    b: &mut Builder,
    meta: &Metadata,
    (geo, tags): (&Geometry, &mut Structure),
    diags: &mut Diagnostics,
) -> Vec<Placed> {
    let div = tags.add_outside(Role::Div, true, meta.span);
    let title =
        [(meta.title.clone(), style(geo, Face::heading(false), Feat::Text, 4, 3))];
    stack(b, (geo, tags, div), &title, geo.top + geo.body_height() / 4, diags).0
}

/// The title page: title, subtitle, authors, translators and editors, and the
/// publisher at the foot. It is where the outline's title entry goes.
fn title_page(
    b: &mut Builder,
    meta: &Metadata,
    (geo, tags): (&Geometry, &mut Structure),
    diags: &mut Diagnostics,
) -> Page {
    let mut page = Page::default();
    let div = tags.add_outside(Role::Div, true, meta.span);
    let top = geo.top + geo.body_height() / 6;
    page.marks.push(Mark { level: 0, text: meta.title.clone(), id: None, y: top });
    // The title is the document's title (PDF/UA-1 7.4: the headings are the
    // manuscript's own).
    let title = tags.add(Role::Title, div, meta.span);
    let big = [(meta.title.clone(), style(geo, Face::heading(false), Feat::Text, 2, 1))];
    // Set as an ornament would be (no node per paragraph), then read as the title.
    let (mut lines, mut y) = stack(b, (geo, tags, ARTIFACT), &big, top, diags);
    for pl in &mut lines {
        pl.line.runs.iter_mut().for_each(|r| r.tag = title);
    }
    page.lines.extend(lines);
    let mut paras = Vec::new();
    if let Some(s) = &meta.subtitle {
        paras.push((String::new(), style(geo, Face::REGULAR, Feat::Text, 1, 1)));
        paras.push((s.clone(), style(geo, Face::heading(true), Feat::Text, 6, 5)));
    }
    let names = |list: &[String]| meta.lang.join_names(list);
    let plain = style(geo, Face::REGULAR, Feat::Text, 1, 1);
    if !meta.authors.is_empty() {
        paras.push((String::new(), plain));
        paras.push((String::new(), plain));
        paras.push((
            names(&meta.authors),
            style(geo, Face::REGULAR, Feat::SmallCaps, 6, 5),
        ));
    }
    if !meta.translators.is_empty() {
        paras.push((String::new(), plain));
        paras.push((meta.lang.translated_by(&names(&meta.translators)), plain));
    }
    if !meta.editors.is_empty() {
        paras.push((String::new(), plain));
        paras.push((meta.lang.edited_by(&names(&meta.editors)), plain));
    }
    let (lines, after) = stack(b, (geo, tags, div), &paras, y, diags);
    page.lines.extend(lines);
    y = after;
    if let Some(p) = &meta.publisher {
        let foot = geo.top + geo.body_height() - geo.leading * 2;
        y = y.max(foot);
        let a = [(p.clone(), style(geo, Face::REGULAR, Feat::SmallCaps, 1, 1))];
        page.lines.extend(stack(b, (geo, tags, div), &a, y, diags).0);
    }
    page
}

/// The contents: its heading, then one entry per heading, each page's entries from
/// the top of the text block; returns its pages, the first numbered `first`.
fn contents(
    b: &mut Builder,
    meta: &Metadata,
    (geo, tags): (&Geometry, &mut Structure),
    entries: &[Entry],
    first: usize,
    diags: &mut Diagnostics,
) -> Vec<Page> {
    let heading = meta.lang.contents_heading();
    let h = tags.add_outside(
        Role::Heading { level: 1, title: heading.to_string() },
        true,
        meta.span,
    );
    let toc = tags.add_outside(Role::Toc, true, meta.span);
    let drop = geo.body_height() / 6;
    let (hs, hl) = (geo.size * 7 / 5, geo.size * 7 / 5 * 13 / 10);
    let hstyle = ParaStyle {
        face: Face::heading(false),
        feat: Feat::Text,
        size: hs,
        leading: hl,
        indent: 0,
        align: Align::Center,
        hyphenate: false,
    };
    let mut page = Page { number: first, folio: true, ..Default::default() };
    let left = geo.left(first);
    let mut lines =
        set_para(b, &[Inline::plain(heading, meta.span)], &hstyle, geo.measure(), diags);
    let mut y = geo.top + drop;
    page.marks.push(Mark { level: 1, text: heading.to_string(), id: None, y });
    for line in &mut lines {
        line.runs.iter_mut().for_each(|r| r.tag = h);
        y += hl;
        page.lines.push(Placed::new(left + line.indent, y, std::mem::take(line)));
    }
    y += geo.leading * 2;
    let body = ParaStyle {
        face: Face::REGULAR,
        feat: Feat::Text,
        size: geo.size,
        leading: geo.leading,
        indent: 0,
        align: Align::Left,
        hyphenate: false,
    };
    let mut pages = Vec::new();
    let bottom = geo.top + geo.body_height();
    for (k, e) in entries.iter().enumerate() {
        let item = tags.add(Role::TocItem, toc, meta.span);
        let lines = entry(b, geo, e, body, diags);
        // A chapter stands apart from the sections listed under it.
        let before = if k > 0 && e.level == 1 && entries.iter().any(|x| x.level > 1) {
            geo.leading / 2
        } else {
            0
        };
        let need = before + geo.leading * lines.len() as Sp;
        if y + need > bottom && !page.lines.is_empty() {
            let number = page.number + 1;
            pages.push(std::mem::replace(
                &mut page,
                Page { number, folio: true, ..Default::default() },
            ));
            y = geo.top;
        } else {
            y += before;
        }
        let left = geo.left(page.number);
        for mut line in lines {
            for r in &mut line.runs {
                if r.tag != ARTIFACT {
                    r.tag = item;
                }
            }
            y += geo.leading;
            page.lines.push(Placed::new(left + line.indent, y, line));
        }
    }
    pages.push(page);
    pages
}

/// One entry of the contents: its text, indented by its level, ragged on a measure
/// that leaves room for the number; dotted leaders from its last line's end to the
/// number, flush right. Text and number link to the heading; the leaders are not
/// content.
fn entry(
    b: &mut Builder,
    geo: &Geometry,
    e: &Entry,
    style: ParaStyle,
    diags: &mut Diagnostics,
) -> Vec<Line> {
    let measure = geo.measure();
    let indent = Sp::from(e.level.saturating_sub(1)) * style.size * 3 / 2;
    let linked = |s: &str| -> Vec<Inline> {
        let content = vec![Inline::plain(s, Span::default())];
        match &e.id {
            Some(id) => vec![Inline::Link {
                url: format!("#{id}"),
                title: None,
                content,
                span: Span::default(),
            }],
            None => content,
        }
    };
    let folio = e.folio.to_string();
    let number = set_para(b, &linked(&folio), &style, measure, diags);
    let Some(number) = number.into_iter().next().and_then(|l| l.runs.into_iter().next())
    else {
        return Vec::new();
    };
    let num_w = number.width();
    // Room between the text and the number: the leaders need at least some dots.
    let gap = style.size * 3;
    let text_measure = (measure - indent - num_w - gap).max(measure / 3);
    let text = if e.level == 1 {
        ParaStyle { face: Face::heading(false), ..style }
    } else {
        style
    };
    let mut lines = set_para(b, &linked(&e.text), &text, text_measure, diags);
    // Left to right: the text from its indent, the number flush right. Right to
    // left, mirrored: the text flush right (indented from the right), the number
    // flush left.
    for line in &mut lines {
        line.indent = if b.rtl { 0 } else { indent };
        if b.rtl {
            let end = line.runs.iter().map(|r| r.x + r.width()).max().unwrap_or(0);
            let shift = measure - indent - end;
            line.runs.iter_mut().for_each(|r| r.x += shift);
        }
    }
    let Some(last) = lines.last_mut() else { return lines };
    let dot = set_para(b, &[Inline::plain(".", Span::default())], &style, measure, diags);
    let half = style.size / 2;
    let (num_x, dots) = if b.rtl {
        let ink = last.runs.iter().map(|r| r.x).min().unwrap_or(measure);
        (0, (num_w + half, ink - half))
    } else {
        let num_x = measure - indent - num_w;
        (num_x, (last.width + half, num_x - half))
    };
    if let Some(dot) = dot.into_iter().next().and_then(|l| l.runs.into_iter().next()) {
        leaders(last, dot.frag, dots, last.indent, style.size);
    }
    let mut number = number;
    number.x = num_x;
    // Read after the entry's text, in either direction.
    number.order = last.runs.iter().map(|r| r.order).max().map_or(0, |o| o + 1);
    last.runs.push(number);
    last.width = measure - last.indent;
    lines
}

/// Dots from `from` to `to` (offsets on the line), on a grid of half an em counted
/// from the text block's edge, so the leaders of every entry line up (as TeX's
/// `\leaders` aligns its boxes to the enclosing box).
fn leaders(
    line: &mut Line,
    dot: Arc<super::items::Frag>,
    (from, to): (Sp, Sp),
    indent: Sp,
    size: Sp,
) {
    let step = size / 2;
    if step <= 0 {
        return;
    }
    let w = dot.width();
    let mut x = (from + indent + step - 1) / step * step - indent;
    while x + w <= to {
        let mut run = Run::new(x, dot.clone());
        run.tag = ARTIFACT;
        line.runs.push(run);
        x += step;
    }
}
