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
    let img = decode(bytes, format)?;
    Ok(ImageInfo { format, width: img.width(), height: img.height() })
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
}
