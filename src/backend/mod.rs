//! Backends: functions from the resolved model (or laid-out pages) to bytes.
//!
//! No backend imports the Markdown parser or reads files; typography arrives decided.

pub mod epub;
pub mod pdf;
pub mod text;

/// An edition quire can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `NAME.epub`, the e-reader edition.
    Epub,
    /// `NAME.pdf`, the print pamphlet.
    Pdf,
    /// `NAME-booklet.pdf`, the pamphlet imposed for saddle stitching.
    Booklet,
    /// `NAME.txt`, the plain-text edition.
    Txt,
}

impl Format {
    /// Every format, in build order.
    pub const ALL: [Format; 4] =
        [Format::Epub, Format::Pdf, Format::Booklet, Format::Txt];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
            Format::Booklet => "booklet",
            Format::Txt => "txt",
        }
    }

    /// The output file name for a manuscript stem.
    pub fn file_name(self, stem: &str) -> String {
        match self {
            Format::Epub => format!("{stem}.epub"),
            Format::Pdf => format!("{stem}.pdf"),
            Format::Booklet => format!("{stem}-booklet.pdf"),
            Format::Txt => format!("{stem}.txt"),
        }
    }
}
