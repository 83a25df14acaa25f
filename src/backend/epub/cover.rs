//! The e-book cover: the manuscript's own image, resized to at most 1600 × 2560 and
//! written as an sRGB JPEG; or, when there is none, a typographic cover drawn with the
//! shipped fonts (title, subtitle, author) — shaped with harfrust, outlined with skrifa
//! and filled with tiny-skia, so quire needs no second font stack.

use std::sync::Arc;

use image::imageops::FilterType;
use skrifa::MetadataProvider;
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::prelude::{LocationRef, Size};
use tiny_skia::{FillRule, Paint, Path, PathBuilder, Pixmap, Rect, Transform};

use crate::layout::Fonts;

use crate::layout::fonts::{Face, Feat, Glyph};
use crate::model::Metadata;
use crate::typeface::Typefaces;

/// Cover size in pixels: 1.6:1, as Kindle Direct Publishing's cover guidelines ask
/// (2560 × 1600 ideal), and at least 1400 px wide as Apple Books asks. It is
/// 4.1 Mpx: a store that holds the images inside a book to 3.2 Mpx, as Apple's
/// older asset guides did, would want 1400 × 2240.
pub const WIDTH: u32 = 1600;
/// See [`WIDTH`].
pub const HEIGHT: u32 = 2560;
const QUALITY: u8 = 88;

/// Whether the manuscript's cover image goes into the e-book as it is: a JPEG that
/// fits 1600 × 2560, in gray or in colour (YCbCr) — not CMYK, which reading systems
/// draw wrongly. Decoding and encoding it again would cost most of a small book's
/// build and lose a generation of quality for nothing.
pub fn fits_as_it_is(bytes: &[u8], info: crate::resources::ImageInfo) -> bool {
    info.format == image::ImageFormat::Jpeg
        && info.width <= WIDTH
        && info.height <= HEIGHT
        && matches!(jpeg_components(bytes), Some(1 | 3))
}

/// The number of colour components of a JPEG (see [`crate::resources::jpeg_frame`]).
fn jpeg_components(bytes: &[u8]) -> Option<u8> {
    crate::resources::jpeg_frame(bytes).map(|f| f.components)
}

/// The manuscript's cover image, scaled down (never up) to fit 1600 × 2560, as JPEG.
pub fn from_image(img: &image::DynamicImage) -> Result<Vec<u8>, String> {
    let img = if img.width() > WIDTH || img.height() > HEIGHT {
        img.resize(WIDTH, HEIGHT, FilterType::Lanczos3)
    } else {
        img.clone()
    };
    let rgb = img.to_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    let px = super::jpeg::Pixels { data: rgb.as_raw(), width, height, bpp: 3 };
    super::jpeg::encode(&px, QUALITY)
}

const BACKGROUND: (u8, u8, u8) = (0x7a, 0x1c, 0x1c);
const INK: (u8, u8, u8) = (0xf4, 0xea, 0xd5);

/// A typographic cover for the metadata, as JPEG.
pub fn typographic(meta: &Metadata, tf: &Typefaces) -> Result<Vec<u8>, String> {
    typographic_sized(meta, tf, WIDTH, HEIGHT)
}

/// A typographic cover of `width` × `height` pixels, as JPEG (a print cover wants its
/// page's proportions; `examples/draw_cover.rs` draws the sample's so).
pub fn typographic_sized(
    meta: &Metadata,
    tf: &Typefaces,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, String> {
    let fonts = Fonts::with(tf)?;
    let ink = cover_ink(meta, &fonts, (width as f32, height as f32))?;
    draw_in_bands(&ink.shapes(), (width, height))
}

/// The cover's ink, as outlines to fill.
struct Ink {
    /// A frame inset from the edge: its four sides.
    frame: Vec<Path>,
    /// The title's and the subtitle's lines.
    above: Vec<Path>,
    fleuron: Option<Path>,
    /// The authors' lines and the publisher.
    below: Vec<Path>,
}

impl Ink {
    fn shapes(self) -> Vec<Path> {
        let Ink { frame, above, fleuron, below } = self;
        frame.into_iter().chain(above).chain(fleuron).chain(below).collect()
    }
}

/// The cover's ink: a frame inset from the edge, the title as large as fits in
/// at most four lines, the subtitle, a fleuron, the authors and the publisher,
/// each line centred.
fn cover_ink(meta: &Metadata, fonts: &Fonts, (w, h): (f32, f32)) -> Result<Ink, String> {
    let margin = 170.0;
    let measure = w - 2.0 * margin;
    let frame = frame(w, h)?;
    let (above, y) = title_lines(meta, fonts, w, measure);
    let below = author_lines(meta, fonts, (w, h), measure);
    let fleuron = fleuron(fonts, w, (&above, &below), (y + 260.0).max(h * 0.586));
    Ok(Ink { frame, above, fleuron, below })
}

/// A rule 6 px wide 80 px inside the edge, as its four sides: the rectangle a
/// stroke of it would fill (its edges fall on whole pixels, so no pixel is part
/// ink), in parts whose bounds leave the cover's middle out — so that the
/// encoder knows the macroblocks there are background without looking.
fn frame(w: f32, h: f32) -> Result<Vec<Path>, String> {
    let (inset, rule) = (80.0, 6.0);
    let (outer, inner) = (inset - rule / 2.0, inset + rule / 2.0);
    let sides = [
        (outer, outer, w - 2.0 * outer, rule),
        (outer, h - inner, w - 2.0 * outer, rule),
        (outer, inner, rule, h - 2.0 * inner),
        (w - inner, inner, rule, h - 2.0 * inner),
    ];
    sides
        .into_iter()
        .map(|(x, y, sw, sh)| {
            let rect = Rect::from_xywh(x, y, sw, sh).ok_or("frame")?;
            Ok(PathBuilder::from_rect(rect))
        })
        .collect()
}

/// The title, as large as fits in at most four lines, and the subtitle; with the
/// baseline a line after them.
fn title_lines(meta: &Metadata, fonts: &Fonts, w: f32, measure: f32) -> (Vec<Path>, f32) {
    let mut out = Vec::new();
    let mut y = 620.0;
    let mut size = 190.0;
    let title_lines = loop {
        let lines = wrap(fonts, Face::heading(false), &meta.title, size, measure);
        if lines.len() <= 4 || size <= 70.0 {
            break lines;
        }
        size -= 10.0;
    };
    for line in &title_lines {
        let face = Face::heading(false);
        out.extend(line_path(w, fonts, Line { face, text: line, px: size, baseline: y }));
        y += size * 1.15;
    }
    if let Some(sub) = &meta.subtitle {
        y += 20.0;
        for line in wrap(fonts, Face::heading(true), sub, 84.0, measure) {
            let face = Face::heading(true);
            out.extend(line_path(
                w,
                fonts,
                Line { face, text: &line, px: 84.0, baseline: y },
            ));
            y += 84.0 * 1.2;
        }
    }
    (out, y)
}

/// The authors in capitals, from 520 px above the foot, and the publisher.
fn author_lines(
    meta: &Metadata,
    fonts: &Fonts,
    (w, h): (f32, f32),
    measure: f32,
) -> Vec<Path> {
    let mut out = Vec::new();
    let authors = meta.lang.join_names(&meta.authors);
    let mut ay = h - 520.0;
    for line in wrap(fonts, Face::REGULAR, &authors.to_uppercase(), 92.0, measure) {
        out.extend(line_path(
            w,
            fonts,
            Line { face: Face::REGULAR, text: &line, px: 92.0, baseline: ay },
        ));
        ay += 92.0 * 1.2;
    }
    if let Some(p) = &meta.publisher {
        out.extend(line_path(
            w,
            fonts,
            Line { face: Face::SANS, text: p, px: 56.0, baseline: h - 200.0 },
        ));
    }
    out
}

/// Clear space kept around the fleuron, in pixels.
const FLEURON_CLEAR: f32 = 60.0;

/// The fleuron between the title and the authors: at `preferred` (its baseline)
/// when it stands clear of both there; else centred in the space between them;
/// left out when a long title and subtitle leave no room for it.
fn fleuron(
    fonts: &Fonts,
    w: f32,
    (above, below): (&[Path], &[Path]),
    preferred: f32,
) -> Option<Path> {
    let glyph = Line { face: Face::REGULAR, text: "\u{2766}", px: 150.0, baseline: 0.0 };
    let path = line_path(w, fonts, glyph)?;
    let ink = path.bounds();
    let top = above.iter().map(|p| p.bounds().bottom()).fold(f32::MIN, f32::max)
        + FLEURON_CLEAR;
    let bottom =
        below.iter().map(|p| p.bounds().top()).fold(f32::MAX, f32::min) - FLEURON_CLEAR;
    let (first, last) = (top - ink.top(), bottom - ink.bottom());
    let baseline = if (first..=last).contains(&preferred) {
        preferred
    } else if first <= last {
        (first + last) / 2.0
    } else {
        return None;
    };
    path.transform(Transform::from_translate(0.0, baseline))
}

/// Rows drawn and encoded at a time: ten rows of macroblocks, 1 MB of pixels at
/// the cover's width where the whole picture would be 16 MB.
const BAND: u32 = 160;

/// Fills the shapes in ink on the background, a band of rows at a time, each
/// band encoded before the next is drawn in the same pixels. A macroblock no
/// shape's bounds come near is background: the encoder writes it so without
/// reading its pixels, which nine in ten of a cover's are.
fn draw_in_bands(shapes: &[Path], size: (u32, u32)) -> Result<Vec<u8>, String> {
    draw_bands(shapes, size, true)
}

/// [`draw_in_bands`], telling the encoder the background `by_bounds` or leaving
/// it to find it in the pixels (the yardstick of a test).
fn draw_bands(
    shapes: &[Path],
    (width, height): (u32, u32),
    by_bounds: bool,
) -> Result<Vec<u8>, String> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(INK.0, INK.1, INK.2, 255);
    paint.anti_alias = true;
    let background =
        tiny_skia::Color::from_rgba8(BACKGROUND.0, BACKGROUND.1, BACKGROUND.2, 255);
    let plain_colour = [BACKGROUND.0, BACKGROUND.1, BACKGROUND.2];
    // Each shape's bounds, widened by two pixels for the anti-aliasing at its
    // edges, as (left, top, right, bottom).
    let inked: Vec<[f32; 4]> = shapes
        .iter()
        .map(|s| s.bounds())
        .map(|b| [b.left() - 2.0, b.top() - 2.0, b.right() + 2.0, b.bottom() + 2.0])
        .collect();
    let meets = |b: &[f32; 4], (x, y): (f32, f32), (w, h): (f32, f32)| {
        b[0] < x + w && x < b[2] && b[1] < y + h && y < b[3]
    };
    let mut jpeg = super::jpeg::Encoder::new((width as usize, height as usize), QUALITY)?;
    let mut pix = Pixmap::new(width, BAND.min(height)).ok_or("cover size")?;
    for top in (0..height).step_by(BAND as usize) {
        let rows = BAND.min(height - top);
        let band = ((0.0, top as f32), (width as f32, rows as f32));
        pix.fill(background);
        let up = Transform::from_translate(0.0, -(top as f32));
        for (shape, b) in shapes.iter().zip(&inked) {
            if meets(b, band.0, band.1) {
                pix.fill_path(shape, &paint, FillRule::Winding, up, None);
            }
        }
        let plain = |x: usize, y: usize| {
            let at = (x as f32, (top as usize + y) as f32);
            by_bounds && !inked.iter().any(|b| meets(b, at, (16.0, 16.0)))
        };
        // The background is opaque, so premultiplied RGBA equals straight RGBA.
        let data = &pix.data()[..(width * rows * 4) as usize];
        let (width, height) = (width as usize, rows as usize);
        let px = super::jpeg::Pixels { data, width, height, bpp: 4 };
        jpeg.rows_known(&px, plain_colour, plain)?;
    }
    jpeg.finish()
}

/// Shapes with the layout's shaper (kerning, ligatures), so the cover and the
/// pages share one font stack and one word cache: runs of glyphs, each in the face
/// of the fallback chain that has its characters, with that face's units per em.
fn shape(fonts: &Fonts, face: Face, text: &str) -> Vec<(Face, Arc<[Glyph]>, f32)> {
    let glyphs = fonts.shape(face, Feat::Text, text);
    if glyphs.iter().all(|g| g.id != 0) {
        return vec![(face, glyphs, fonts.upem(face) as f32)];
    }
    fonts
        .split(face, text)
        .into_iter()
        .map(|(r, f)| (f, fonts.shape(f, Feat::Text, &text[r]), fonts.upem(f) as f32))
        .collect()
}

fn width(fonts: &Fonts, face: Face, text: &str, px: f32) -> f32 {
    shape(fonts, face, text)
        .iter()
        .map(|(_, g, upem)| g.iter().map(|g| g.adv as f32).sum::<f32>() * px / upem)
        .sum()
}

/// Greedy word wrap by shaped width.
fn wrap(fonts: &Fonts, face: Face, text: &str, px: f32, measure: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate =
            if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
        if cur.is_empty() || width(fonts, face, &candidate, px) <= measure {
            cur = candidate;
        } else {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

struct Pen<'a> {
    pb: &'a mut PathBuilder,
    x: f32,
    y: f32,
}

impl OutlinePen for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.pb.move_to(self.x + x, self.y - y)
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.pb.line_to(self.x + x, self.y - y)
    }
    fn quad_to(&mut self, cx: f32, cy: f32, x: f32, y: f32) {
        self.pb.quad_to(self.x + cx, self.y - cy, self.x + x, self.y - y)
    }
    fn curve_to(&mut self, a: f32, b: f32, c: f32, d: f32, x: f32, y: f32) {
        self.pb.cubic_to(
            self.x + a,
            self.y - b,
            self.x + c,
            self.y - d,
            self.x + x,
            self.y - y,
        )
    }
    fn close(&mut self) {
        self.pb.close()
    }
}

/// A line of text centred on a picture `width` wide, at `px` pixels, its baseline at
/// `baseline`.
struct Line<'a> {
    face: Face,
    text: &'a str,
    px: f32,
    baseline: f32,
}

/// A line's outlines, centred on a picture `width` wide.
fn line_path(width: f32, fonts: &Fonts, line: Line) -> Option<Path> {
    let Line { face, text, px, baseline } = line;
    let runs = shape(fonts, face, text);
    let mut x = (width - self::width(fonts, face, text, px)) / 2.0;
    let mut pb = PathBuilder::new();
    for (f, glyphs, upem) in runs {
        let k = px / upem;
        let Some(font) = fonts.file(f).font() else { continue };
        let outlines = font.outline_glyphs();
        for g in glyphs.iter() {
            // Glyph 0 (.notdef) is a character no font has: a gap, not a box.
            if let Some(o) =
                outlines.get(skrifa::GlyphId::new(g.id)).filter(|_| g.id != 0)
            {
                let mut pen = Pen {
                    pb: &mut pb,
                    x: x + g.dx as f32 * k,
                    y: baseline - g.dy as f32 * k,
                };
                let _ = o.draw(
                    DrawSettings::unhinted(Size::new(px), LocationRef::default()),
                    &mut pen,
                );
            }
            x += g.adv as f32 * k;
        }
    }
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typographic_cover_is_a_jpeg_of_the_right_size() {
        let meta = Metadata {
            title: "Lessons of the Paris Commune".into(),
            authors: vec!["Leon Trotsky".into()],
            ..Default::default()
        };
        let jpg = typographic(&meta, &Typefaces::default()).unwrap();
        let img = image::load_from_memory(&jpg).unwrap();
        assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT));
        // Text was drawn: some pixels carry the ink colour.
        let rgb = img.to_rgb8();
        let inked = rgb.pixels().filter(|p| p[0] > 0xd0 && p[1] > 0xc0).count();
        assert!(inked > 20_000, "{inked}");
        assert_eq!(
            typographic(&meta, &Typefaces::default()).unwrap(),
            jpg,
            "reproducible"
        );
    }

    #[test]
    fn the_background_known_from_the_shapes_is_the_background_drawn() {
        // The cover as the encoder writes it, told which macroblocks no shape comes
        // near, against the same bands with every pixel read: a title, subtitle,
        // author and publisher, at sizes whose frame and lines fall across
        // macroblocks at other offsets.
        let meta = Metadata {
            title: "Which macroblocks are background".into(),
            subtitle: Some("and which are not".into()),
            authors: vec!["Ada Writer".into()],
            publisher: Some("The Press".into()),
            ..Default::default()
        };
        let fonts = Fonts::with(&Typefaces::default()).unwrap();
        for (w, h) in [(WIDTH, HEIGHT), (1203, 1925), (999, 1601)] {
            let ink = cover_ink(&meta, &fonts, (w as f32, h as f32)).unwrap();
            let shapes = ink.shapes();
            let known = draw_bands(&shapes, (w, h), true).unwrap();
            assert!(known == draw_bands(&shapes, (w, h), false).unwrap(), "{w} × {h}");
        }
    }

    /// Whether the cover has a fleuron standing clear of every other line.
    fn fleuron_clear(meta: &Metadata) -> Option<bool> {
        let fonts = Fonts::with(&Typefaces::default()).unwrap();
        let ink = cover_ink(meta, &fonts, (WIDTH as f32, HEIGHT as f32)).unwrap();
        let b = ink.fleuron?.bounds();
        Some(ink.above.iter().chain(&ink.below).all(|p| {
            let o = p.bounds();
            o.bottom() + FLEURON_CLEAR <= b.top() + 0.01
                || o.top() >= b.bottom() + FLEURON_CLEAR - 0.01
        }))
    }

    #[test]
    fn the_fleuron_never_touches_the_title_or_the_authors() {
        let short = Metadata {
            title: "Tiny".into(),
            authors: vec!["A B".into()],
            ..Default::default()
        };
        assert_eq!(fleuron_clear(&short), Some(true));
        // A title and subtitle long enough to reach the authors' lines once put
        // the fleuron over the authors' name.
        let long = Metadata {
            title: "The Civil War in France and Other Writings on the Commune of Paris".into(),
            subtitle: Some("Address of the General Council of the International Working Men’s Association".into()),
            authors: vec!["Karl Marx".into(), "Friedrich Engels".into()],
            ..Default::default()
        };
        assert_eq!(fleuron_clear(&long), Some(true));
        // No room at all: no fleuron.
        let longer = Metadata {
            subtitle: Some("Address of the General Council of the International Working Men’s Association, with the Two Earlier Addresses on the Franco-Prussian War and an Introduction".into()),
            ..long
        };
        assert_eq!(fleuron_clear(&longer), None);
    }
}

#[cfg(test)]
mod resize_tests {
    use super::*;

    #[test]
    fn large_covers_shrink_to_fit_and_small_ones_stay() {
        let big = image::DynamicImage::new_rgb8(4000, 3000);
        let out = image::load_from_memory(&from_image(&big).unwrap()).unwrap();
        assert_eq!((out.width(), out.height()), (1600, 1200));
        let tall = image::DynamicImage::new_rgba8(1000, 5000);
        let out = image::load_from_memory(&from_image(&tall).unwrap()).unwrap();
        assert_eq!((out.width(), out.height()), (512, 2560));
        let small = image::DynamicImage::new_rgb8(300, 480);
        let out = image::load_from_memory(&from_image(&small).unwrap()).unwrap();
        assert_eq!((out.width(), out.height()), (300, 480));
    }
}

#[cfg(test)]
mod as_it_is_tests {
    use super::*;
    use crate::resources::ImageInfo;

    fn jpeg(img: image::DynamicImage) -> (Vec<u8>, ImageInfo) {
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
            .unwrap();
        let info = crate::resources::inspect(&out).unwrap();
        (out, info)
    }

    #[test]
    fn a_jpeg_that_fits_goes_in_as_it_is_and_nothing_else_does() {
        let (colour, info) = jpeg(image::DynamicImage::new_rgb8(1600, 2244));
        assert_eq!(jpeg_components(&colour), Some(3));
        assert!(fits_as_it_is(&colour, info));
        let (gray, info) = jpeg(image::DynamicImage::new_luma8(300, 400));
        assert_eq!(jpeg_components(&gray), Some(1));
        assert!(fits_as_it_is(&gray, info));
        // Too tall: scaled down.
        let (tall, info) = jpeg(image::DynamicImage::new_rgb8(1000, 2600));
        assert!(!fits_as_it_is(&tall, info));
        // A PNG is encoded as JPEG.
        let mut png = Vec::new();
        image::DynamicImage::new_rgb8(10, 10)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(!fits_as_it_is(&png, crate::resources::inspect(&png).unwrap()));
        // A CMYK frame header (four components) is not trusted as it is.
        let mut cmyk = colour.clone();
        let sof = cmyk.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        cmyk[sof + 9] = 4;
        assert_eq!(jpeg_components(&cmyk), Some(4));
        assert_eq!(jpeg_components(b"not a jpeg"), None);
    }
}
