//! Files a manuscript refers to (its cover, images and fonts): the rules a path must follow,
//! and the inspection of an image's bytes.
//!
//! Input: the model's image paths, and bytes the CLI has read. Output: diagnostics
//! for paths that would leave the manuscript's folder, and an [`ImageInfo`] (format,
//! size) for bytes that decode within explicit limits. Nothing here reads files: the
//! CLI reads, this module judges.

use image::{ImageFormat, ImageReader, Limits};

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{Block, Document, Inline, walk_blocks};

/// Largest image side quire decodes, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// Largest allocation an image decode may make, in bytes.
pub const MAX_ALLOC: u64 = 256 << 20;

/// What kind of resource a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The front matter's `cover`.
    Cover,
    /// An image in the text.
    Image,
    /// A font file or folder of the front matter's `fonts:`.
    Font(crate::typeface::Role),
}

/// A path in the manuscript and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// The path as written, relative to the manuscript's folder.
    pub path: String,
    /// Where it is written.
    pub span: Span,
    /// Cover or image.
    pub kind: Kind,
}

/// Why a path is refused, or `None` when it is a relative file path: no URL schemes
/// (`file:`, `http:`, `data:` …), no absolute or home-relative paths. A `..` is
/// allowed here; the CLI refuses any path that, resolved, leaves the project.
pub fn path_problem(path: &str) -> Option<&'static str> {
    let p = path.trim();
    if p.is_empty() {
        return Some("the path is empty");
    }
    if let Some(colon) = p.find(':') {
        let scheme = &p[..colon];
        if !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Some("URLs are not read; put the file beside the manuscript");
        }
    }
    if p.starts_with('/') || p.starts_with('\\') || p.starts_with('~') {
        return Some(
            "absolute paths are not read; give a path relative to the manuscript",
        );
    }
    None
}

/// Every cover and image path of the document, in reading order, with the paths
/// that break the rules reported as errors (and left out), and images without
/// alternative text reported as warnings.
pub fn collect(doc: &Document, diags: &mut Diagnostics) -> Vec<Ref> {
    let mut refs = Vec::new();
    let mut push = |path: &str, span: Span, kind: Kind, alt: Option<&str>| {
        if let Some(why) = path_problem(path) {
            diags.push(Diagnostic::error(
                "unsafe-path",
                span,
                format!("`{path}` is refused: {why}"),
            ));
            return;
        }
        if alt.is_some_and(|a| a.trim().is_empty()) {
            diags.push(
                Diagnostic::warning("missing-alt", span, format!("the image `{path}` has no alternative text"))
                    .with_hint("write `![what the image shows](path)`; readers who cannot see it depend on it"),
            );
        }
        refs.push(Ref { path: path.to_string(), span, kind });
    };
    if let Some((p, span)) = &doc.meta.cover {
        push(p, *span, Kind::Cover, None);
    }
    let f = &doc.meta.fonts;
    use crate::typeface::Role;
    let named = f.body.iter().map(|b| (b, Role::Body));
    let named = named.chain(f.headings.iter().map(|h| (h, Role::Headings)));
    let named =
        named.chain(f.fallback.iter().enumerate().map(|(k, p)| (p, Role::Fallback(k))));
    for ((p, span), role) in named {
        push(p, *span, Kind::Font(role), None);
    }
    let mut images = Vec::new();
    let mut visit = |blocks: &[Block]| {
        walk_blocks(blocks, &mut |b| {
            if let Block::Figure { src, alt, span, .. } = b {
                images.push((src.clone(), *span, alt.clone()));
            }
        });
        crate::model::for_each_inlines(blocks, &mut |inl| {
            inline_images(inl, &mut images)
        });
    };
    visit(&doc.blocks);
    for n in &doc.notes {
        visit(&n.blocks);
    }
    for (src, span, alt) in &images {
        push(src, *span, Kind::Image, Some(alt));
    }
    refs
}

fn inline_images(inl: &[Inline], out: &mut Vec<(String, Span, String)>) {
    for i in inl {
        match i {
            Inline::Image { src, alt, span, .. } => {
                out.push((src.clone(), *span, alt.clone()))
            }
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Lang { content, .. }
            | Inline::Anchor { content, .. }
            | Inline::Link { content, .. } => inline_images(content, out),
            _ => {}
        }
    }
}

/// A decoded image's vital statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// JPEG, PNG or WebP.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl ImageInfo {
    /// The EPUB core media type of the format.
    pub fn media_type(&self) -> &'static str {
        match self.format {
            ImageFormat::Png => "image/png",
            ImageFormat::WebP => "image/webp",
            _ => "image/jpeg",
        }
    }

    /// The usual file extension.
    pub fn extension(&self) -> &'static str {
        match self.format {
            ImageFormat::Png => "png",
            ImageFormat::WebP => "webp",
            _ => "jpg",
        }
    }
}

/// Decoder limits: no image larger than [`MAX_SIDE`] on a side or allocating more
/// than [`MAX_ALLOC`].
pub fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_ALLOC);
    l
}

/// Decodes `bytes` fully, within [`limits`], to make sure the image is sound; JPEG,
/// PNG and WebP only.
pub fn inspect(bytes: &[u8]) -> Result<ImageInfo, String> {
    let format = image::guess_format(bytes)
        .map_err(|_| "not an image quire can read".to_string())?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) {
        return Err(format!(
            "{format:?} images are not supported; use JPEG, PNG or WebP"
        ));
    }
    let (width, height) = match format {
        ImageFormat::Jpeg => jpeg_size(bytes)?,
        _ => {
            let img = decode(bytes, format)?;
            (img.width(), img.height())
        }
    };
    Ok(ImageInfo { format, width, height })
}

/// A JPEG's size, read from its header, once the file is known to hold a whole
/// image: its scan ends in an end-of-image marker. A JPEG goes into the PDF and the
/// e-book as it is (as pdfTeX embeds one, from its header alone), so decoding all
/// of it here would check nothing those editions use — and cost more than the rest
/// of a pamphlet's reading. It is decoded only to be changed: printed in gray, or a
/// cover made smaller.
fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    let mut r = ImageReader::with_format(std::io::Cursor::new(bytes), ImageFormat::Jpeg);
    r.limits(limits());
    let (w, h) =
        r.into_dimensions().map_err(|e| format!("the image cannot be decoded: {e}"))?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!(
            "the image is {w} × {h} pixels, larger than the {MAX_SIDE} quire reads on a side"
        ));
    }
    let frame = jpeg_frame(bytes).ok_or("the image has no JPEG frame header")?;
    // Within the entropy-coded data a 0xFF byte is always followed by 0x00 or a
    // restart marker (ITU T.81 B.1.1.5, F.1.2.3), so the first FF D9 after the
    // scan begins is the end of the image.
    if !bytes[frame.scan..].windows(2).any(|w| w == [0xFF, 0xD9]) {
        return Err("the image is cut short: its JPEG data has no end".into());
    }
    Ok((w, h))
}

/// What a JPEG's markers tell before its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegFrame {
    /// Colour components: 1 gray, 3 YCbCr, 4 CMYK or YCCK.
    pub components: u8,
    /// Where its first scan (start-of-scan marker) begins.
    pub scan: usize,
}

/// Walks a JPEG's marker segments to its frame header (SOF0–SOF15 but DHT, JPG and
/// DAC: ITU T.81 B.2.2) and on to its first scan; `None` when the markers do not
/// lead there.
pub fn jpeg_frame(bytes: &[u8]) -> Option<JpegFrame> {
    let mut at = 2;
    let mut components = None;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            // Fill bytes before a marker.
            at += 1;
            continue;
        }
        if marker == 0xDA {
            // The scan: only after a frame header is it one to trust.
            return Some(JpegFrame { components: components?, scan: at });
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            // Length, precision, height, width, then the component count.
            components = Some(*bytes.get(at + 9)?);
        }
        if len < 2 {
            return None;
        }
        at += 2 + len;
    }
    None
}

/// Decodes within [`limits`].
pub fn decode(bytes: &[u8], format: ImageFormat) -> Result<image::DynamicImage, String> {
    let mut r = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    r.limits(limits());
    r.decode().map_err(|e| format!("the image cannot be decoded: {e}"))
}

/// The image in gray, as PNG (for black-only printing).
pub fn to_gray(bytes: &[u8], info: ImageInfo) -> Result<(Vec<u8>, ImageInfo), String> {
    let img = decode(bytes, info.format)?;
    let mut out = Vec::new();
    image::DynamicImage::ImageLuma8(img.to_luma8())
        .write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok((out, ImageInfo { format: ImageFormat::Png, ..info }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_folder_are_refused() {
        for bad in [
            "/etc/passwd",
            "file:///etc/passwd",
            "https://x/y.png",
            "data:image/png;base64,AA",
            "C:\\x.png",
            "~/x.png",
            "",
        ] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
        for ok in [
            "images/x.png",
            "x.jpg",
            "covers/front cover.jpg",
            "a/./b.png",
            "../covers/x.jpg",
        ] {
            assert!(path_problem(ok).is_none(), "{ok}");
        }
    }

    /// CRC-32 (ISO 3309), for forging a PNG chunk in a test.
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }

    #[test]
    fn inspects_real_images_and_refuses_garbage() {
        let mut png = Vec::new();
        image::RgbImage::new(3, 2)
            .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let info = inspect(&png).unwrap();
        assert_eq!((info.width, info.height, info.media_type()), (3, 2, "image/png"));
        assert!(inspect(b"not an image").is_err());
        // A PNG whose header claims 20,000 × 20,000 pixels is refused by the limits
        // before anything that size is allocated.
        let mut huge = png.clone();
        huge[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&huge[12..29]);
        huge[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = inspect(&huge).unwrap_err();
        assert!(
            e.contains("limit") || e.contains("large") || e.contains("dimension"),
            "{e}"
        );
        assert!(inspect(&png[..20]).is_err());
    }

    #[test]
    fn a_jpeg_is_read_from_its_header_and_refused_when_cut_short() {
        let mut jpg = Vec::new();
        let img = image::RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([x as u8 * 6, y as u8 * 8, 90])
        });
        img.write_to(&mut std::io::Cursor::new(&mut jpg), ImageFormat::Jpeg).unwrap();
        let info = inspect(&jpg).unwrap();
        assert_eq!((info.width, info.height, info.media_type()), (40, 30, "image/jpeg"));
        let frame = jpeg_frame(&jpg).unwrap();
        assert_eq!(frame.components, 3);
        assert_eq!(jpg[frame.scan..frame.scan + 2], [0xFF, 0xDA]);
        // Cut within its scan: no end-of-image marker.
        let cut = &jpg[..frame.scan + (jpg.len() - frame.scan) / 2];
        let e = inspect(cut).unwrap_err();
        assert!(e.contains("cut short"), "{e}");
        // Cut within its header.
        assert!(inspect(&jpg[..frame.scan / 2]).is_err());
        // A frame header claiming 20,000 pixels on a side.
        let mut huge = jpg.clone();
        let sof = huge.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        huge[sof + 5..sof + 9].copy_from_slice(&[0x4E, 0x20, 0x4E, 0x20]);
        let e = inspect(&huge).unwrap_err();
        assert!(
            e.contains("large") || e.contains("limit") || e.contains("dimension"),
            "{e}"
        );
    }
}
