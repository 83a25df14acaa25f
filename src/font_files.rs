//! The fonts quire ships, built into the binary so that it works from any folder.
//!
//! EB Garamond 1.003 (text), Source Sans 3.052 (covers) and Source Code Pro 2.042
//! (code), all under the SIL Open Font License 1.1; see `fonts/README.md` for
//! provenance and checksums.
//! Nothing else in quire reads font files.

pub use crate::typeface::FontFile;

macro_rules! font {
    ($family:literal, $path:literal, $weight:literal, $italic:literal) => {
        FontFile::shipped(
            $family,
            $path,
            include_bytes!(concat!("../fonts/", $path)),
            $weight,
            $italic,
        )
    };
}

/// EB Garamond Regular.
pub const SERIF_REGULAR: FontFile =
    font!("EB Garamond", "EBGaramond/EBGaramond-Regular.ttf", 400, false);
/// EB Garamond Italic.
pub const SERIF_ITALIC: FontFile =
    font!("EB Garamond", "EBGaramond/EBGaramond-Italic.ttf", 400, true);
/// EB Garamond Bold.
pub const SERIF_BOLD: FontFile =
    font!("EB Garamond", "EBGaramond/EBGaramond-Bold.ttf", 700, false);
/// EB Garamond Bold Italic.
pub const SERIF_BOLD_ITALIC: FontFile =
    font!("EB Garamond", "EBGaramond/EBGaramond-BoldItalic.ttf", 700, true);
/// Source Sans 3 Regular.
pub const SANS_REGULAR: FontFile =
    font!("Source Sans 3", "SourceSans3/SourceSans3-Regular.ttf", 400, false);

/// Source Code Pro Regular (code).
pub const MONO_REGULAR: FontFile =
    font!("Source Code Pro", "SourceCodePro/SourceCodePro-Regular.ttf", 400, false);

/// The four text styles of the serif, in the order regular, italic, bold, bold italic.
pub const SERIF: [FontFile; 4] =
    [SERIF_REGULAR, SERIF_ITALIC, SERIF_BOLD, SERIF_BOLD_ITALIC];

/// EB Garamond's licence (OFL 1.1), to ship beside embedded copies.
pub const SERIF_LICENSE: &str = include_str!("../fonts/EBGaramond/OFL.txt");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_fonts_parse_and_cover_the_sample() {
        use skrifa::MetadataProvider;
        for f in SERIF {
            let font = skrifa::FontRef::new(f.data).expect(&f.file);
            let cmap = font.charmap();
            for c in "AZaz’“”—❦é".chars() {
                assert!(cmap.map(c).is_some(), "{} lacks {c}", f.file);
            }
        }
        assert!(SERIF_LICENSE.contains("SIL OPEN FONT LICENSE"));
        let mono = skrifa::FontRef::new(MONO_REGULAR.data).expect("mono");
        for c in " AZaz{}|\\→".chars() {
            assert!(mono.charmap().map(c).is_some(), "mono lacks {c}");
        }
    }
}
