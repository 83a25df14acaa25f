//! The print edition's block styles in one table: every size, space and indent a
//! block takes, as a ratio of the body size (the em), the body leading (the line) or
//! the measure. The galley reads them from here and nowhere else, so the page's
//! proportions can be read — and changed — in one place.
//!
//! Values follow common book practice (Bringhurst, *The Elements of Typographic
//! Style*, ch. 2 and 4; the LaTeX book classes and booktabs): display headings a
//! little larger than the text, set off by whole or half lines; quotations and code
//! indented; notes two sizes down.

use super::units::Sp;

/// A fraction `num / den` of a base length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio(pub Sp, pub Sp);

impl Ratio {
    /// This fraction of `base`.
    pub const fn of(self, base: Sp) -> Sp {
        base * self.0 / self.1
    }
}

/// One level of heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadingStyle {
    /// Type size, of the em.
    pub size: Ratio,
    /// Italic rather than roman.
    pub italic: bool,
    /// Centred rather than flush left.
    pub centred: bool,
    /// Space above, of the line.
    pub before: Ratio,
    /// Space below, of the line.
    pub after: Ratio,
}

/// Every block's proportions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Styles {
    /// `#`, `##`, and `###` to `######`.
    pub headings: [HeadingStyle; 3],
    /// Leading of display lines (headings, captions, code, tables), of their size.
    pub display_leading: Ratio,
    /// The title block: title size and leading, of the em.
    pub title: (Ratio, Ratio),
    /// The subtitle's size and leading, of the em.
    pub subtitle: (Ratio, Ratio),
    /// Space after the title block, of the line.
    pub after_title: Ratio,
    /// Space above a book's title, of the text block's height.
    pub book_title_drop: Ratio,
    /// Space around set-off blocks (quotations, verse, code, tables, figures,
    /// section breaks), of the line.
    pub around: Ratio,
    /// Space around lists, of the line.
    pub around_list: Ratio,
    /// A block quotation's indent on each side, of the em.
    pub quote_inset: Ratio,
    /// The width a list marker hangs in, and the gap after the marker, of the em.
    pub list_hang: (Ratio, Ratio),
    /// Verse: indent and the further indent of a turned-over line, of the em.
    pub verse: (Ratio, Ratio),
    /// Code: size of the em, and indent of the em.
    pub code: (Ratio, Ratio),
    /// Code in running text, of the text's size (Source Code Pro's x-height is a
    /// fifth larger than EB Garamond's).
    pub inline_code: Ratio,
    /// Tables: size of the em, and the space between columns, of the em.
    pub table: (Ratio, Ratio),
    /// Tables: the heavy (top and bottom) and light (under the header) rules, and
    /// the space above and below a rule, of the em (booktabs: 0.08 em, 0.05 em and
    /// about 0.4 ex).
    pub table_rules: (Ratio, Ratio, Ratio),
    /// Figures: the tallest image, of the text block's height; the caption's size,
    /// of the em; the space between image and caption, of the line.
    pub figure: (Ratio, Ratio, Ratio),
    /// The section-break fleuron's size, of the em.
    pub fleuron: Ratio,
    /// Space after an editor's note, an epigraph or a dedication, of the line.
    pub after_set_off: Ratio,
    /// An epigraph's indent, of the measure.
    pub epigraph_inset: Ratio,
    /// Notes: size of the em, and leading of their size.
    pub notes: (Ratio, Ratio),
    /// The deepest nesting indent (lists, quotations), of the measure: deeper levels
    /// are set at the same measure, so text stays readable at any depth.
    pub max_indent: Ratio,
}

/// The print edition's styles.
pub const STYLES: Styles = Styles {
    headings: [
        HeadingStyle {
            size: Ratio(7, 5),
            italic: false,
            centred: true,
            before: Ratio(2, 1),
            after: Ratio(1, 1),
        },
        HeadingStyle {
            size: Ratio(23, 20),
            italic: true,
            centred: true,
            before: Ratio(1, 1),
            after: Ratio(1, 2),
        },
        HeadingStyle {
            size: Ratio(1, 1),
            italic: true,
            centred: false,
            before: Ratio(1, 2),
            after: Ratio(1, 4),
        },
    ],
    display_leading: Ratio(13, 10),
    title: (Ratio(8, 5), Ratio(2, 1)),
    subtitle: (Ratio(6, 5), Ratio(8, 5)),
    after_title: Ratio(2, 1),
    book_title_drop: Ratio(1, 4),
    around: Ratio(1, 2),
    around_list: Ratio(1, 4),
    quote_inset: Ratio(3, 2),
    list_hang: (Ratio(3, 2), Ratio(1, 2)),
    verse: (Ratio(2, 1), Ratio(2, 1)),
    code: (Ratio(4, 5), Ratio(1, 1)),
    inline_code: Ratio(5, 6),
    table: (Ratio(9, 10), Ratio(1, 1)),
    table_rules: (Ratio(2, 25), Ratio(1, 20), Ratio(1, 5)),
    figure: (Ratio(1, 2), Ratio(9, 10), Ratio(1, 2)),
    fleuron: Ratio(6, 5),
    after_set_off: Ratio(1, 1),
    epigraph_inset: Ratio(1, 4),
    notes: (Ratio(4, 5), Ratio(11, 9)),
    max_indent: Ratio(2, 5),
};

impl Styles {
    /// The heading style of a level.
    pub fn heading(&self, level: u8) -> HeadingStyle {
        self.headings[usize::from(level.clamp(1, 3)) - 1]
    }
}
