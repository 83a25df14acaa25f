//! The Markdown body → the model tree. The only file that imports pulldown-cmark.
//!
//! Input: the body text and its byte offset in the file. Output: blocks, note
//! definitions (in definition order, unnumbered) and diagnostics. Every node gets the
//! span of the events it came from, shifted to file offsets. Text is normalised to
//! Unicode NFC (UAX #15) so that every edition compares and shapes the same
//! characters.
//!
//! Parser options (the one place they are set): CommonMark plus GFM footnotes, pipe
//! tables, strikethrough and heading attributes. Smart punctuation stays OFF: the model
//! owns it, by language (`model::smart`).
//!
//! The `<div class="…">` convention: an HTML block that is exactly
//! `<div class="editor-note">` (or `signature`, `epigraph`, `dedication`, `verse`),
//! then Markdown separated by blank lines, then `</div>` — valid CommonMark (spec §4.6,
//! HTML blocks of kind 6), rendered sensibly by any other Markdown tool — gives those
//! blocks a role.

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use unicode_normalization::UnicodeNormalization;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{Block, ColumnAlign, DivRole, Inline, Note};

/// Containers nested deeper than this are flattened into their parent, with a
/// warning, so that hostile input cannot overflow the stack.
pub const MAX_DEPTH: usize = 64;

/// What the reader builds.
pub struct Converted {
    /// The body blocks.
    pub blocks: Vec<Block>,
    /// Note definitions in the order they stand.
    pub notes: Vec<Note>,
}

/// Parser options; see the module docs for why these and not smart punctuation.
fn options() -> Options {
    Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Converts the Markdown body starting at byte `offset` of the file.
pub fn convert(body: &str, offset: usize, diags: &mut Diagnostics) -> Converted {
    let events: Vec<(Event<'_>, Span)> = Parser::new_ext(body, options())
        .into_offset_iter()
        .map(|(e, r)| (e, Span::new(r.start + offset, r.end + offset)))
        .collect();
    let mut c =
        Conv { events, pos: 0, notes: Vec::new(), diags, depth: 0, warned_deep: false };
    let mut blocks = c.blocks(None);
    let mut notes = c.notes;
    // GFM footnotes leave a reference to an undefined label as literal text, so the
    // parser never reports it: find `[^label]` left in text and say so.
    let mut f = |inl: &mut Vec<Inline>| undefined_refs(inl, body, offset, diags);
    crate::model::for_each_inlines_mut(&mut blocks, &mut f);
    for n in &mut notes {
        crate::model::for_each_inlines_mut(&mut n.blocks, &mut f);
    }
    Converted { blocks, notes }
}

fn undefined_refs(
    inlines: &mut [Inline],
    body: &str,
    offset: usize,
    diags: &mut Diagnostics,
) {
    for i in inlines {
        match i {
            Inline::Text { span, .. } => {
                let Some(src) = body.get(span.start - offset..span.end - offset) else {
                    continue;
                };
                let mut from = 0;
                while let Some(k) = src[from..].find("[^") {
                    let at = from + k;
                    from = at + 2;
                    let Some(close) = src[at..].find(']') else {
                        break;
                    };
                    let label = &src[at + 2..at + close];
                    let escaped = src[..at].ends_with('\\');
                    if label.is_empty() || label.contains(char::is_whitespace) || escaped
                    {
                        continue;
                    }
                    let start = span.start + at;
                    diags.push(
                        Diagnostic::error(
                            "undefined-note",
                            Span::new(start, start + close + 1),
                            format!("note reference [^{label}] has no definition"),
                        )
                        .with_hint(format!("add a line `[^{label}]: text of the note`")),
                    );
                }
            }
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Lang { content, .. }
            | Inline::Anchor { content, .. }
            | Inline::Link { content, .. } => {
                undefined_refs(content, body, offset, diags)
            }
            _ => {}
        }
    }
}

struct Conv<'a, 'd> {
    events: Vec<(Event<'a>, Span)>,
    pos: usize,
    notes: Vec<Note>,
    diags: &'d mut Diagnostics,
    depth: usize,
    /// Whether `too-deep` was reported (once per manuscript is enough).
    warned_deep: bool,
}

/// An open `<div class="…">` while its blocks are read.
struct DivFrame {
    /// `None` for a div whose class quire does not know (its wrapper is dropped).
    kind: Option<DivKind>,
    /// Its `lang`, if it has a well-formed one.
    lang: Option<crate::model::Lang>,
    span: Span,
    blocks: Vec<Block>,
}

#[derive(Clone, Copy)]
enum DivKind {
    Role(DivRole),
    Verse,
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// An HTML block that is exactly an opening `<div>` with quoted `class` and `lang`
/// attributes (either or both; `dir` is allowed and left to `lang`): its class
/// (empty if none) and its lang.
fn div_open(html: &str) -> Option<(String, Option<String>)> {
    let h = html.trim();
    let mut rest = h.strip_prefix("<div")?.strip_suffix('>')?;
    if rest.contains(['<', '>'])
        || !(rest.is_empty() || rest.starts_with(char::is_whitespace))
    {
        return None;
    }
    let (mut class, mut lang) = (None, None);
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let (name, after) = rest.split_once('=')?;
        let v = after.trim_start();
        let q = v.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let end = v[1..].find(q)? + 1;
        let value = v[1..end].trim().to_string();
        match name.trim() {
            "class" => class = Some(value),
            "lang" | "xml:lang" => lang = Some(value),
            "dir" => {}
            _ => return None,
        }
        rest = &v[end + 1..];
    }
    if class.is_none() && lang.is_none() {
        return None;
    }
    Some((class.unwrap_or_default(), lang))
}

fn is_div_close(html: &str) -> bool {
    html.trim() == "</div>"
}

fn is_block_start(e: &Event) -> bool {
    matches!(
        e,
        Event::Start(
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::Table(_)
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell
                | Tag::MetadataBlock(_)
                | Tag::DefinitionList
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition
        ) | Event::Rule
            | Event::End(_)
    )
}

impl<'a> Conv<'a, '_> {
    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        let e = self.events.get(self.pos).cloned();
        self.pos += 1;
        e
    }

    fn peek(&self) -> Option<&Event<'a>> {
        self.events.get(self.pos).map(|(e, _)| e)
    }

    /// Reads blocks up to (and consuming) the end tag `until`, or to the end of input.
    fn blocks(&mut self, until: Option<TagEnd>) -> Vec<Block> {
        let mut out: Vec<Block> = Vec::new();
        let mut divs: Vec<DivFrame> = Vec::new();
        self.depth += 1;
        while let Some((ev, span)) = self.next() {
            let target: &mut Vec<Block> = match divs.last_mut() {
                Some(f) => &mut f.blocks,
                None => &mut out,
            };
            match ev {
                Event::End(end) if Some(end) == until => break,
                Event::End(_) => {} // an end we do not track (flattened containers)
                Event::Start(Tag::Paragraph) => {
                    let content = self.inlines(Some(TagEnd::Paragraph));
                    target.push(paragraph_or_figure(content, span));
                }
                Event::Start(Tag::Heading { level, id, classes, .. }) => {
                    let content = self.inlines(Some(TagEnd::Heading(level)));
                    target.push(Block::Heading {
                        level: heading_level(level),
                        id: id.map(|s| s.to_string()).unwrap_or_default(),
                        classes: classes.iter().map(|c| c.to_string()).collect(),
                        content,
                        span,
                    });
                }
                Event::Start(Tag::BlockQuote(k)) => {
                    if self.depth > MAX_DEPTH {
                        self.too_deep(span);
                        continue;
                    }
                    let blocks = self.blocks(Some(TagEnd::BlockQuote(k)));
                    let target = divs.last_mut().map_or(&mut out, |f| &mut f.blocks);
                    target.push(Block::BlockQuote { blocks, span });
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split_whitespace().next().map(str::to_string)
                        }
                        CodeBlockKind::Indented => None,
                    };
                    let mut text = String::new();
                    while let Some((e, _)) = self.next() {
                        match e {
                            Event::Text(t) => text.push_str(&t),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    target.push(Block::Code { lang, text, span });
                }
                Event::Start(Tag::HtmlBlock) => {
                    let mut raw = String::new();
                    while let Some((e, _)) = self.next() {
                        match e {
                            Event::Html(t) | Event::Text(t) => raw.push_str(&t),
                            Event::End(TagEnd::HtmlBlock) => break,
                            _ => {}
                        }
                    }
                    self.html_block(raw, span, &mut out, &mut divs);
                }
                Event::Start(Tag::List(start)) => {
                    if self.depth > MAX_DEPTH {
                        self.too_deep(span);
                        continue;
                    }
                    let ordered = start.is_some();
                    let mut items = Vec::new();
                    let mut tight = true;
                    while let Some((e, _)) = self.next() {
                        match e {
                            Event::Start(Tag::Item) => {
                                let before = self.pos;
                                let item = self.blocks(Some(TagEnd::Item));
                                if self.events[before..self.pos].iter().any(|(e, _)| {
                                    matches!(e, Event::Start(Tag::Paragraph))
                                }) {
                                    tight = false;
                                }
                                items.push(item);
                            }
                            Event::End(TagEnd::List(o)) if o == ordered => break,
                            _ => {}
                        }
                    }
                    let target = divs.last_mut().map_or(&mut out, |f| &mut f.blocks);
                    target.push(Block::List { start, tight, items, span });
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let label = label.to_string();
                    let blocks = self.blocks(Some(TagEnd::FootnoteDefinition));
                    self.notes.push(Note { label, number: 0, chapter: 0, blocks, span });
                }
                Event::Start(Tag::Table(aligns)) => {
                    let t = self.table(aligns, span);
                    let target = divs.last_mut().map_or(&mut out, |f| &mut f.blocks);
                    target.push(t);
                }
                Event::Rule => target.push(Block::SectionBreak { span }),
                Event::Start(Tag::MetadataBlock(_)) => {
                    while let Some((e, _)) = self.next() {
                        if matches!(e, Event::End(TagEnd::MetadataBlock(_))) {
                            break;
                        }
                    }
                }
                Event::Start(Tag::Item) => {
                    // Only inside lists; handled there. Read and keep its blocks.
                    let blocks = self.blocks(Some(TagEnd::Item));
                    let target = divs.last_mut().map_or(&mut out, |f| &mut f.blocks);
                    target.extend(blocks);
                }
                Event::Start(_)
                | Event::Text(_)
                | Event::Code(_)
                | Event::InlineMath(_)
                | Event::DisplayMath(_)
                | Event::Html(_)
                | Event::InlineHtml(_)
                | Event::FootnoteReference(_)
                | Event::SoftBreak
                | Event::HardBreak
                | Event::TaskListMarker(_) => {
                    if is_block_start(&ev) {
                        continue; // a stray structural event: nothing to keep
                    }
                    // Inline content at block level: a tight list item's text.
                    self.pos -= 1;
                    let content = self.inlines(None);
                    let end = content.last().map_or(span.end, |i| i.span().end);
                    let target = divs.last_mut().map_or(&mut out, |f| &mut f.blocks);
                    target.push(paragraph_or_figure(content, Span::new(span.start, end)));
                }
            }
        }
        while let Some(f) = divs.pop() {
            self.diags.push(
                Diagnostic::warning(
                    "unclosed-div",
                    f.span,
                    "this <div> is never closed; it is closed at the end of its container",
                )
                .with_hint("add a line `</div>` after a blank line"),
            );
            let target = divs.last_mut().map_or(&mut out, |p| &mut p.blocks);
            close_div(f, target, self.diags);
        }
        self.depth -= 1;
        out
    }

    fn too_deep(&mut self, span: Span) {
        if std::mem::replace(&mut self.warned_deep, true) {
            return;
        }
        self.diags.warning(
            "too-deep",
            span,
            format!("containers are nested more than {MAX_DEPTH} deep; the deeper ones are flattened"),
        );
    }

    fn html_block(
        &mut self,
        raw: String,
        span: Span,
        out: &mut Vec<Block>,
        divs: &mut Vec<DivFrame>,
    ) {
        if let Some((class, lang_tag)) = div_open(&raw) {
            let lang = lang_tag.as_deref().and_then(crate::model::Lang::parse);
            if let (Some(tag), None) = (&lang_tag, &lang) {
                self.diags.warning(
                    "bad-lang",
                    span,
                    format!("`{tag}` is not a BCP 47 language tag; the passage takes the document's language"),
                );
            }
            let kind = if class == "verse" {
                Some(DivKind::Verse)
            } else if class.is_empty() && lang.is_some() {
                Some(DivKind::Role(DivRole::Passage))
            } else {
                DivRole::from_class(&class).map(DivKind::Role)
            };
            if kind.is_none() && !class.is_empty() {
                self.diags.push(
                    Diagnostic::warning(
                        "unknown-div",
                        span,
                        format!("quire does not know the class `{class}`; the wrapper is ignored"),
                    )
                    .with_hint("known classes: editor-note, signature, epigraph, dedication, verse"),
                );
            }
            divs.push(DivFrame { kind, lang, span, blocks: Vec::new() });
        } else if is_div_close(&raw) && !divs.is_empty() {
            let mut f = divs.pop().expect("checked non-empty");
            f.span = f.span.join(span);
            let target = divs.last_mut().map_or(out, |p| &mut p.blocks);
            close_div(f, target, self.diags);
        } else {
            let target = divs.last_mut().map_or(out, |p| &mut p.blocks);
            target.push(Block::Html { raw, span });
        }
    }

    /// Reads inlines up to (and consuming) `until`; with `None`, up to the next
    /// block-level event (not consumed).
    fn inlines(&mut self, until: Option<TagEnd>) -> Vec<Inline> {
        let mut out: Vec<Inline> = Vec::new();
        self.depth += 1;
        while let Some(ev) = self.peek() {
            if until.is_none() && is_block_start(ev) {
                break;
            }
            let (ev, span) = self.next().expect("peeked");
            if self.depth > MAX_DEPTH
                && matches!(
                    ev,
                    Event::Start(
                        Tag::Emphasis
                            | Tag::Strong
                            | Tag::Strikethrough
                            | Tag::Link { .. }
                            | Tag::Superscript
                            | Tag::Subscript
                    )
                )
            {
                // Too deep: keep the text, drop the markup around it.
                self.too_deep(span);
                continue;
            }
            match ev {
                Event::End(e) if Some(e) == until => break,
                Event::End(_) => {}
                Event::Text(t) => push_text(&mut out, &t, span),
                Event::Code(t) => out.push(Inline::Code { text: t.to_string(), span }),
                Event::InlineMath(t) | Event::DisplayMath(t) => {
                    out.push(Inline::Code { text: t.to_string(), span })
                }
                Event::Html(t) | Event::InlineHtml(t) => {
                    out.push(Inline::Html { raw: t.to_string(), span })
                }
                Event::FootnoteReference(label) => out.push(Inline::NoteRef {
                    label: label.to_string(),
                    number: 0,
                    first: false,
                    span,
                }),
                Event::SoftBreak => out.push(Inline::SoftBreak { span }),
                Event::HardBreak => out.push(Inline::LineBreak { span }),
                Event::Start(Tag::Emphasis) => {
                    let content = self.inlines(Some(TagEnd::Emphasis));
                    out.push(Inline::Emphasis { content, span });
                }
                Event::Start(Tag::Strong) => {
                    let content = self.inlines(Some(TagEnd::Strong));
                    out.push(Inline::Strong { content, span });
                }
                Event::Start(Tag::Strikethrough) => {
                    let content = self.inlines(Some(TagEnd::Strikethrough));
                    out.push(Inline::Strikethrough { content, span });
                }
                Event::Start(Tag::Link { dest_url, title, .. }) => {
                    let content = self.inlines(Some(TagEnd::Link));
                    let title = Some(title.to_string()).filter(|t| !t.is_empty());
                    out.push(Inline::Link {
                        url: dest_url.to_string(),
                        title,
                        content,
                        span,
                    });
                }
                Event::Start(Tag::Image { dest_url, title, .. }) => {
                    let alt =
                        crate::model::plain_text(&self.inlines(Some(TagEnd::Image)));
                    let title = Some(nfc(&title)).filter(|t| !t.trim().is_empty());
                    out.push(Inline::Image {
                        src: dest_url.to_string(),
                        alt: nfc(&alt),
                        title,
                        span,
                    });
                }
                Event::Start(Tag::Superscript) => {
                    out.extend(self.inlines(Some(TagEnd::Superscript)))
                }
                Event::Start(Tag::Subscript) => {
                    out.extend(self.inlines(Some(TagEnd::Subscript)))
                }
                Event::Start(_) | Event::Rule | Event::TaskListMarker(_) => {}
            }
        }
        for i in &mut out {
            if let Inline::Text { text, .. } = i
                && !unicode_normalization::is_nfc_quick(text.chars())
                    .eq(&unicode_normalization::IsNormalized::Yes)
            {
                *text = nfc(text);
            }
        }
        self.depth -= 1;
        out
    }

    fn table(&mut self, aligns: Vec<Alignment>, span: Span) -> Block {
        let align = aligns
            .iter()
            .map(|a| match a {
                Alignment::None => ColumnAlign::None,
                Alignment::Left => ColumnAlign::Left,
                Alignment::Center => ColumnAlign::Center,
                Alignment::Right => ColumnAlign::Right,
            })
            .collect();
        let mut head = Vec::new();
        let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
        let mut in_head = false;
        while let Some((e, _)) = self.next() {
            match e {
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    let cell = self.inlines(Some(TagEnd::TableCell));
                    if in_head {
                        head.push(cell);
                    } else if let Some(r) = rows.last_mut() {
                        r.push(cell);
                    }
                }
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        Block::Table { align, head, rows, span }
    }
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Appends text, merging it with a preceding text inline (pulldown-cmark splits text
/// at some punctuation; the model wants whole runs for smartening and hyphenation).
/// Text is normalised once the run is complete (see [`Conv::inlines`]): normalising
/// at every merge would be quadratic in the run's length.
fn push_text(out: &mut Vec<Inline>, t: &str, span: Span) {
    if let Some(Inline::Text { text, span: s, .. }) = out.last_mut() {
        text.push_str(t);
        *s = s.join(span);
        return;
    }
    out.push(Inline::Text { text: t.to_string(), hyphens: Vec::new(), span });
}

/// Pandoc's line blocks — every line of the paragraph starting with `| ` — are verse:
/// each line kept, the spaces after the bar kept as an indent (no-break spaces, so no
/// edition folds them), a line holding only `|` ending a stanza.
fn line_block(content: &[Inline]) -> Option<Vec<Vec<Vec<Inline>>>> {
    let mut lines = vec![Vec::new()];
    for i in content {
        match i {
            Inline::SoftBreak { .. } | Inline::LineBreak { .. } => lines.push(Vec::new()),
            other => lines.last_mut().expect("never empty").push(other.clone()),
        }
    }
    let starts_with_bar = |l: &Vec<Inline>| matches!(l.first(), Some(Inline::Text { text, .. }) if text == "|" || text.starts_with("| "));
    if lines.len() < 2 || !lines.iter().all(starts_with_bar) {
        return None;
    }
    let mut stanzas = vec![Vec::new()];
    for mut line in lines {
        if let Some(Inline::Text { text, .. }) = line.first_mut() {
            let rest = text.strip_prefix('|').unwrap_or(text);
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            let indent = rest.len() - rest.trim_start_matches(' ').len();
            *text = "\u{a0}".repeat(indent) + rest.trim_start_matches(' ');
        }
        line.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
        if line.is_empty() {
            stanzas.push(Vec::new());
        } else {
            stanzas.last_mut().expect("never empty").push(line);
        }
    }
    stanzas.retain(|s| !s.is_empty());
    Some(stanzas)
}

fn paragraph_or_figure(content: Vec<Inline>, span: Span) -> Block {
    if let Some(stanzas) = line_block(&content) {
        return Block::Verse { stanzas, span };
    }
    let meaningful: Vec<&Inline> = content
        .iter()
        .filter(|i| !matches!(i, Inline::Text { text, .. } if text.trim().is_empty()))
        .filter(|i| !matches!(i, Inline::SoftBreak { .. }))
        .collect();
    if let [Inline::Image { src, alt, title, .. }] = meaningful.as_slice() {
        return Block::Figure {
            src: src.clone(),
            alt: alt.clone(),
            title: title.clone(),
            span,
        };
    }
    Block::Paragraph { content, indent: false, span }
}

fn close_div(f: DivFrame, target: &mut Vec<Block>, diags: &mut Diagnostics) {
    match f.kind {
        None => target.extend(f.blocks),
        Some(DivKind::Role(role)) => {
            target.push(Block::Div { role, lang: f.lang, blocks: f.blocks, span: f.span })
        }
        Some(DivKind::Verse) => {
            let mut stanzas = Vec::new();
            let mut others = Vec::new();
            for b in f.blocks {
                match b {
                    Block::Paragraph { content, .. } => {
                        stanzas.push(verse_lines(content))
                    }
                    other => {
                        diags.warning(
                            "verse-content",
                            other.span(),
                            "only paragraphs can be verse; this block is set as prose",
                        );
                        others.push(other);
                    }
                }
            }
            target.push(Block::Verse { stanzas, span: f.span });
            target.extend(others);
        }
    }
}

/// Splits a stanza at its line breaks: in verse every source line is a line.
fn verse_lines(content: Vec<Inline>) -> Vec<Vec<Inline>> {
    let mut lines = vec![Vec::new()];
    for i in content {
        match i {
            Inline::SoftBreak { .. } | Inline::LineBreak { .. } => lines.push(Vec::new()),
            other => lines.last_mut().expect("never empty").push(other),
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_blocks_are_verse() {
        let mut d = Diagnostics::new();
        let c =
            convert("| The first line\n|    indented\n|\n| A new stanza\n", 0, &mut d);
        let Block::Verse { stanzas, .. } = &c.blocks[0] else { panic!("{:?}", c.blocks) };
        assert_eq!(stanzas.len(), 2);
        let second = crate::model::plain_text(&stanzas[0][1]);
        assert_eq!(second, "\u{a0}\u{a0}\u{a0}indented");
    }

    #[test]
    fn div_classes() {
        let open = |h: &str| div_open(h);
        let class = |c: &str| Some((c.to_string(), None));
        assert_eq!(open("<div class=\"editor-note\">\n"), class("editor-note"));
        assert_eq!(open("<div class='signature'>"), class("signature"));
        assert_eq!(open("<div class=\"x\">text</div>"), None);
        assert_eq!(open("<div id=\"x\">"), None);
        assert_eq!(open("<div>"), None);
        assert_eq!(
            open("<div lang=\"ar\" dir=\"rtl\">"),
            Some((String::new(), Some("ar".into())))
        );
        assert_eq!(
            open("<div class=\"epigraph\" lang='fr'>"),
            Some(("epigraph".into(), Some("fr".into())))
        );
    }

    #[test]
    fn spans_are_file_offsets() {
        let mut d = Diagnostics::new();
        let body = "Some *text*[^a].\n\n[^a]: Note.\n";
        let c = convert(body, 100, &mut d);
        let Block::Paragraph { content, span, .. } = &c.blocks[0] else { panic!() };
        assert_eq!(span.start, 100);
        let Inline::NoteRef { span, .. } = &content[2] else { panic!("{content:?}") };
        assert_eq!((span.start, span.end), (111, 115));
        assert_eq!(c.notes.len(), 1);
    }

    #[test]
    fn divs_wrap_blocks() {
        let mut d = Diagnostics::new();
        let body = "<div class=\"signature\">\n\nLeon Trotsky\n\n</div>\n\n<div class=\"verse\">\n\nline one\nline two\n\n</div>\n";
        let c = convert(body, 0, &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert!(
            matches!(&c.blocks[0], Block::Div { role: DivRole::Signature, blocks, .. } if blocks.len() == 1)
        );
        let Block::Verse { stanzas, .. } = &c.blocks[1] else { panic!("{:?}", c.blocks) };
        assert_eq!(stanzas[0].len(), 2);
    }

    #[test]
    fn deep_nesting_is_flattened_not_overflowed() {
        let mut d = Diagnostics::new();
        let body = format!("{}deep\n", "> ".repeat(500));
        let c = convert(&body, 0, &mut d);
        assert!(!c.blocks.is_empty());
        assert!(d.iter().any(|x| x.code == "too-deep"));
    }
}
