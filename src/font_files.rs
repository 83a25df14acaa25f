//! The fonts quire ships, built into the binary so that it works from any folder.
//!
//! EB Garamond 1.003 (text), Source Sans 3.052 (covers) and Source Code Pro 2.042
//! (code), all under the SIL Open Font License 1.1; see `fonts/README.md` for
//! provenance and checksums.
//! Nothing else in quire reads font files.

/// A shipped font file.
#[derive(Debug, Clone, Copy)]
pub struct FontFile {
    /// The family name in the font's `name` table.
    pub family: &'static str,
    /// The style: `Regular`, `Italic`, `Bold`, `Bold Italic`, `Semibold`.
    pub style: &'static str,
    /// The file name under `fonts/`.
    pub file: &'static str,
    /// The TrueType data.
    pub data: &'static [u8],
}

macro_rules! font {
    ($family:literal, $style:literal, $path:literal) => {
        FontFile {
            family: $family,
            style: $style,
            file: $path,
            data: include_bytes!(concat!("../fonts/", $path)),
        }
    };
}

/// EB Garamond Regular.
pub const SERIF_REGULAR: FontFile =
    font!("EB Garamond", "Regular", "EBGaramond/EBGaramond-Regular.ttf");
/// EB Garamond Italic.
pub const SERIF_ITALIC: FontFile =
    font!("EB Garamond", "Italic", "EBGaramond/EBGaramond-Italic.ttf");
/// EB Garamond Bold.
pub const SERIF_BOLD: FontFile =
    font!("EB Garamond", "Bold", "EBGaramond/EBGaramond-Bold.ttf");
/// EB Garamond Bold Italic.
pub const SERIF_BOLD_ITALIC: FontFile =
    font!("EB Garamond", "Bold Italic", "EBGaramond/EBGaramond-BoldItalic.ttf");
/// Source Sans 3 Regular.
pub const SANS_REGULAR: FontFile =
    font!("Source Sans 3", "Regular", "SourceSans3/SourceSans3-Regular.ttf");

/// Source Code Pro Regular (code).
pub const MONO_REGULAR: FontFile =
    font!("Source Code Pro", "Regular", "SourceCodePro/SourceCodePro-Regular.ttf");

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
            let font = skrifa::FontRef::new(f.data).expect(f.file);
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
