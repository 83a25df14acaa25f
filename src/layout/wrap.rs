//! The cover wrap of a perfect-bound book: back cover, spine and front cover on
//! one sheet, bled on every side.
//!
//! Input: the metadata, the book's page [`Geometry`] (its trim and type), the
//! spine's width and the bleed. Output: a [`Wrap`] — one sheet whose lines and
//! cover image have positions in scaled points from the wrap's trimmed top-left
//! corner, and the spine's line, set along the spine. A left-to-right book has
//! its back cover on the left and its front cover on the right (as the sheet lies
//! printed side up); a right-to-left book, bound on the right, the other way
//! round. The front cover is the cover image, bled on its three outer sides, or
//! the typographic cover; the back cover holds the description (both from
//! `covers`, as a pamphlet's covers). The spine text reads top to bottom (the
//! US and UK convention: legible with the book lying face up) and is set only on
//! a spine of at least [`SPINE_TEXT_MIN`]. It does not draw or measure paper: the
//! spine's width comes from `print::spine_width`.

use super::covers::{back_cover, cover_image, typographic_cover};
use super::fonts::{Face, Feat, Fonts};
use super::galley::set_para;
use super::items::{Align, Builder, ParaStyle};
use super::structure::Structure;
use super::units::{PT, Sp, pt};
use super::{Geometry, Layout, Page, Placed, PlacedImage};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{Inline, Metadata};
use crate::print::{SPINE_MARGIN, SPINE_TEXT_MIN};

/// The smallest type set on a spine (KDP's smallest type for print).
const SPINE_TYPE_MIN: Sp = 7 * PT;

/// Where a face's ink lies about its baseline, as fractions of the size: ascenders
/// reach about 0.72 em above it, descenders 0.22 em below (EB Garamond and Source
/// Sans 3 alike, within a few hundredths). The spine text is centred on this span.
const INK_ABOVE: (Sp, Sp) = (72, 100);
const INK_BELOW: (Sp, Sp) = (22, 100);

/// A rectangle: left, top, width, height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Left edge.
    pub x: Sp,
    /// Top edge.
    pub y: Sp,
    /// Width.
    pub w: Sp,
    /// Height.
    pub h: Sp,
}

/// A laid-out cover wrap.
#[derive(Debug, Clone, PartialEq)]
pub struct Wrap {
    /// The sheet as one page of a layout: its geometry is the trimmed wrap (two
    /// trim widths and the spine wide, a trim high, no margins); its one page holds
    /// the typographic front cover (when there is no image) and the back cover's
    /// description. Positions are from the trimmed sheet's top-left corner.
    pub sheet: Layout,
    /// The bleed on every side of the sheet.
    pub bleed: Sp,
    /// The spine's left edge and width.
    pub spine: (Sp, Sp),
    /// The front cover's left edge.
    pub front: Sp,
    /// The cover image and the area it is cut to: the front cover and its bleed
    /// (never the spine).
    pub image: Option<(PlacedImage, Frame)>,
    /// The spine's line, set in the spine's own frame: `x` along the spine from
    /// the trimmed sheet's top edge, `y` the baseline's distance from the spine's
    /// right edge, toward which the letters' tops point. Drawing turns that frame
    /// 90° clockwise about the spine's top-right corner.
    pub spine_text: Option<Placed>,
}

/// Lays out the wrap of a book whose pages have geometry `geo`, around a spine
/// `spine` points wide, with `bleed` points of bleed, the cover image of `cover`
/// pixels if the book has one.
pub fn wrap(
    meta: &Metadata,
    fonts: &Fonts,
    geo: &Geometry,
    (spine, bleed): (f64, f64),
    cover: Option<(u32, u32)>,
    diags: &mut Diagnostics,
) -> Wrap {
    let (spine_w, bleed) = (pt(spine), pt(bleed));
    let (w, h) = (2 * geo.width + spine_w, geo.height);
    // The panels, in the order the sheet shows them printed side up.
    let (back, front) =
        if geo.rtl { (geo.width + spine_w, 0) } else { (0, geo.width + spine_w) };
    let spine_x = geo.width;
    let mut tags = Structure::default();
    let mut b = Builder::new(fonts, geo.measure());
    b.rtl = geo.rtl;
    let mut page = Page { number: 1, ..Default::default() };
    let shift = |lines: Vec<Placed>, dx: Sp| {
        lines.into_iter().map(move |p| Placed { x: p.x + dx, ..p })
    };

    // The front cover: the image over the panel and its bleed on the three outer
    // sides, else the typographic cover.
    let area = Frame {
        x: if geo.rtl { -bleed } else { front },
        y: -bleed,
        w: geo.width + bleed,
        h: h + 2 * bleed,
    };
    let image = cover
        .and_then(|px| cover_image(meta, &mut tags, (area.x, area.y, area.w, area.h), px))
        .map(|im| (im, area));
    if image.is_none() {
        let lines = typographic_cover(&mut b, meta, (geo, &mut tags), diags);
        page.lines.extend(shift(lines, front));
    }
    // The back cover: the description.
    let lines = back_cover(&mut b, meta, (geo, &mut tags), diags);
    page.lines.extend(shift(lines, back));

    let spine_text = spine_line(&mut b, meta, geo, spine_w, diags);
    let geometry =
        Geometry { width: w, height: h, inner: 0, top: 0, outer: 0, bottom: 0, ..*geo };
    Wrap {
        sheet: Layout {
            geometry,
            pages: vec![page],
            audit: Vec::new(),
            structure: tags,
            text_pages: 0..0,
        },
        bleed,
        spine: (spine_x, spine_w),
        front,
        image,
        spine_text,
    }
}

/// The spine's line, "Title — Author", in the headings face: on a spine of at
/// least [`SPINE_TEXT_MIN`], at the cover's author size or smaller — as large as
/// fits across the spine with [`SPINE_MARGIN`] clear on either side, and along it
/// within the page's top margin of each end — but never under 7 pt; the title
/// alone when title and author do not fit; nothing, with a warning, when the title
/// alone does not.
fn spine_line(
    b: &mut Builder,
    meta: &Metadata,
    geo: &Geometry,
    spine: Sp,
    diags: &mut Diagnostics,
) -> Option<Placed> {
    if spine < pt(SPINE_TEXT_MIN) {
        return None;
    }
    let ink =
        |size: Sp| size * INK_ABOVE.0 / INK_ABOVE.1 + size * INK_BELOW.0 / INK_BELOW.1;
    let room = spine - 2 * pt(SPINE_MARGIN);
    // The largest size whose ink fits across the spine, to the half point down.
    let mut largest = geo.size * 6 / 5;
    while largest > SPINE_TYPE_MIN && ink(largest) > room {
        largest -= PT / 2;
    }
    let length = geo.height - 2 * geo.top;
    let mut texts = vec![meta.title.clone()];
    if !meta.authors.is_empty() {
        let both =
            format!("{} \u{2014} {}", meta.title, meta.lang.join_names(&meta.authors));
        texts.insert(0, both);
    }
    for text in texts {
        let mut size = largest;
        while size >= SPINE_TYPE_MIN {
            let style = ParaStyle {
                face: Face::heading(false),
                feat: Feat::Text,
                size,
                leading: size,
                indent: 0,
                align: Align::Center,
                hyphenate: false,
            };
            let inline = Inline::plain(text.as_str(), Span::default());
            let mut lines =
                set_para(b, &[inline], &style, length, &mut Diagnostics::new());
            if lines.len() == 1 && lines[0].width <= length {
                let line = lines.remove(0);
                // The ink's middle on the spine's middle.
                let above = size * INK_ABOVE.0 / INK_ABOVE.1;
                let y = spine / 2 + (above - size * INK_BELOW.0 / INK_BELOW.1) / 2;
                let x = geo.top + line.indent;
                return Some(Placed::new(x, y, line));
            }
            size -= PT / 2;
        }
    }
    diags.push(
        Diagnostic::warning(
            "spine-text",
            meta.span,
            "the title does not fit on the spine at 7 pt; the cover wrap's spine is left blank",
        )
        .with_hint("a shorter title, or a taller trim, gives the spine its text"),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::LayoutOptions;
    use crate::print::PT_PER_MM;

    fn meta() -> Metadata {
        Metadata {
            title: "Wrapped Tidings".into(),
            authors: vec!["Rosa Spine".into()],
            description: Some("What the book is about.".into()),
            ..Default::default()
        }
    }

    fn lay(rtl: bool, spine_mm: f64) -> Wrap {
        let geo = Geometry { rtl, ..Geometry::new(&LayoutOptions::a5()) };
        let (spine, bleed) = (spine_mm * PT_PER_MM, 3.0 * PT_PER_MM);
        let fonts = Fonts::new();
        wrap(
            &meta(),
            &fonts,
            &geo,
            (spine, bleed),
            Some((1600, 2560)),
            &mut Diagnostics::new(),
        )
    }

    #[test]
    fn the_front_is_on_the_right_of_a_left_to_right_wrap_and_on_the_left_of_a_right_to_left_one()
     {
        let ltr = lay(false, 12.0);
        let (w, spine) = (pt(148.0 * PT_PER_MM), pt(12.0 * PT_PER_MM));
        assert_eq!(ltr.sheet.geometry.width, 2 * w + spine);
        assert_eq!(ltr.spine, (w, spine));
        assert_eq!(ltr.front, w + spine);
        let (_, area) = ltr.image.expect("the cover image");
        // The image fills the front and its bleed, up to the spine's edge.
        assert_eq!((area.x, area.x + area.w), (w + spine, 2 * w + spine + ltr.bleed));
        // The description is on the back, left of the spine.
        assert!(ltr.sheet.pages[0].lines.iter().all(|l| l.x + l.line.width <= w));
        let rtl = lay(true, 12.0);
        assert_eq!(rtl.front, 0);
        let (_, area) = rtl.image.expect("the cover image");
        assert_eq!((area.x, area.x + area.w), (-rtl.bleed, w));
        assert!(rtl.sheet.pages[0].lines.iter().all(|l| l.x >= w + spine));
    }

    #[test]
    fn only_a_wide_enough_spine_has_text_and_it_fits_inside_it() {
        assert!(lay(false, 6.0).spine_text.is_none());
        let (wrap, spine) = (lay(false, 6.4), pt(6.4 * PT_PER_MM));
        let pl = wrap.spine_text.expect("a 6.4 mm spine has text");
        let size = pl.line.runs[0].frag.size;
        // The ink, 0.72 em above the baseline and 0.22 em below, keeps 1/16 in
        // clear on either side.
        let clear = pt(SPINE_MARGIN);
        assert!(pl.y - size * 72 / 100 >= clear - PT / 100, "{pl:?}");
        assert!(pl.y + size * 22 / 100 <= spine - clear + PT / 100);
        assert!(size >= SPINE_TYPE_MIN);
        // Along the spine: centred between the page's top margins.
        let geo = Geometry::new(&LayoutOptions::a5());
        let (start, end) = (pl.x, pl.x + pl.line.width);
        assert!(start >= geo.top && end <= geo.height - geo.top, "{start} {end}");
        assert!(((start - geo.top) - (geo.height - geo.top - end)).abs() < PT);
        // A wide spine takes the cover's author size.
        let wide = lay(false, 30.0).spine_text.expect("text");
        assert_eq!(wide.line.runs[0].frag.size, geo.size * 6 / 5);
    }
}
