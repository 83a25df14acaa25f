//! The self-cover of a pamphlet (issue 5): page 1 the front cover — the cover image
//! bled to the edges when there is one, else a typographic cover (title, subtitle,
//! author, publisher); page 2 the inside cover with the colophon (publisher, date,
//! source, rights, identifier, fonts); the text from page 3; blank pages to make the
//! count a multiple of four, before the back cover; the back cover last, with the
//! description. A book gets none of this: its title page is the first text page.

use super::fonts::{Face, Feat, Fonts};
use super::galley::set_para;
use super::items::{Align, Builder, ParaStyle};
use super::lines::Line;
use super::structure::{ARTIFACT, Role, Structure, Tag};
use super::units::Sp;
use super::{Blank, Geometry, Page, Placed, PlacedImage};
use crate::diag::{Diagnostics, Span};
use crate::model::{Inline, Metadata};

/// The key under which the cover image is placed (a scheme no manuscript path can
/// have: such paths are refused).
pub const COVER_IMAGE: &str = "quire:cover";

/// Stacks paragraphs down the page from `y`, centred on the text block; returns the
/// lines and the y after them. Each paragraph is a paragraph of node `parent` in the
/// structure (or, under [`ARTIFACT`], an ornament).
pub(super) fn stack(
    b: &mut Builder,
    (geo, tags, parent): (&Geometry, &mut Structure, Tag),
    paras: &[(String, ParaStyle)],
    mut y: Sp,
    diags: &mut Diagnostics,
) -> (Vec<Placed>, Sp) {
    let mut out = Vec::new();
    // Covers are centred on the page, not on the text block (whose margins are
    // unequal).
    let left = (geo.width - geo.measure()) / 2;
    for (t, style) in paras {
        if t.is_empty() {
            y += style.leading / 2;
            continue;
        }
        let mut lines: Vec<Line> = set_para(
            b,
            &[Inline::plain(t.as_str(), Span::default())],
            style,
            geo.measure(),
            diags,
        );
        let tag = if parent == ARTIFACT {
            ARTIFACT
        } else {
            tags.add(Role::P, parent, Span::default())
        };
        for line in &mut lines {
            line.runs.iter_mut().for_each(|r| r.tag = tag);
        }
        for line in lines {
            y += style.leading;
            out.push(Placed::new(left + line.indent, y, line));
        }
    }
    (out, y)
}

pub(super) fn style(
    geo: &Geometry,
    face: Face,
    feat: Feat,
    num: Sp,
    den: Sp,
) -> ParaStyle {
    let size = geo.size * num / den;
    ParaStyle {
        face,
        feat,
        size,
        leading: size * 13 / 10,
        indent: 0,
        align: Align::Center,
        hyphenate: false,
    }
}

/// The size of an image of `px` pixels scaled to cover a `w` × `h` area whole,
/// keeping its proportions: what overhangs one pair of sides is cut off.
pub fn fill((w, h): (Sp, Sp), (pw, ph): (u32, u32)) -> (Sp, Sp) {
    if w * Sp::from(ph) >= h * Sp::from(pw) {
        (w, w * Sp::from(ph) / Sp::from(pw))
    } else {
        (h * Sp::from(pw) / Sp::from(ph), h)
    }
}

/// The cover image, of `px` pixels, scaled to cover the area `(x, y, w, h)` (the
/// front cover with its bleed) and centred on it; `None` for an image of no size.
pub fn cover_image(
    meta: &Metadata,
    tags: &mut Structure,
    (x, y, w, h): (Sp, Sp, Sp, Sp),
    px: (u32, u32),
) -> Option<PlacedImage> {
    if px.0 == 0 || px.1 == 0 {
        return None;
    }
    let (iw, ih) = fill((w, h), px);
    let alt = format!("Cover: {}", meta.title);
    let tag = tags.add_outside(Role::Figure { alt: alt.clone() }, true, meta.span);
    Some(PlacedImage {
        tag,
        src: COVER_IMAGE.to_string(),
        alt,
        x: x - (iw - w) / 2,
        y: y - (ih - h) / 2,
        w: iw,
        h: ih,
    })
}

/// The typographic cover's lines on a page of `geo`: the title, the subtitle, a
/// fleuron, the authors and the publisher, centred on the page.
pub fn typographic_cover(
    b: &mut Builder,
    meta: &Metadata,
    (geo, tags): (&Geometry, &mut Structure),
    diags: &mut Diagnostics,
) -> Vec<Placed> {
    let mut out = Vec::new();
    let mut paras =
        vec![(meta.title.clone(), style(geo, Face::heading(false), Feat::Text, 2, 1))];
    if let Some(s) = &meta.subtitle {
        paras.push((String::new(), style(geo, Face::REGULAR, Feat::Text, 1, 1)));
        paras.push((s.clone(), style(geo, Face::heading(true), Feat::Text, 6, 5)));
    }
    // The typographic cover is read as a group of paragraphs, its ornament not at
    // all.
    let div = tags.add_outside(Role::Div, true, meta.span);
    let (lines, _) =
        stack(b, (geo, tags, div), &paras, geo.top + geo.body_height() / 6, diags);
    out.extend(lines);
    let fleuron = [("\u{2766}".to_string(), style(geo, Face::REGULAR, Feat::Text, 8, 5))];
    let (lines, _) =
        stack(b, (geo, tags, ARTIFACT), &fleuron, geo.top + geo.body_height() / 2, diags);
    out.extend(lines);
    if !meta.authors.is_empty() {
        let a = [(
            meta.lang.join_names(&meta.authors),
            style(geo, Face::REGULAR, Feat::SmallCaps, 6, 5),
        )];
        let (lines, _) =
            stack(b, (geo, tags, div), &a, geo.top + geo.body_height() * 2 / 3, diags);
        out.extend(lines);
    }
    if let Some(p) = &meta.publisher {
        let a = [(p.clone(), style(geo, Face::REGULAR, Feat::SmallCaps, 1, 1))];
        let (lines, _) = stack(
            b,
            (geo, tags, div),
            &a,
            geo.top + geo.body_height() - geo.leading * 2,
            diags,
        );
        out.extend(lines);
    }
    out
}

/// The back cover's lines on a page of `geo`: the description, in italic, centred,
/// from a third of the way down the text block; none without a description.
pub fn back_cover(
    b: &mut Builder,
    meta: &Metadata,
    (geo, tags): (&Geometry, &mut Structure),
    diags: &mut Diagnostics,
) -> Vec<Placed> {
    let Some(d) = &meta.description else { return Vec::new() };
    let st = ParaStyle {
        face: Face::ITALIC,
        align: Align::Center,
        ..style(geo, Face::ITALIC, Feat::Text, 1, 1)
    };
    let div = tags.add_outside(Role::Div, false, meta.span);
    let (lines, _) = stack(
        b,
        (geo, tags, div),
        &[(d.clone(), st)],
        geo.top + geo.body_height() / 3,
        diags,
    );
    lines
}

/// Wraps the text pages in the self-cover: returns the whole pamphlet.
pub fn self_cover(
    text_pages: Vec<Page>,
    meta: &Metadata,
    fonts: &Fonts,
    (geo, tags): (&Geometry, &mut Structure),
    cover: Option<(u32, u32)>,
    bleed: Sp,
    diags: &mut Diagnostics,
) -> Vec<Page> {
    let mut b = Builder::new(fonts, geo.measure());
    let mut pages = Vec::with_capacity(text_pages.len() + 4);

    // Page 1: the front cover: the image over the trim and bleed (what overhangs
    // is cut off with the bleed), else the typographic cover.
    let mut front = Page { number: 1, ..Default::default() };
    let area = (-bleed, -bleed, geo.width + 2 * bleed, geo.height + 2 * bleed);
    match cover.and_then(|px| cover_image(meta, tags, area, px)) {
        Some(image) => front.images.push(image),
        None => front.lines = typographic_cover(&mut b, meta, (geo, tags), diags),
    }
    pages.push(front);

    // Page 2: the inside cover, with the colophon at its foot.
    let inside = Page {
        number: 2,
        lines: colophon(&mut b, meta, (geo, tags), diags),
        ..Default::default()
    };
    pages.push(inside);

    // The text, from page 3 (parity is kept, so margins and heads stay right).
    for mut p in text_pages {
        p.number += 2;
        pages.push(p);
    }

    // Blanks to a multiple of four, then the back cover.
    while (pages.len() + 1) % 4 != 0 {
        let blank = Some(Blank::Padding);
        pages.push(Page { number: pages.len() + 1, blank, ..Default::default() });
    }
    let n = pages.len() + 1;
    let back = Page {
        number: n,
        lines: back_cover(&mut b, meta, (geo, tags), diags),
        ..Default::default()
    };
    pages.push(back);
    pages
}

/// The colophon, set at the foot of the text block of the page that holds it (a
/// pamphlet's inside cover, the back of a book's title page): title, authors,
/// translators, source, date, publisher, rights, the identifier when it is one a
/// reader can use, and the typefaces. The one owner of what a colophon says.
pub(super) fn colophon(
    b: &mut Builder,
    meta: &Metadata,
    (geo, tags): (&Geometry, &mut Structure),
    diags: &mut Diagnostics,
) -> Vec<Placed> {
    let mut colophon: Vec<String> = Vec::new();
    colophon.push(meta.title.clone());
    if !meta.authors.is_empty() {
        colophon.push(meta.lang.join_names(&meta.authors));
    }
    if !meta.translators.is_empty() {
        colophon.push(meta.lang.translated_by(&meta.lang.join_names(&meta.translators)));
    }
    if let Some(s) = &meta.source {
        colophon.push(s.clone());
    }
    if let Some(d) = &meta.date {
        colophon.push(meta.lang.format_date(d));
    }
    colophon.extend(meta.publisher.clone());
    colophon.extend(meta.rights.clone());
    // An ISBN or the publisher's own identifier is for readers; a generated
    // `urn:uuid` only for machines.
    if !meta.identifier.starts_with("urn:uuid:") {
        colophon.push(meta.identifier.clone());
    }
    let fonts = b.fonts;
    let mut faces = vec![fonts.family_name(Face::REGULAR).to_string()];
    let headings = fonts.family_name(Face::heading(false));
    if !faces.iter().any(|f| f == headings) {
        faces.push(headings.to_string());
    }
    colophon.push(format!("Set in {} with quire", meta.lang.join_names(&faces)));
    let small =
        ParaStyle { align: Align::Left, ..style(geo, Face::REGULAR, Feat::Text, 4, 5) };
    let paras: Vec<(String, ParaStyle)> =
        colophon.into_iter().map(|c| (c, small)).collect();
    let div = tags.add_outside(Role::Div, true, meta.span);
    let (probe, end) = stack(b, (geo, tags, div), &paras, 0, diags);
    let top = geo.top + geo.body_height() - end;
    probe.into_iter().map(|p| Placed { y: p.y + top, ..p }).collect()
}
