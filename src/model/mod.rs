//! The typographic model every edition shares.
//!
//! A [`Document`] is typed metadata plus a tree of [`Block`]s and [`Inline`]s, each
//! carrying the [`Span`] of manuscript it came from. The manuscript reader builds a raw
//! document; the passes in [`run_passes`] then decide typography once — note numbers,
//! section ids and chapters, first-line indents, smart punctuation by language,
//! hyphenation points — so that backends only encode. This module does not parse
//! Markdown (see `manuscript`) and does not lay out pages (see `layout`).

pub mod html;
pub mod hyphenate;
pub mod lang;
pub mod links;
pub mod notes;
pub mod sections;
pub mod smart;

pub use lang::Lang;

use crate::diag::{Diagnostics, Span};

/// A whole manuscript after reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Title, authors, language and per-edition settings from the front matter.
    pub meta: Metadata,
    /// The body, in reading order. Note definitions are not here but in `notes`.
    pub blocks: Vec<Block>,
    /// Note definitions. After [`notes::resolve`], exactly the referenced notes,
    /// ordered by number (note `n` is `notes[n - 1]`).
    pub notes: Vec<Note>,
    /// Chapters as ranges of `blocks`, filled by [`sections::resolve`]. A manuscript
    /// with no `#` heading is one chapter with no heading (a single article).
    pub chapters: Vec<Chapter>,
}

/// Typed front matter with defaults applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// `title`, required.
    pub title: String,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// `author`: a string or a list.
    pub authors: Vec<String>,
    /// `translator`: a string or a list.
    pub translators: Vec<String>,
    /// `editor`: a string or a list.
    pub editors: Vec<String>,
    /// `date`: YYYY or YYYY-MM-DD.
    pub date: Option<Date>,
    /// `lang`, BCP 47; `en` by default.
    pub lang: Lang,
    /// `identifier` (ISBN or URN); by default `urn:uuid:` + a UUIDv5 of title and
    /// authors, so it is stable across builds.
    pub identifier: String,
    /// `publisher`.
    pub publisher: Option<String>,
    /// `rights`.
    pub rights: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `subjects`: a string or a list.
    pub subjects: Vec<String>,
    /// `source`: where the text was first published.
    pub source: Option<String>,
    /// `cover`: an image path relative to the manuscript, with the span of its value.
    pub cover: Option<(String, Span)>,
    /// `toc-depth`: the deepest heading level a book's printed contents lists
    /// (default 1, the chapters).
    pub toc_depth: u8,
    /// `chapters`: the files that hold the book's chapters, in order, each with
    /// where it is named (the CLI joins them after the main file's text).
    pub chapters: Vec<(String, Span)>,
    /// `text:` settings.
    pub text: TextSettings,
    /// `epub:` settings.
    pub epub: EpubSettings,
    /// `pdf:` settings.
    pub pdf: PdfSettings,
    /// `fonts:` settings.
    pub fonts: FontSettings,
    /// `check:` settings.
    pub check: CheckSettings,
    /// Span of the front matter block (the whole `---` … `---`), for diagnostics that
    /// concern metadata as a whole.
    pub span: Span,
}

/// A calendar date as written in the front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year, e.g. 1921.
    pub year: i32,
    /// Month 1–12, if given.
    pub month: Option<u8>,
    /// Day 1–31, if given (only with a month).
    pub day: Option<u8>,
}

impl Date {
    /// ISO 8601 form: `1921`, `1921-02` or `1921-02-04`.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

/// `text:` front matter settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextSettings {
    /// Wrap width in columns; `None` means the default (72); `Some(0)` keeps one
    /// paragraph per line.
    pub width: Option<usize>,
}

/// `epub:` front matter settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EpubSettings {
    /// Embed the document's fonts in the EPUB (`embed-fonts`); `None`: embed them
    /// when the manuscript names fonts, not when it is set in the shipped faces.
    pub embed_fonts: Option<bool>,
}

/// `fonts:` front matter settings: paths as written, each where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FontSettings {
    /// `body`: a font file or a folder of them.
    pub body: Option<(String, Span)>,
    /// `headings`: likewise; default the body's.
    pub headings: Option<(String, Span)>,
    /// `fallback`: tried in order for characters the face lacks.
    pub fallback: Vec<(String, Span)>,
    /// Where the `fonts:` key is.
    pub span: Span,
}

/// `pdf:` front matter settings (kept raw until the PDF backend types them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PdfSettings {
    /// `trim`: a preset name or `WxH` with units.
    pub trim: Option<String>,
    /// `layout`: `pamphlet` or `book`.
    pub layout: Option<String>,
    /// `crop-marks`.
    pub crop_marks: Option<bool>,
    /// `protrusion`: punctuation hangs into the margins (default true).
    pub protrusion: Option<bool>,
    /// `expansion`: justified lines may widen or narrow their glyphs by up to 2 %
    /// (default true).
    pub expansion: Option<bool>,
    /// `font-size`: a length (`10.5pt`; a bare number is points), where written.
    pub font_size: Option<(String, Span)>,
    /// `leading`: likewise.
    pub leading: Option<(String, Span)>,
    /// `bleed`, a length with units.
    pub bleed: Option<String>,
    /// `color`: `color` or `gray`.
    pub color: Option<String>,
    /// `paper-caliper`: the thickness of one leaf for the cover wrap's spine (a
    /// length, pages per inch, or a preset), where written.
    pub paper_caliper: Option<(String, Span)>,
}

/// `check:` front matter settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckSettings {
    /// Diagnostic codes this manuscript silences.
    pub allow: Vec<String>,
}

/// A note definition (`[^label]: text`).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// The label as written, without `[^` `]`.
    pub label: String,
    /// Its number, 1-based, by first reference; 0 until [`notes::resolve`].
    pub number: u32,
    /// Index into [`Document::chapters`] of the chapter holding the first reference.
    pub chapter: usize,
    /// The note's content.
    pub blocks: Vec<Block>,
    /// The whole definition.
    pub span: Span,
}

/// A chapter: a run of top-level blocks starting at a `#` heading (or the document
/// start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Index in [`Document::blocks`] of its first block (the heading, if any).
    pub start: usize,
    /// One past its last block.
    pub end: usize,
    /// Whether `blocks[start]` is its level-1 heading.
    pub has_heading: bool,
}

/// A role given to a run of blocks by a `<div class="…">` wrapper.
///
/// ```markdown
/// <div class="editor-note">
///
/// For our organization-wide reading we are republishing …
///
/// </div>
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivRole {
    /// `editor-note`: an editor's introduction or remark, set apart from the text.
    EditorNote,
    /// `signature`: the author's signature and date, set flush right.
    Signature,
    /// `epigraph`: a quotation that opens the text.
    Epigraph,
    /// `dedication`.
    Dedication,
    /// A passage with a `lang` and no class quire knows: set as the text around
    /// it, in its own language.
    Passage,
}

impl DivRole {
    /// The class name used in the manuscript and in the EPUB.
    pub fn class(self) -> &'static str {
        match self {
            DivRole::EditorNote => "editor-note",
            DivRole::Signature => "signature",
            DivRole::Epigraph => "epigraph",
            DivRole::Dedication => "dedication",
            DivRole::Passage => "passage",
        }
    }

    /// The role for a class name, if quire knows it.
    pub fn from_class(class: &str) -> Option<DivRole> {
        Some(match class {
            "editor-note" => DivRole::EditorNote,
            "signature" => DivRole::Signature,
            "epigraph" => DivRole::Epigraph,
            "dedication" => DivRole::Dedication,
            _ => return None,
        })
    }
}

/// Column alignment in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnAlign {
    /// No alignment given (left in print).
    None,
    /// `:--`
    Left,
    /// `:-:`
    Center,
    /// `--:`
    Right,
}

/// A block-level node.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `# Title {#id .class}`
    Heading {
        /// 1–6.
        level: u8,
        /// Unique anchor id (from `{#id}` or derived from the text by the sections pass).
        id: String,
        /// Classes from `{.class}`.
        classes: Vec<String>,
        /// The heading text.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// A paragraph.
    Paragraph {
        /// Its inlines.
        content: Vec<Inline>,
        /// Whether the first line is indented (false after headings, breaks, block
        /// starts and set-off material), decided by the sections pass.
        indent: bool,
        /// Source span.
        span: Span,
    },
    /// `> quoted`
    BlockQuote {
        /// Its content.
        blocks: Vec<Block>,
        /// Source span.
        span: Span,
    },
    /// `- item` or `1. item`
    List {
        /// The first number of an ordered list; `None` for bullets.
        start: Option<u64>,
        /// Whether items are tight (no blank lines between them).
        tight: bool,
        /// The items, each a list of blocks.
        items: Vec<Vec<Block>>,
        /// Source span.
        span: Span,
    },
    /// `<div class="verse">`: stanzas of lines, each line kept, never justified or
    /// hyphenated.
    Verse {
        /// Stanzas; each is a list of lines.
        stanzas: Vec<Vec<Vec<Inline>>>,
        /// Source span.
        span: Span,
    },
    /// A fenced or indented code block.
    Code {
        /// The info string's first word, if any.
        lang: Option<String>,
        /// The literal text.
        text: String,
        /// Source span.
        span: Span,
    },
    /// A pipe table.
    Table {
        /// One alignment per column.
        align: Vec<ColumnAlign>,
        /// Header cells.
        head: Vec<Vec<Inline>>,
        /// Body rows of cells.
        rows: Vec<Vec<Vec<Inline>>>,
        /// Source span.
        span: Span,
    },
    /// A paragraph holding only an image: `![alt](path "Caption")`. Every edition
    /// sets it as a figure with the title as its caption; the alt text stays the
    /// image's description.
    Figure {
        /// The image path as written.
        src: String,
        /// Plain-text alternative.
        alt: String,
        /// The optional title: the caption.
        title: Option<String>,
        /// Source span.
        span: Span,
    },
    /// `* * *`: a section break.
    SectionBreak {
        /// Source span.
        span: Span,
    },
    /// `<div class="editor-note">` … `</div>` and the other [`DivRole`]s.
    Div {
        /// What the wrapped blocks are.
        role: DivRole,
        /// The passage's language (`<div lang="ar">`), when it is not the
        /// document's: its quotes, hyphenation, direction and EPUB `lang`.
        lang: Option<Lang>,
        /// The wrapped blocks.
        blocks: Vec<Block>,
        /// Source span.
        span: Span,
    },
    /// A raw HTML block as the manuscript has it; [`html::apply`] turns it into
    /// model blocks, so no edition ever sees one.
    Html {
        /// The raw markup.
        raw: String,
        /// Source span.
        span: Span,
    },
}

impl Block {
    /// The block's source span.
    pub fn span(&self) -> Span {
        match self {
            Block::Heading { span, .. }
            | Block::Paragraph { span, .. }
            | Block::BlockQuote { span, .. }
            | Block::List { span, .. }
            | Block::Verse { span, .. }
            | Block::Code { span, .. }
            | Block::Table { span, .. }
            | Block::Figure { span, .. }
            | Block::SectionBreak { span }
            | Block::Div { span, .. }
            | Block::Html { span, .. } => *span,
        }
    }
}

/// An inline node.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Plain text, already smartened after [`smart::apply`].
    Text {
        /// The characters (NFC).
        text: String,
        /// Byte offsets into `text` where a hyphen may break the word, filled by
        /// [`hyphenate::apply`]; empty for code, URLs, numbers and ALL-CAPS words.
        hyphens: Vec<u32>,
        /// Source span.
        span: Span,
    },
    /// `*emphasis*`
    Emphasis {
        /// Content.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// `**strong**`
    Strong {
        /// Content.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// `~~struck~~`
    Strikethrough {
        /// Content.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// `<span class="smallcaps">…</span>`: small capitals (the font's own, `smcp`).
    SmallCaps {
        /// Content.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// `<span lang="fr">…</span>`: a phrase in another language (its quotes,
    /// hyphenation and EPUB `lang`; its direction follows its characters).
    Lang {
        /// The phrase's language.
        lang: Lang,
        /// Content.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// `` `code` ``: never smartened or hyphenated.
    Code {
        /// The literal text.
        text: String,
        /// Source span.
        span: Span,
    },
    /// `[text](url "title")` or `<url>`
    Link {
        /// The destination, as written.
        url: String,
        /// The title attribute, if any.
        title: Option<String>,
        /// The link text.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// An image inside running text: `![alt](path "title")`.
    Image {
        /// The image path, as written.
        src: String,
        /// Plain-text alternative.
        alt: String,
        /// The title, if any (a figure's caption).
        title: Option<String>,
        /// Source span.
        span: Span,
    },
    /// `<span id="id">…</span>` or `<a id="id"></a>`: a place in the running text
    /// that links and cross-references can name, like a heading's id.
    Anchor {
        /// Its id.
        id: String,
        /// What it wraps (often nothing).
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// `[](#id)` or `[page](#id)`: a reference to the page a heading is on. Print
    /// sets "page 47" (the number known once the book is paginated); the EPUB and
    /// the text edition, which have no pages, show the heading's text, `content`,
    /// linked in the EPUB.
    PageRef {
        /// The heading's id.
        id: String,
        /// The heading's text, as plain text.
        content: Vec<Inline>,
        /// Source span.
        span: Span,
    },
    /// `[^label]`: a reference to a note.
    NoteRef {
        /// The label as written.
        label: String,
        /// The note's number (1-based), filled by [`notes::resolve`]; 0 for a
        /// reference with no definition (an error).
        number: u32,
        /// Whether this is the first reference to its note (the one a backend may
        /// give an anchor id).
        first: bool,
        /// Source span.
        span: Span,
    },
    /// A soft line break in the source: a space to every edition.
    SoftBreak {
        /// Source span.
        span: Span,
    },
    /// A hard line break (`\` or two spaces at line end).
    LineBreak {
        /// Source span.
        span: Span,
    },
    /// Inline raw HTML as the manuscript has it; [`html::apply`] turns it into model
    /// inlines, so no edition ever sees one.
    Html {
        /// The raw markup.
        raw: String,
        /// Source span.
        span: Span,
    },
}

impl Inline {
    /// Text with no hyphenation points: what the layout sets that the manuscript
    /// did not write (a title on a cover, a word of the contents).
    pub fn plain(text: impl Into<String>, span: Span) -> Inline {
        Inline::Text { text: text.into(), hyphens: Vec::new(), span }
    }

    /// The inlines it wraps: emphasis, links, phrases … (none for text, code,
    /// breaks, images and note references).
    pub fn children(&self) -> &[Inline] {
        match self {
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Lang { content, .. }
            | Inline::Link { content, .. }
            | Inline::PageRef { content, .. }
            | Inline::Anchor { content, .. } => content,
            Inline::Text { .. }
            | Inline::Code { .. }
            | Inline::Image { .. }
            | Inline::NoteRef { .. }
            | Inline::SoftBreak { .. }
            | Inline::LineBreak { .. }
            | Inline::Html { .. } => &[],
        }
    }

    /// [`Inline::children`], to change: `None` for an inline that wraps none.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Lang { content, .. }
            | Inline::Link { content, .. }
            | Inline::PageRef { content, .. }
            | Inline::Anchor { content, .. } => Some(content),
            Inline::Text { .. }
            | Inline::Code { .. }
            | Inline::Image { .. }
            | Inline::NoteRef { .. }
            | Inline::SoftBreak { .. }
            | Inline::LineBreak { .. }
            | Inline::Html { .. } => None,
        }
    }

    /// The inline's source span.
    pub fn span(&self) -> Span {
        match self {
            Inline::Text { span, .. }
            | Inline::Emphasis { span, .. }
            | Inline::Strong { span, .. }
            | Inline::Strikethrough { span, .. }
            | Inline::SmallCaps { span, .. }
            | Inline::Lang { span, .. }
            | Inline::Code { span, .. }
            | Inline::Link { span, .. }
            | Inline::PageRef { span, .. }
            | Inline::Anchor { span, .. }
            | Inline::Image { span, .. }
            | Inline::NoteRef { span, .. }
            | Inline::SoftBreak { span }
            | Inline::LineBreak { span }
            | Inline::Html { span, .. } => *span,
        }
    }
}

/// Calls `f` with every inline of a run, at any depth, in reading order: each
/// before the inlines it wraps. The one walk the passes that only read share.
pub fn walk_inlines<'a>(inlines: &'a [Inline], f: &mut impl FnMut(&'a Inline)) {
    for i in inlines {
        f(i);
        walk_inlines(i.children(), f);
    }
}

/// Calls `f` with each anchor in a run of inlines, in order, at any depth: its id,
/// what it wraps and its span.
pub fn anchors_in(inlines: &[Inline], f: &mut impl FnMut(&str, &[Inline], Span)) {
    walk_inlines(inlines, &mut |i| {
        if let Inline::Anchor { id, content, span } = i {
            f(id, content, *span);
        }
    });
}

/// Plain text of inlines: text, code and link text, with breaks as spaces and note
/// references left out (as in a table of contents or an image's alt text).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text { text, .. } | Inline::Code { text, .. } => out.push_str(text),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::SoftBreak { .. } | Inline::LineBreak { .. } => out.push(' '),
            Inline::NoteRef { .. } | Inline::Html { .. } => {}
            wrapper => push_plain(wrapper.children(), out),
        }
    }
}

/// Blocks as one run of inlines, where a single paragraph must hold them (a note's
/// list in print, a table cell holding blocks): verse and code keep their lines as
/// hard breaks, other blocks follow each other after a space; nothing is lost.
pub fn inline_flow(blocks: &[Block]) -> Vec<Inline> {
    let mut out = Vec::new();
    let sep = |out: &mut Vec<Inline>, hard: bool| {
        if !out.is_empty() {
            out.push(if hard {
                Inline::LineBreak { span: Span::default() }
            } else {
                Inline::SoftBreak { span: Span::default() }
            });
        }
    };
    walk_blocks(blocks, &mut |b: &Block| match b {
        Block::Code { text, span, .. } => {
            for line in text.trim_end_matches('\n').split('\n') {
                sep(&mut out, true);
                out.push(Inline::Code { text: line.to_string(), span: *span });
            }
        }
        Block::Verse { stanzas, .. } => {
            for line in stanzas.iter().flatten() {
                sep(&mut out, true);
                out.extend(line.iter().cloned());
            }
        }
        Block::Figure { alt, span, .. } => {
            sep(&mut out, false);
            let (src, title) = (String::new(), None);
            out.push(Inline::Image { src, alt: alt.clone(), title, span: *span });
        }
        // Containers: their children are visited on their own.
        Block::BlockQuote { .. } | Block::List { .. } | Block::Div { .. } => {}
        other => for_each_inlines(std::slice::from_ref(other), &mut |inl| {
            sep(&mut out, false);
            out.extend(inl.iter().cloned());
        }),
    });
    out
}

/// Columns between tab stops in code.
pub const TAB_WIDTH: usize = 4;

/// Code with its tabs expanded to the next multiple of [`TAB_WIDTH`] columns (counted
/// from each line's start, a character a column): how every edition that lays code
/// out itself sets it (the EPUB gives reading systems `tab-size: 4`; the text
/// edition keeps the tabs).
pub fn expand_tabs(s: &str) -> String {
    if !s.contains('\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut col = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = TAB_WIDTH - col % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// Calls `f` on every block of a tree, parents before children, in reading order.
/// Note definitions are not visited (they are not in `blocks`).
pub fn walk_blocks<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a Block)) {
    for b in blocks {
        f(b);
        match b {
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                walk_blocks(blocks, f)
            }
            Block::List { items, .. } => items.iter().for_each(|it| walk_blocks(it, f)),
            _ => {}
        }
    }
}

/// Calls `f` on every inline sequence directly held by a block tree (paragraphs,
/// headings, verse lines, table cells), in reading order.
pub fn for_each_inlines<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a [Inline])) {
    for b in blocks {
        match b {
            Block::Heading { content, .. } | Block::Paragraph { content, .. } => {
                f(content)
            }
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                for_each_inlines(blocks, f)
            }
            Block::List { items, .. } => {
                items.iter().for_each(|it| for_each_inlines(it, f))
            }
            Block::Verse { stanzas, .. } => {
                stanzas.iter().flatten().for_each(|l| f(l));
            }
            Block::Table { head, rows, .. } => {
                head.iter().for_each(|c| f(c));
                rows.iter().flatten().for_each(|c| f(c));
            }
            Block::Code { .. }
            | Block::Figure { .. }
            | Block::SectionBreak { .. }
            | Block::Html { .. } => {}
        }
    }
}

/// Calls `f` on every inline sequence directly held by a block tree (paragraphs,
/// headings, verse lines, table cells), in reading order, mutably.
pub fn for_each_inlines_mut(blocks: &mut [Block], f: &mut impl FnMut(&mut Vec<Inline>)) {
    for b in blocks {
        match b {
            Block::Heading { content, .. } | Block::Paragraph { content, .. } => {
                f(content)
            }
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                for_each_inlines_mut(blocks, f)
            }
            Block::List { items, .. } => {
                items.iter_mut().for_each(|it| for_each_inlines_mut(it, f))
            }
            Block::Verse { stanzas, .. } => {
                stanzas.iter_mut().flatten().for_each(&mut *f)
            }
            Block::Table { head, rows, .. } => {
                head.iter_mut().for_each(&mut *f);
                rows.iter_mut().flatten().for_each(&mut *f);
            }
            Block::Code { .. }
            | Block::Figure { .. }
            | Block::SectionBreak { .. }
            | Block::Html { .. } => {}
        }
    }
}

/// [`for_each_inlines_mut`] with the language each inline sequence is in: the
/// document's, or that of the innermost `<div lang>` passage holding it.
pub fn for_each_inlines_in_lang(
    blocks: &mut [Block],
    lang: &Lang,
    f: &mut impl FnMut(&mut Vec<Inline>, &Lang),
) {
    for b in blocks {
        match b {
            Block::Div { blocks, lang: Some(own), .. } => {
                for_each_inlines_in_lang(blocks, &own.clone(), f)
            }
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                for_each_inlines_in_lang(blocks, lang, f)
            }
            Block::List { items, .. } => {
                items.iter_mut().for_each(|it| for_each_inlines_in_lang(it, lang, f))
            }
            other => {
                for_each_inlines_mut(std::slice::from_mut(other), &mut |i| f(i, lang))
            }
        }
    }
}

/// Runs a pass over every inline list of the blocks with its language, as
/// [`for_each_inlines_in_lang`] does, the top-level blocks shared out among the
/// cores in a few long chunks: each chunk gets its own pass from `make`, for
/// passes that keep state of their own (a hyphenation memo, which the long chunks
/// keep warm). Every list is worked on alone, so the outcome is the same as one
/// walk's.
pub fn par_for_each_inlines_in_lang<F: FnMut(&mut Vec<Inline>, &Lang)>(
    blocks: &mut [Block],
    lang: &Lang,
    make: impl Fn() -> F + Sync,
) {
    use rayon::prelude::*;
    let chunks = 2 * rayon::current_num_threads();
    let size = blocks.len().div_ceil(chunks).max(1);
    blocks.par_chunks_mut(size).for_each(|chunk| {
        for_each_inlines_in_lang(chunk, lang, &mut make());
    });
}

/// Runs the model passes in their fixed order. Each pass is idempotent.
///
/// 1. [`html::apply`]: raw HTML into model nodes (or dropped, with a warning) — first,
///    so that every later pass, and every edition, sees only model nodes.
/// 2. [`sections::resolve`]: heading ids, chapters, first-line indents.
/// 3. [`notes::resolve`]: note numbers by first reference; unknown/unused labels.
/// 4. [`links::apply`]: links that cannot work in a book unlinked, with a warning.
/// 5. [`smart::apply`]: quotes, apostrophes, dashes, ellipses, French spacing.
/// 6. [`hyphenate::apply`]: hyphenation points for the layout.
pub fn run_passes(doc: &mut Document, diags: &mut Diagnostics) {
    html::apply(doc, diags);
    sections::resolve(doc);
    notes::resolve(doc, diags);
    links::apply(doc, diags);
    smart::apply(doc);
    hyphenate::apply(doc);
}
