//! Command-line flags (clap) and their typed form.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::backend::Format;

/// quire: Markdown manuscript in; EPUB, print PDF and plain text out.
#[derive(Debug, Parser)]
#[command(name = "quire", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build editions of manuscripts (default: every *.md in manuscript/ into dist/).
    Build(BuildArgs),
    /// Read and validate manuscripts, print diagnostics, write nothing.
    Check(CheckArgs),
    /// Scaffold a new manuscript project in DIR.
    New {
        /// The folder to create.
        dir: PathBuf,
    },
    /// Rebuild on every save.
    Watch(BuildArgs),
}

/// Flags of `quire build`.
#[derive(Debug, Args, Default)]
pub struct BuildArgs {
    /// Manuscript files or folders (default: manuscript/).
    pub paths: Vec<PathBuf>,
    /// Output folder.
    #[arg(short = 'o', long = "out", value_name = "DIR", default_value = "dist")]
    pub out: PathBuf,
    /// Editions to build, comma-separated (default: all that this version builds).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub format: Vec<FormatArg>,
    /// Wrap width of the text edition in columns (0: one paragraph per line);
    /// overrides the manuscript's `text: {width: N}`.
    #[arg(long, value_name = "N")]
    pub text_width: Option<usize>,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Print trim: a5, a6, half-letter, 5x8, 6x9, or WxH with mm or in (overrides
    /// `pdf: {trim: …}`).
    #[arg(long, value_name = "SIZE")]
    pub trim: Option<String>,
    /// Bleed, with a unit: 3mm, 0.125in (default: 3 mm for metric trims, 0.125 in
    /// for inch trims).
    #[arg(long, value_name = "LENGTH")]
    pub bleed: Option<String>,
    /// Draw trim marks outside the bleed.
    #[arg(long)]
    pub crop_marks: bool,
    /// Pamphlet (self-cover) or book (title page); default: book when the manuscript
    /// has `#` chapters.
    #[arg(long, value_name = "LAYOUT")]
    pub layout: Option<String>,
    /// `gray` for black-only printing (images converted to gray).
    #[arg(long, value_name = "MODE")]
    pub color: Option<String>,
    /// How the booklet's printer turns the sheet (default: short-edge).
    #[arg(long, value_enum)]
    pub duplex: Option<DuplexArg>,
    /// Gather the booklet's sheets into signatures of N pages (a multiple of 4), each
    /// folded and stitched on its own — for a pamphlet too thick for one.
    #[arg(long, value_name = "N")]
    pub signature: Option<usize>,
    /// Creep compensation for the booklet, per sheet: 0.1mm.
    #[arg(long, value_name = "LENGTH")]
    pub creep: Option<String>,
    /// Also write NAME-cover.pdf, the cover wrap of a perfect-bound book: back
    /// cover, spine and front cover on one sheet, bled around.
    #[arg(long)]
    pub cover_wrap: bool,
    /// Thickness of one leaf (two pages) for the wrap's spine: 0.1mm, 444ppi, or
    /// kdp-white, kdp-cream, kdp-color, kdp-premium-color (overrides `pdf:
    /// {paper-caliper: …}`; default 0.1mm).
    #[arg(long, value_name = "CALIPER")]
    pub paper_caliper: Option<String>,
}

/// `--duplex` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DuplexArg {
    /// Flip on the short edge: backs upright.
    #[default]
    ShortEdge,
    /// Flip on the long edge (backs turned 180°).
    LongEdge,
    /// No duplex: every front, then every back in reverse order.
    Manual,
}

impl From<DuplexArg> for crate::print::Duplex {
    fn from(d: DuplexArg) -> Self {
        match d {
            DuplexArg::ShortEdge => crate::print::Duplex::ShortEdge,
            DuplexArg::LongEdge => crate::print::Duplex::LongEdge,
            DuplexArg::Manual => crate::print::Duplex::Manual,
        }
    }
}

/// Flags of `quire check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Manuscript files or folders (default: manuscript/).
    pub paths: Vec<PathBuf>,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// The EPUB 3 e-reader edition.
    Epub,
    /// The print PDF.
    Pdf,
    /// The imposed saddle-stitch booklet PDF.
    Booklet,
    /// The plain-text edition.
    Txt,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Epub => Format::Epub,
            FormatArg::Pdf => Format::Pdf,
            FormatArg::Booklet => Format::Booklet,
            FormatArg::Txt => Format::Txt,
        }
    }
}

/// `--message-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum MessageFormat {
    /// `file:line:col: severity[code]: message`, the source line and a caret.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
    /// GitHub Actions workflow commands (`::warning file=…,line=…::message`), so
    /// findings show on the pull request's diff.
    Github,
}
