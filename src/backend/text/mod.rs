//! The plain-text edition: for mailing lists, screen readers and archives.
//!
//! Input: a resolved [`Document`] and [`TextOptions`]. Output: UTF-8 text with LF line
//! endings. It only encodes decisions the model made: it wraps lines (at spaces only,
//! never adding hyphens, so the text stays searchable; UAX #14 opportunities are used
//! beside wide characters so CJK text still wraps), marks emphasis with `_underscores_`
//! and strong text with `*asterisks*`, numbers notes `[n]` and lists them at the end of
//! the chapter whose text first refers to them. Raw HTML is dropped. It does not
//! hyphenate, justify, or read files.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::model::{Block, ColumnAlign, DivRole, Document, Inline, plain_text};

/// Settings of the text edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// Wrap width in columns; 0 keeps each paragraph on one line.
    pub width: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions { width: DEFAULT_WIDTH }
    }
}

/// The default wrap width: 72 columns, the mail and Project Gutenberg convention.
pub const DEFAULT_WIDTH: usize = 72;

/// Text never wraps narrower than this, however deep the indentation.
const MIN_MEASURE: usize = 20;

/// The three centred asterisks of a section break.
pub const SECTION_BREAK: &str = "* * *";

/// Renders the text edition.
pub fn render(doc: &Document, opts: &TextOptions) -> String {
    let mut w = Writer { lines: Vec::new(), width: opts.width };
    title_block(doc, &mut w);
    for (c, ch) in doc.chapters.iter().enumerate() {
        for b in &doc.blocks[ch.start..ch.end] {
            w.blank();
            w.block(b, &Prefix::none());
        }
        let notes: Vec<_> = doc.notes.iter().filter(|n| n.chapter == c).collect();
        if !notes.is_empty() {
            w.blank();
            w.blank_line();
            let heading = doc.meta.lang.notes_heading();
            w.lines.push(heading.to_string());
            w.lines.push("-".repeat(heading.width()));
            for n in notes {
                w.blank();
                let marker = format!("[{}] ", n.number);
                w.blocks_with_marker(
                    &n.blocks,
                    &marker,
                    &" ".repeat(marker.width()),
                    false,
                );
            }
        }
    }
    let mut out = String::new();
    for l in &w.lines {
        out.push_str(l.trim_end());
        out.push('\n');
    }
    // Exactly one final newline, no trailing blank lines.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn title_block(doc: &Document, w: &mut Writer) {
    let m = &doc.meta;
    let mut lines = vec![m.title.clone()];
    lines.extend(m.subtitle.clone());
    w.centred(&lines);
    let mut by = Vec::new();
    if !m.authors.is_empty() {
        by.push(m.lang.join_names(&m.authors));
    }
    if let Some(d) = &m.date {
        by.push(m.lang.format_date(d));
    }
    if !by.is_empty() {
        w.blank();
        w.centred(&by);
    }
    w.blank();
}

/// What goes before each line of a block: `first` on its first line, `rest` after.
#[derive(Clone)]
struct Prefix {
    first: String,
    rest: String,
}

impl Prefix {
    fn none() -> Self {
        Prefix { first: String::new(), rest: String::new() }
    }

    fn indented(&self, by: usize) -> Self {
        let pad = " ".repeat(by);
        Prefix {
            first: format!("{}{pad}", self.first),
            rest: format!("{}{pad}", self.rest),
        }
    }

    /// The same prefix once the first line has been written.
    fn continued(&self) -> Self {
        Prefix { first: self.rest.clone(), rest: self.rest.clone() }
    }
}

struct Writer {
    lines: Vec<String>,
    width: usize,
}

impl Writer {
    /// Ensures the next block starts after one blank line (never two, never at the top).
    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.trim().is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// A blank line even after another one.
    fn blank_line(&mut self) {
        self.lines.push(String::new());
    }

    fn measure(&self, prefix: &Prefix) -> usize {
        if self.width == 0 {
            return usize::MAX;
        }
        let p = prefix.first.width().max(prefix.rest.width());
        self.width.saturating_sub(p).max(MIN_MEASURE)
    }

    fn centred(&mut self, lines: &[String]) {
        for l in lines {
            for part in wrap(l, if self.width == 0 { usize::MAX } else { self.width }) {
                let pad = if self.width == 0 {
                    0
                } else {
                    self.width.saturating_sub(part.width()) / 2
                };
                self.lines.push(format!("{}{part}", " ".repeat(pad)));
            }
        }
    }

    /// Writes wrapped text with a prefix; hard breaks (`\n`) start new lines.
    fn para(&mut self, text: &str, prefix: &Prefix) {
        let measure = self.measure(prefix);
        let mut first = true;
        for segment in text.split('\n') {
            for line in wrap(segment, measure) {
                let p = if first { &prefix.first } else { &prefix.rest };
                self.lines.push(format!("{p}{line}"));
                first = false;
            }
        }
        if first {
            self.lines.push(prefix.first.clone());
        }
    }

    /// Writes blocks after a marker (`[1] `, `- `), continuing under `indent`;
    /// `tight` blocks follow each other with no blank line (a tight list item).
    fn blocks_with_marker(
        &mut self,
        blocks: &[Block],
        marker: &str,
        indent: &str,
        tight: bool,
    ) {
        let mut prefix = Prefix { first: marker.to_string(), rest: indent.to_string() };
        for (i, b) in blocks.iter().enumerate() {
            if i > 0 && !tight {
                self.blank();
            }
            self.block(b, &prefix);
            prefix = prefix.continued();
        }
    }

    fn block(&mut self, b: &Block, prefix: &Prefix) {
        match b {
            Block::Paragraph { content, .. } => self.para(&inline_text(content), prefix),
            Block::Heading { level, content, .. } => {
                let text = inline_text(content).replace('\n', " ");
                if *level == 1 {
                    self.blank_line();
                }
                let start = self.lines.len();
                self.para(&text, prefix);
                if *level <= 2 {
                    let wide = self.lines[start..]
                        .iter()
                        .map(|l| l.width() - prefix.rest.width().min(l.width()))
                        .max()
                        .unwrap_or(0);
                    let rule = if *level == 1 { "=" } else { "-" };
                    self.lines.push(format!("{}{}", prefix.rest, rule.repeat(wide)));
                }
            }
            Block::BlockQuote { blocks, .. } => self.nested(blocks, &prefix.indented(4)),
            Block::Div { role, blocks, .. } => match role {
                DivRole::EditorNote | DivRole::Epigraph => {
                    self.nested(blocks, &prefix.indented(4))
                }
                DivRole::Signature => self.aligned(blocks, prefix, Side::Right),
                DivRole::Dedication => self.aligned(blocks, prefix, Side::Centre),
                DivRole::Passage => self.nested(blocks, prefix),
            },
            Block::List { start, tight, items, .. } => {
                let widest =
                    start.map_or(2, |s| format!("{}. ", s + items.len() as u64).len());
                for (i, item) in items.iter().enumerate() {
                    if i > 0 && !tight {
                        self.blank();
                    }
                    let marker = match start {
                        Some(s) => format!("{}. ", s + i as u64),
                        None => "- ".to_string(),
                    };
                    let marker = format!(
                        "{}{marker:<widest$}",
                        if i == 0 { &prefix.first } else { &prefix.rest }
                    );
                    let indent = format!("{}{}", prefix.rest, " ".repeat(widest));
                    self.blocks_with_marker(item, &marker, &indent, *tight);
                }
            }
            Block::Verse { stanzas, .. } => {
                let p = prefix.indented(4);
                let mut first = true;
                for stanza in stanzas {
                    if !first {
                        self.blank();
                    }
                    for line in stanza {
                        let lp = if first { p.clone() } else { p.continued() };
                        // A verse line too long for the measure turns over with a
                        // deeper indent, as verse is set in print.
                        let lp =
                            Prefix { first: lp.first, rest: format!("{}    ", lp.rest) };
                        self.para(&inline_text(line).replace('\n', " "), &lp);
                        first = false;
                    }
                }
            }
            Block::Code { text, .. } => {
                let p = prefix.indented(4);
                for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
                    let pre = if i == 0 { &p.first } else { &p.rest };
                    self.lines.push(format!("{pre}{line}"));
                }
            }
            Block::Table { align, head, rows, .. } => {
                self.table(align, head, rows, prefix)
            }
            // A captioned figure shows its caption, as the other editions do; an
            // uncaptioned one its description.
            Block::Figure { title: Some(caption), .. } => {
                self.para(&format!("[Figure: {caption}]"), prefix)
            }
            Block::Figure { alt, .. } => self.para(&format!("[Image: {alt}]"), prefix),
            Block::SectionBreak { .. } => {
                let w = if self.width == 0 { DEFAULT_WIDTH } else { self.width };
                let pad = w.saturating_sub(SECTION_BREAK.len()) / 2;
                self.lines.push(format!("{}{SECTION_BREAK}", " ".repeat(pad)));
            }
            Block::Html { .. } => {}
        }
    }

    fn nested(&mut self, blocks: &[Block], prefix: &Prefix) {
        let mut p = prefix.clone();
        for (i, b) in blocks.iter().enumerate() {
            if i > 0 {
                self.blank();
            }
            self.block(b, &p);
            p = p.continued();
        }
    }

    fn aligned(&mut self, blocks: &[Block], prefix: &Prefix, side: Side) {
        let start = self.lines.len();
        self.nested(blocks, prefix);
        if self.width == 0 {
            return;
        }
        let measure = self.measure(prefix);
        let pw = prefix.rest.width();
        for l in &mut self.lines[start..] {
            if l.trim().is_empty() {
                continue;
            }
            let body = l[l.len() - l.trim_start().len()..].to_string();
            let room = measure.saturating_sub(body.width());
            let pad = match side {
                Side::Right => room,
                Side::Centre => room / 2,
            };
            *l = format!("{}{}{body}", " ".repeat(pw), " ".repeat(pad));
        }
    }

    fn table(
        &mut self,
        align: &[ColumnAlign],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        prefix: &Prefix,
    ) {
        let cell = |c: &Vec<Inline>| inline_text(c).replace('\n', " ");
        let head: Vec<String> = head.iter().map(cell).collect();
        let rows: Vec<Vec<String>> =
            rows.iter().map(|r| r.iter().map(cell).collect()).collect();
        let ncols = align.len().max(head.len());
        let mut widths = vec![0; ncols];
        for r in std::iter::once(&head).chain(rows.iter()) {
            for (i, c) in r.iter().enumerate().take(ncols) {
                widths[i] = widths[i].max(c.width());
            }
        }
        let fmt_row = |r: &[String]| -> String {
            let mut s = String::new();
            for (i, w) in widths.iter().enumerate() {
                let c = r.get(i).map_or("", String::as_str);
                let room = w - c.width().min(*w);
                let (l, rr) = match align.get(i) {
                    Some(ColumnAlign::Right) => (room, 0),
                    Some(ColumnAlign::Center) => (room / 2, room - room / 2),
                    _ => (0, room),
                };
                if i > 0 {
                    s.push_str("  ");
                }
                s.push_str(&format!("{}{c}{}", " ".repeat(l), " ".repeat(rr)));
            }
            s
        };
        let mut p = prefix.clone();
        let mut emit = |w: &mut Writer, s: String| {
            w.lines.push(format!("{}{}", p.first, s));
            p = p.continued();
        };
        if !head.is_empty() {
            emit(self, fmt_row(&head));
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            emit(self, rule.join("  "));
        }
        for r in &rows {
            emit(self, fmt_row(r));
        }
    }
}

#[derive(Clone, Copy)]
enum Side {
    Right,
    Centre,
}

/// Inlines as plain text with the edition's marks; `\n` stands for a hard break.
fn inline_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    push_inlines(inlines, &mut s);
    s
}

fn push_inlines(inlines: &[Inline], s: &mut String) {
    for i in inlines {
        match i {
            Inline::Text { text, .. } | Inline::Code { text, .. } => s.push_str(text),
            Inline::Emphasis { content, .. } => {
                s.push('_');
                push_inlines(content, s);
                s.push('_');
            }
            Inline::Strong { content, .. } => {
                s.push('*');
                push_inlines(content, s);
                s.push('*');
            }
            Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Lang { content, .. }
            | Inline::Anchor { content, .. } => push_inlines(content, s),
            Inline::Link { url, content, .. } => {
                push_inlines(content, s);
                if !url.starts_with('#')
                    && !crate::model::links::shows_target(&plain_text(content), url)
                {
                    s.push_str(&format!(" <{url}>"));
                }
            }
            Inline::PageRef { content, .. } => push_inlines(content, s),
            Inline::Image { alt, .. } => s.push_str(&format!("[Image: {alt}]")),
            Inline::NoteRef { number, .. } => s.push_str(&format!("[{number}]")),
            Inline::SoftBreak { .. } => s.push(' '),
            Inline::LineBreak { .. } => s.push('\n'),
            Inline::Html { .. } => {}
        }
    }
}

/// Greedy line filling at `measure` columns. Breaks at spaces (runs of ASCII
/// spaces fold to one), and at UAX #14 opportunities next to wide (East Asian)
/// characters. A word longer than the measure is never cut: it stands on a line of
/// its own, wider than the measure, so that it can still be found by a search — and a
/// web address still be copied and followed. It is the only line that is wider.
pub fn wrap(text: &str, measure: usize) -> Vec<String> {
    let folded = fold_spaces(text);
    // Only ASCII white space is trimmed: no-break spaces are the author's (a verse
    // line's indent, say) and stay.
    let text = folded.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Vec::new();
    }
    if text.width() <= measure {
        return vec![text.to_string()];
    }
    let mut segments = Vec::new();
    let mut last = 0;
    for (at, _) in unicode_linebreak::linebreaks(text) {
        if at >= text.len() {
            break;
        }
        let before = text[..at].chars().next_back();
        let after = text[at..].chars().next();
        let spaced = before == Some(' ');
        let wide = before.is_some_and(|c| c.width() == Some(2))
            || after.is_some_and(|c| c.width() == Some(2));
        if spaced || wide {
            segments.push(&text[last..at]);
            last = at;
        }
    }
    segments.push(&text[last..]);

    let mut lines = Vec::new();
    let mut cur = String::new();
    // `cur`'s width, and that of the white space it ends with: kept as segments
    // are added, rather than measuring the whole line again for each word.
    let (mut width, mut trailing) = (0, 0);
    for seg in segments {
        let (w, visible) = (seg.width(), seg.trim_end().width());
        // Segments end after their space, so `cur` + the segment's visible part is the
        // width the line would have.
        if cur.is_empty() || width + visible <= measure {
            cur.push_str(seg);
            width += w;
            trailing = if visible == 0 { trailing + w } else { w - visible };
        } else {
            lines.push(cur.trim_end().to_string());
            cur = seg.to_string();
            (width, trailing) = (w, w - visible);
        }
        // A word wider than the measure stays whole, on its own line.
        if width - trailing > measure {
            lines.push(cur.trim_end().to_string());
            cur.clear();
            (width, trailing) = (0, 0);
        }
    }
    if !cur.trim().is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    lines
}

fn fold_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if c == '\t' { ' ' } else { c };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_within_measure() {
        let t = "The Commune came too late. It had all the possibilities of taking the power on September 4.";
        let lines = wrap(t, 30);
        assert!(lines.iter().all(|l| l.width() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), t);
    }

    #[test]
    fn no_break_at_hyphens_or_narrow_spaces() {
        let t = "Franco-German aaaa «\u{202F}oui\u{202F}» bbbb";
        let lines = wrap(t, 16);
        assert!(lines.contains(&"Franco-German".to_string()), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("«\u{202F}oui\u{202F}»")), "{lines:?}");
    }

    #[test]
    fn no_break_space_indents_are_kept() {
        assert_eq!(wrap("\u{a0}\u{a0}indented", 72), ["\u{a0}\u{a0}indented"]);
    }

    #[test]
    fn overlong_words_stand_whole_on_their_own_line() {
        let url = "https://example.org/a/very/long/path/indeed";
        let lines = wrap(&format!("see {url} ok and more words"), 20);
        assert_eq!(lines, ["see", url, "ok and more words"]);
    }

    #[test]
    fn cjk_wraps() {
        let lines = wrap("巴黎公社的教训巴黎公社的教训巴黎公社的教训", 10);
        assert!(lines.len() > 1 && lines.iter().all(|l| l.width() <= 10), "{lines:?}");
    }
}
