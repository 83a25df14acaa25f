//! Raw HTML in the manuscript, turned once into the model's own nodes — or dropped
//! with a warning naming its line — so that every edition shows the same thing.
//!
//! Input: a [`Document`] whose [`Block::Html`] and [`Inline::Html`] hold markup as the
//! author typed it. Output: the same document with no raw HTML left. Elements with a
//! meaning the model has become that node in every edition: `strong`/`b` strong,
//! `em`/`i`/`cite`/`dfn`/`var` emphasis, `s`/`del`/`strike` struck out, `code`/`kbd`/
//! `samp`/`tt` code, `a href` a link (web, mail or `#heading` addresses only), `br` a
//! line break, `span class="smallcaps"` small capitals; in a block, `p`/`div`/`section`… paragraphs, `blockquote` a quotation,
//! `ul`/`ol`/`li` a list, `pre` a code block, `table`/`tr`/`th`/`td` a table, `hr` a
//! section break, and a `div` of a known class (`editor-note`, `signature`,
//! `epigraph`, `dedication`) that role. Any other element is unwrapped: its text is
//! kept and the element dropped, with a warning. `script`, `style` and the other
//! active or embedded elements are dropped with their content — also when, in running
//! text, the Markdown reader hands their text over apart from their tags. Event
//! handlers and `javascript:`/`data:` links never survive. Comments disappear
//! silently; a processing instruction (`<?xml …?>`), a declaration (`<!DOCTYPE …>`)
//! or a CDATA section is dropped with a warning. HTML named entities become
//! characters.
//!
//! This pass runs first, so the passes after it (sections, notes, smart punctuation,
//! hyphenation) see only model nodes.

use super::{Block, ColumnAlign, DivRole, Document, Inline};
use crate::diag::{Diagnostics, Span};

/// Elements dropped together with everything inside them.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg",
    "math", "frameset", "frame", "applet", "canvas", "video", "audio", "form", "select",
    "textarea", "button", "head", "title",
];

/// Elements that end the paragraph they stand in (their content starts a new one).
const PARAGRAPH: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "main",
    "nav",
    "figure",
    "figcaption",
    "caption",
    "dl",
    "dt",
    "dd",
    "address",
    "center",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "details",
    "summary",
    "hgroup",
];

/// Elements unwrapped without a word: they only group (or, for `span`, carry
/// attributes the model does not keep).
const SILENT: &[&str] = &[
    "span", "html", "body", "thead", "tbody", "tfoot", "colgroup", "col", "wbr", "div",
    "section", "article", "main", "header", "footer", "p",
];

/// What an element is in the model.
#[derive(Debug, Clone, PartialEq)]
enum Meaning {
    Strong,
    Emphasis,
    Strike,
    Code,
    SmallCaps,
    /// A phrase in another language (`<span lang>`, or any element's `lang`).
    Lang(super::Lang),
    Link(String),
    /// A place links can name (`<span id>`, `<a id>` without `href`).
    Anchor(String),
    /// Unwrapped: the content stays, the element goes.
    Unwrap,
    /// Dropped with its content.
    Drop,
}

/// A token of raw HTML.
#[derive(Debug)]
enum Tok {
    Open { name: String, attrs: Vec<(String, String)>, closed: bool },
    Close(String),
    Text(String),
}

/// What a piece of raw HTML lost, reported once at its line.
#[derive(Default)]
struct Drops(Vec<String>);

impl Drops {
    fn note(&mut self, what: String) {
        if !self.0.contains(&what) {
            self.0.push(what);
        }
    }

    fn report(&mut self, span: Span, diags: &mut Diagnostics) {
        if !self.0.is_empty() {
            let what = std::mem::take(&mut self.0).join(", ");
            diags.warning("raw-html", span, format!("raw HTML dropped: {what}"));
        }
    }
}

/// Turns every raw HTML node of the document into model nodes.
pub fn apply(doc: &mut Document, diags: &mut Diagnostics) {
    convert_blocks(&mut doc.blocks, diags);
    for n in &mut doc.notes {
        convert_blocks(&mut n.blocks, diags);
    }
}

/// Replaces each raw HTML block by the blocks it holds, and converts the raw HTML in
/// every inline sequence, at any depth.
fn convert_blocks(blocks: &mut Vec<Block>, diags: &mut Diagnostics) {
    let mut out = Vec::with_capacity(blocks.len());
    for mut b in std::mem::take(blocks) {
        match &mut b {
            Block::Html { raw, span } => {
                let mut drops = Drops::default();
                let mut made = html_blocks(raw, *span, &mut drops);
                super::for_each_inlines_mut(&mut made, &mut drop_trailing_breaks);
                out.extend(made);
                drops.report(*span, diags);
                continue;
            }
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                convert_blocks(blocks, diags)
            }
            Block::List { items, .. } => {
                items.iter_mut().for_each(|it| convert_blocks(it, diags))
            }
            Block::Heading { content, .. } | Block::Paragraph { content, .. } => {
                convert_block_inlines(content, diags)
            }
            Block::Verse { stanzas, .. } => {
                stanzas.iter_mut().flatten().for_each(|l| convert_block_inlines(l, diags))
            }
            Block::Table { head, rows, .. } => {
                head.iter_mut().for_each(|c| convert_block_inlines(c, diags));
                rows.iter_mut().flatten().for_each(|c| convert_block_inlines(c, diags));
            }
            Block::Code { .. } | Block::Figure { .. } | Block::SectionBreak { .. } => {}
        }
        out.push(b);
    }
    *blocks = out;
}

/// Converts the raw HTML of a block's whole inline sequence (a paragraph, a heading,
/// a verse line, a table cell).
fn convert_block_inlines(v: &mut Vec<Inline>, diags: &mut Diagnostics) {
    convert_inlines(v, diags);
    drop_trailing_breaks(v);
}

/// Drops the `<br>`s that end a block, at any depth of its last inline: a browser
/// breaks no line there, and CommonMark's own hard breaks cannot end a block
/// (spec, 6.7); the print edition would set an empty line, alone at the top of a
/// page when the break falls at its foot.
fn drop_trailing_breaks(v: &mut Vec<Inline>) {
    while let Some(Inline::LineBreak { .. }) = v.last() {
        v.pop();
    }
    if let Some(inner) = v.last_mut().and_then(Inline::children_mut) {
        drop_trailing_breaks(inner);
    }
}

/// Converts the raw HTML in an inline sequence: its tags may open in one inline and
/// close in a later one (the Markdown reader hands over each tag alone), so the
/// sequence is rebuilt as a tree; what is left open is closed at its end.
fn convert_inlines(v: &mut Vec<Inline>, diags: &mut Diagnostics) {
    if !contains_html(v) {
        return;
    }
    let mut b = InlineTree::default();
    for i in std::mem::take(v) {
        match i {
            Inline::Html { raw, span } => {
                for t in tokenize(&raw, &mut b.drops) {
                    b.token(t, span);
                }
                b.drops.report(span, diags);
            }
            // Every wrapper's own content, through `Inline::children_mut`.
            mut other => {
                if let Some(content) = other.children_mut() {
                    convert_inlines(content, diags);
                }
                b.push(other);
            }
        }
    }
    *v = b.finish();
}

/// Whether an inline sequence holds raw HTML at any depth (through
/// [`Inline::children`], so no wrapper kind is forgotten: the list this had of its
/// own left out page references).
fn contains_html(v: &[Inline]) -> bool {
    v.iter().any(|i| matches!(i, Inline::Html { .. }) || contains_html(i.children()))
}

/// An element's `id`, trimmed, if it has a non-empty one.
fn id_of(attrs: &[(String, String)]) -> Option<String> {
    attrs
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The meaning of an inline element (or of a block element met inside running text).
fn inline_kind(name: &str, attrs: &[(String, String)], drops: &mut Drops) -> Meaning {
    match name {
        "strong" | "b" => Meaning::Strong,
        "em" | "i" | "cite" | "dfn" | "var" => Meaning::Emphasis,
        "s" | "del" | "strike" => Meaning::Strike,
        "code" | "kbd" | "samp" | "tt" => Meaning::Code,
        "span" if has_class(attrs, "smallcaps") => Meaning::SmallCaps,
        "span" if lang_of(attrs).is_some() => {
            Meaning::Lang(lang_of(attrs).expect("checked by the guard"))
        }
        "span" | "a"
            if id_of(attrs).is_some() && !attrs.iter().any(|(k, _)| k == "href") =>
        {
            Meaning::Anchor(id_of(attrs).expect("checked by the guard"))
        }
        "a" => match attrs.iter().find(|(k, _)| k == "href") {
            Some((_, href)) if safe_href(href) => Meaning::Link(href.trim().to_string()),
            Some((_, href)) => {
                drops.note(format!("the link to `{}` (its text is kept)", href.trim()));
                Meaning::Unwrap
            }
            None => Meaning::Unwrap,
        },
        n if DROP_WITH_CONTENT.contains(&n) => {
            drops.note(format!("<{n}> and its content"));
            Meaning::Drop
        }
        n => {
            if !SILENT.contains(&n) {
                drops.note(format!("<{n}> (its text is kept)"));
            }
            Meaning::Unwrap
        }
    }
}

/// An element's well-formed `lang` (or `xml:lang`) attribute.
fn lang_of(attrs: &[(String, String)]) -> Option<super::Lang> {
    attrs
        .iter()
        .find(|(k, _)| k == "lang" || k == "xml:lang")
        .and_then(|(_, v)| super::Lang::parse(v))
}

/// Whether an element has a class.
fn has_class(attrs: &[(String, String)], class: &str) -> bool {
    attrs.iter().any(|(k, v)| k == "class" && v.split_whitespace().any(|c| c == class))
}

/// Notes the attributes no edition may keep: event handlers.
fn note_handlers(attrs: &[(String, String)], drops: &mut Drops) {
    for (k, _) in attrs.iter().filter(|(k, _)| k.starts_with("on")) {
        drops.note(format!("the {k} attribute"));
    }
}

/// An inline element being built.
struct Frame {
    kind: Meaning,
    name: String,
    content: Vec<Inline>,
    span: Span,
}

/// Inlines rebuilt as a tree from a flat run of tags and text.
struct InlineTree {
    stack: Vec<Frame>,
    drops: Drops,
}

impl Default for InlineTree {
    fn default() -> Self {
        let root = Frame {
            kind: Meaning::Unwrap,
            name: String::new(),
            content: Vec::new(),
            span: Span::default(),
        };
        InlineTree { stack: vec![root], drops: Drops::default() }
    }
}

impl InlineTree {
    /// Whether what comes now is dropped (inside `script` and the like).
    fn dropping(&self) -> bool {
        self.stack.iter().any(|f| f.kind == Meaning::Drop)
    }

    fn push(&mut self, i: Inline) {
        if !self.dropping() {
            self.stack.last_mut().expect("the root").content.push(i);
        }
    }

    fn text(&mut self, t: &str, span: Span) {
        if t.is_empty() || self.dropping() {
            return;
        }
        let top = &mut self.stack.last_mut().expect("the root").content;
        if let Some(Inline::Text { text, .. }) = top.last_mut() {
            text.push_str(t);
            return;
        }
        top.push(Inline::Text { text: t.to_string(), hyphens: Vec::new(), span });
    }

    fn token(&mut self, t: Tok, span: Span) {
        match t {
            Tok::Text(s) => self.text(&s, span),
            Tok::Open { name, attrs, closed } => {
                note_handlers(&attrs, &mut self.drops);
                if name == "br" {
                    return self.push(Inline::LineBreak { span });
                }
                let kind = if self.dropping() {
                    Meaning::Drop
                } else {
                    inline_kind(&name, &attrs, &mut self.drops)
                };
                if !closed && !VOID.contains(&name.as_str()) {
                    self.stack.push(Frame { kind, name, content: Vec::new(), span });
                }
            }
            Tok::Close(name) => {
                if let Some(at) = self.stack.iter().skip(1).rposition(|f| f.name == name)
                {
                    while self.stack.len() > at + 1 {
                        self.close();
                    }
                }
            }
        }
    }

    /// Closes the innermost open element into its parent.
    fn close(&mut self) {
        let f = self.stack.pop().expect("an open element");
        let span = f.span;
        let content = f.content;
        let node = match f.kind {
            Meaning::Strong => Some(Inline::Strong { content, span }),
            Meaning::Emphasis => Some(Inline::Emphasis { content, span }),
            Meaning::Strike => Some(Inline::Strikethrough { content, span }),
            Meaning::Code => {
                Some(Inline::Code { text: super::plain_text(&content), span })
            }
            Meaning::SmallCaps => Some(Inline::SmallCaps { content, span }),
            Meaning::Lang(lang) => Some(Inline::Lang { lang, content, span }),
            Meaning::Link(url) => Some(Inline::Link { url, title: None, content, span }),
            Meaning::Anchor(id) => Some(Inline::Anchor { id, content, span }),
            Meaning::Drop => None,
            Meaning::Unwrap => {
                for i in content {
                    self.push(i);
                }
                None
            }
        };
        if let Some(n) = node {
            self.push(n);
        }
    }

    fn finish(mut self) -> Vec<Inline> {
        while self.stack.len() > 1 {
            self.close();
        }
        self.stack.pop().expect("the root").content
    }
}

/// Void elements: no content, no end tag.
const VOID: &[&str] = &[
    "br", "hr", "wbr", "img", "input", "meta", "link", "area", "base", "col", "source",
    "track", "param",
];

/// A block container being built from raw HTML.
enum Container {
    Root,
    Quote,
    Div(DivRole, Option<super::Lang>),
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Item,
    Table {
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        row: Vec<Vec<Inline>>,
        head_row: bool,
    },
    Cell,
}

/// Blocks built from one raw HTML block.
struct BlockTree<'d> {
    /// Open containers, each with the blocks it holds so far.
    stack: Vec<(String, Container, Vec<Block>)>,
    /// The paragraph (or cell) being filled.
    para: InlineTree,
    /// Inside `pre`: its text so far.
    pre: Option<String>,
    span: Span,
    drops: &'d mut Drops,
}

/// The blocks a raw HTML block holds.
fn html_blocks(raw: &str, span: Span, drops: &mut Drops) -> Vec<Block> {
    let tokens = strip_dropped(tokenize(raw, drops), drops);
    let mut t = BlockTree {
        stack: vec![(String::new(), Container::Root, Vec::new())],
        para: InlineTree::default(),
        pre: None,
        span,
        drops,
    };
    for tok in tokens {
        t.token(tok);
    }
    while t.stack.len() > 1 {
        t.close();
    }
    t.flush();
    std::mem::take(&mut t.stack[0].2)
}

impl BlockTree<'_> {
    fn top(&mut self) -> &mut (String, Container, Vec<Block>) {
        self.stack.last_mut().expect("the root")
    }

    /// Ends the paragraph being filled, if it holds anything.
    fn flush(&mut self) {
        let mut para = std::mem::take(&mut self.para);
        for what in para.drops.0.drain(..) {
            self.drops.note(what);
        }
        let mut content = para.finish();
        trim_inlines(&mut content);
        if content.is_empty() {
            return;
        }
        let span = self.span;
        match &mut self.top().1 {
            Container::Cell => {
                self.top().2.push(Block::Paragraph { content, indent: false, span })
            }
            Container::List { items, .. } => {
                // Text straight inside a list: an item of its own.
                items.push(vec![Block::Paragraph { content, indent: false, span }]);
            }
            // Text in a table but in no cell goes before the table, as browsers set
            // it (HTML's "foster parenting").
            _ => self.top().2.push(Block::Paragraph { content, indent: false, span }),
        }
    }

    fn token(&mut self, tok: Tok) {
        if let Some(pre) = &mut self.pre {
            match tok {
                Tok::Text(s) => pre.push_str(&s),
                Tok::Close(n) if n == "pre" => {
                    let text = self.pre.take().unwrap_or_default();
                    let text = text.strip_prefix('\n').unwrap_or(&text).to_string();
                    let span = self.span;
                    self.top().2.push(Block::Code { lang: None, text, span });
                }
                _ => {}
            }
            return;
        }
        match tok {
            Tok::Text(s) => self.para.text(&s, self.span),
            Tok::Open { name, attrs, closed } => self.open(name, attrs, closed),
            Tok::Close(name) => self.end(&name),
        }
    }

    fn open(&mut self, name: String, attrs: Vec<(String, String)>, closed: bool) {
        let span = self.span;
        let container = match name.as_str() {
            "blockquote" => Some(Container::Quote),
            "ul" | "ol" => {
                let start = (name == "ol").then(|| {
                    attrs
                        .iter()
                        .find(|(k, _)| k == "start")
                        .and_then(|(_, v)| v.trim().parse().ok())
                        .unwrap_or(1)
                });
                Some(Container::List { start, items: Vec::new() })
            }
            "li" => Some(Container::Item),
            "table" => Some(Container::Table {
                head: Vec::new(),
                rows: Vec::new(),
                row: Vec::new(),
                head_row: false,
            }),
            "td" | "th" => Some(Container::Cell),
            "div" => {
                let role = attrs.iter().find(|(k, _)| k == "class").and_then(|(_, c)| {
                    c.split_whitespace().find_map(DivRole::from_class)
                });
                let lang = lang_of(&attrs);
                match (role, lang) {
                    (None, None) => None,
                    (role, lang) => {
                        Some(Container::Div(role.unwrap_or(DivRole::Passage), lang))
                    }
                }
            }
            _ => None,
        };
        if let Some(c) = container {
            note_handlers(&attrs, self.drops);
            self.close_implied(&name);
            if name == "th"
                && let Some((_, Container::Table { head_row, row, .. }, _)) =
                    self.stack.last_mut()
            {
                *head_row |= row.is_empty();
            }
            self.flush();
            if !closed {
                self.stack.push((name, c, Vec::new()));
            }
            return;
        }
        match name.as_str() {
            "pre" => {
                self.flush();
                self.pre = Some(String::new());
            }
            "hr" => {
                self.flush();
                self.top().2.push(Block::SectionBreak { span });
            }
            "tr" => {
                self.close_implied("tr");
                self.end_row();
            }
            n if PARAGRAPH.contains(&n) => {
                note_handlers(&attrs, self.drops);
                if !SILENT.contains(&n) {
                    self.drops.note(format!("<{n}> (its text is kept)"));
                }
                self.flush();
            }
            _ => self.para.token(Tok::Open { name, attrs, closed }, span),
        }
    }

    fn end(&mut self, name: &str) {
        if let Some(at) = self.stack.iter().skip(1).rposition(|(n, _, _)| n == name) {
            while self.stack.len() > at + 1 {
                self.close();
            }
        } else if name == "tr" {
            self.end_row();
        } else if PARAGRAPH.contains(&name) {
            self.flush();
        } else {
            self.para.token(Tok::Close(name.to_string()), self.span);
        }
    }

    /// Ends a table row: its cells become a row of the innermost table.
    fn end_row(&mut self) {
        self.flush();
        if let Some((_, Container::Table { head, rows, row, head_row }, _)) =
            self.stack.last_mut()
            && !row.is_empty()
        {
            let r = std::mem::take(row);
            if std::mem::take(head_row) && head.is_empty() && rows.is_empty() {
                *head = r;
            } else {
                rows.push(r);
            }
        }
    }

    /// Closes the innermost container into its parent.
    fn close(&mut self) {
        self.flush();
        let (_, c, blocks) = self.stack.pop().expect("an open container");
        let span = self.span;
        let block = match c {
            Container::Root => None,
            Container::Quote => Some(Block::BlockQuote { blocks, span }),
            Container::Div(role, lang) => Some(Block::Div { role, lang, blocks, span }),
            Container::Item => {
                if let Some((_, Container::List { items, .. }, _)) = self.stack.last_mut()
                {
                    items.push(blocks);
                    return;
                }
                self.top().2.extend(blocks);
                None
            }
            Container::List { start, items } => (!items.is_empty())
                .then_some(Block::List { start, tight: true, items, span }),
            Container::Cell => {
                match self.stack.last_mut() {
                    Some((_, Container::Table { row, .. }, _)) => {
                        row.push(super::inline_flow(&blocks));
                    }
                    // A cell outside any table (an HTML table split over several
                    // HTML blocks): its text is kept as paragraphs.
                    _ => self.top().2.extend(blocks),
                }
                return;
            }
            Container::Table { mut head, mut rows, row, head_row } => {
                // Text that stood in the table outside its cells comes first.
                self.top().2.extend(blocks);
                if !row.is_empty() {
                    if head_row && head.is_empty() && rows.is_empty() {
                        head = row;
                    } else {
                        rows.push(row);
                    }
                }
                let ncols = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
                (ncols > 0).then(|| Block::Table {
                    align: vec![ColumnAlign::None; ncols],
                    head,
                    rows,
                    span,
                })
            }
        };
        if let Some(b) = block {
            self.top().2.push(b);
        }
    }

    /// HTML's optional end tags: a new list item ends the open one, a new cell or row
    /// ends the open cell.
    fn close_implied(&mut self, name: &str) {
        let top = self.stack.last().map(|(_, c, _)| c);
        let item = matches!(top, Some(Container::Item));
        let cell = matches!(top, Some(Container::Cell));
        match name {
            "li" if item => self.close(),
            "td" | "th" | "tr" if cell => self.close(),
            _ => {}
        }
    }
}

/// Removes the elements dropped with their content (`script` and the like) from a
/// token stream, noting each.
fn strip_dropped(tokens: Vec<Tok>, drops: &mut Drops) -> Vec<Tok> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut skipping: Option<(String, usize)> = None;
    for t in tokens {
        match (&mut skipping, &t) {
            (Some((name, depth)), Tok::Open { name: n, closed: false, .. })
                if n == name =>
            {
                *depth += 1
            }
            (Some((name, depth)), Tok::Close(n)) if n == name => {
                *depth -= 1;
                if *depth == 0 {
                    skipping = None;
                }
            }
            (Some(_), _) => {}
            (None, Tok::Open { name, closed, .. })
                if DROP_WITH_CONTENT.contains(&name.as_str()) =>
            {
                drops.note(format!("<{name}> and its content"));
                if !closed {
                    skipping = Some((name.clone(), 1));
                }
            }
            (None, _) => out.push(t),
        }
    }
    out
}

/// Trims white space at the ends of a paragraph's inlines (HTML source lines).
fn trim_inlines(v: &mut Vec<Inline>) {
    if let Some(Inline::Text { text, .. }) = v.first_mut() {
        *text = text.trim_start().to_string();
    }
    if let Some(Inline::Text { text, .. }) = v.last_mut() {
        *text = text.trim_end().to_string();
    }
    v.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
    if v.iter().all(|i| matches!(i, Inline::LineBreak { .. })) {
        v.clear();
    }
}

/// Splits raw HTML into tags and text (entities decoded); comments vanish, other
/// markup declarations and processing instructions are noted as dropped.
fn tokenize(raw: &str, drops: &mut Drops) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut rest = raw;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if rest.starts_with("<?") || rest.starts_with("<!") {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let what = if rest.starts_with("<?") {
                "a processing instruction"
            } else if rest.starts_with("<![CDATA[") {
                "a CDATA section"
            } else {
                "a declaration"
            };
            let shown: String = rest[..end].chars().take(40).collect();
            drops.note(format!("{what} `{shown}`"));
            rest = &rest[end..];
            continue;
        }
        if rest.starts_with('<')
            && let Some((tag, len)) = parse_tag(rest)
        {
            let name = tag.name.to_ascii_lowercase();
            let attrs = tag
                .attrs
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), decode_entities(&v)))
                .collect();
            out.push(if tag.end {
                Tok::Close(name)
            } else {
                Tok::Open { name, attrs, closed: tag.self_closing }
            });
            rest = &rest[len..];
            continue;
        }
        // Text up to the next tag (a lone `<` is text).
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let end = rest[first..].find('<').map_or(rest.len(), |e| e + first);
        out.push(Tok::Text(decode_entities(&rest[..end])));
        rest = &rest[end..];
    }
    out
}

/// Links that stay: web and mail addresses, and fragments within the book.
pub fn safe_href(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://")
        || u.starts_with("https://")
        || u.starts_with("mailto:")
        || u.starts_with('#')
}

struct Tag {
    name: String,
    end: bool,
    self_closing: bool,
    attrs: Vec<(String, String)>,
}

/// Parses a tag at the start of `s`; returns it and its length in bytes.
fn parse_tag(s: &str) -> Option<(Tag, usize)> {
    let b = s.as_bytes();
    let mut i = 1;
    let end = b.get(i) == Some(&b'/');
    if end {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
        i += 1;
    }
    if i == name_start || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[name_start..i].to_string();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => {
                return Some((Tag { name, end, self_closing, attrs }, i + 1));
            }
            Some(b'/') => {
                self_closing = true;
                i += 1;
            }
            Some(_) => {
                let k0 = i;
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && !matches!(b[i], b'=' | b'>' | b'/')
                {
                    i += 1;
                }
                let key = s[k0..i].to_string();
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let mut val = String::new();
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    match b.get(i) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let close = s[i + 1..].find(q as char)? + i + 1;
                            val = s[i + 1..close].to_string();
                            i = close + 1;
                        }
                        _ => {
                            let v0 = i;
                            while i < b.len()
                                && !b[i].is_ascii_whitespace()
                                && b[i] != b'>'
                            {
                                i += 1;
                            }
                            val = s[v0..i].to_string();
                        }
                    }
                }
                if key.is_empty() {
                    i += 1;
                } else {
                    attrs.push((key, val));
                }
            }
        }
    }
}

/// Escapes text for XML content and attribute values: `& < > "`, once.
pub fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Decodes numeric character references and the common HTML named entities; an
/// unknown `&name;` is left as typed (and will be escaped as text).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        // Entity names are short ASCII: look for the `;` among the next 12 bytes only.
        let semi = rest.bytes().take(12).position(|b| b == b';');
        let decoded = semi.and_then(|e| {
            let name = &rest[1..e];
            let c = if let Some(num) = name.strip_prefix('#') {
                let n = match num.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok()?,
                    None => num.parse().ok()?,
                };
                char::from_u32(n).filter(|c| *c != '\0')?
            } else {
                named_entity(name)?
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "thinsp" => '\u{2009}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "sbquo" => '‚',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "sect" => '§',
        "para" => '¶',
        "dagger" => '†',
        "Dagger" => '‡',
        "middot" => '·',
        "bull" => '•',
        "times" => '×',
        "deg" => '°',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "ccedil" => 'ç',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "auml" => 'ä',
        "szlig" => 'ß',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(raw: &str) -> (Vec<Block>, Vec<String>) {
        let mut d = Diagnostics::new();
        let mut v = vec![Block::Html { raw: raw.into(), span: Span::default() }];
        convert_blocks(&mut v, &mut d);
        (v, d.iter().map(|x| x.message.clone()).collect())
    }

    fn text(v: &[Inline]) -> String {
        super::super::plain_text(v)
    }

    #[test]
    fn a_block_of_unknown_class_keeps_its_text_as_paragraphs() {
        let (b, w) = blocks("<div class=\"aside\">An aside.<p>And more.</p></div>");
        assert_eq!(b.len(), 2, "{b:?}");
        assert!(
            matches!(&b[0], Block::Paragraph { content, .. } if text(content) == "An aside.")
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn scripts_handlers_and_bad_urls_never_survive() {
        let (b, w) = blocks(
            "<p onclick=\"x()\">Hi <script>alert('x')</script><a href=\"javascript:evil()\">a</a> \
             <a href='https://ok.example/?a=1&amp;b=2'>b</a><img src=x onerror=alert(1)></p>",
        );
        let Block::Paragraph { content, .. } = &b[0] else { panic!("{b:?}") };
        assert_eq!(text(content), "Hi a b");
        assert!(content.iter().any(|i| matches!(i, Inline::Link { url, .. } if url == "https://ok.example/?a=1&b=2")));
        assert_eq!(w.len(), 1);
        for part in ["<script>", "onclick", "javascript", "<img>", "onerror"] {
            assert!(w[0].contains(part), "{part}: {w:?}");
        }
    }

    #[test]
    fn meanings_become_model_nodes() {
        let (b, _) = blocks(
            "<p><b>bold</b>, <i>it</i>, line<br>break</p><hr><blockquote>q</blockquote><ul><li>one<li>two</ul><pre>  code\n\tline</pre>",
        );
        let Block::Paragraph { content, .. } = &b[0] else { panic!("{b:?}") };
        assert!(matches!(content[0], Inline::Strong { .. }));
        assert!(content.iter().any(|i| matches!(i, Inline::Emphasis { .. })));
        assert!(content.iter().any(|i| matches!(i, Inline::LineBreak { .. })));
        assert!(matches!(b[1], Block::SectionBreak { .. }));
        assert!(matches!(b[2], Block::BlockQuote { .. }));
        assert!(matches!(&b[3], Block::List { items, .. } if items.len() == 2));
        assert!(matches!(&b[4], Block::Code { text, .. } if text == "  code\n\tline"));
    }

    #[test]
    fn raw_html_inside_any_wrapper_is_converted() {
        let span = Span::default();
        let html = |raw: &str| Inline::Html { raw: raw.into(), span };
        let inner = vec![html("<em>"), Inline::plain("word", span), html("</em>")];
        let mut v = vec![Block::Paragraph {
            content: vec![
                Inline::PageRef { id: "a".into(), content: inner.clone(), span },
                Inline::Anchor { id: "b".into(), content: inner, span },
            ],
            indent: false,
            span,
        }];
        convert_blocks(&mut v, &mut Diagnostics::new());
        let Block::Paragraph { content, .. } = &v[0] else { panic!("{v:?}") };
        let mut raw = 0;
        super::super::walk_inlines(content, &mut |i| {
            raw += usize::from(matches!(i, Inline::Html { .. }))
        });
        assert_eq!(raw, 0, "{content:?}");
        let em = |i: &Inline| matches!(i.children(), [Inline::Emphasis { .. }]);
        assert!(content.iter().all(em), "{content:?}");
    }

    #[test]
    fn a_br_that_ends_a_block_breaks_no_line() {
        let ends_in_break = |v: &[Inline]| {
            let mut last = None;
            super::super::walk_inlines(v, &mut |i| last = Some(i));
            matches!(last, Some(Inline::LineBreak { .. }))
        };
        let (b, _) = blocks("<p>one<br>two<br></p><p><b>three<br><br></b></p>");
        for blk in &b {
            let Block::Paragraph { content, .. } = blk else { panic!("{b:?}") };
            assert!(!ends_in_break(content), "{content:?}");
        }
        let Block::Paragraph { content, .. } = &b[0] else { panic!("{b:?}") };
        assert!(content.iter().any(|i| matches!(i, Inline::LineBreak { .. })), "{b:?}");
        // A Markdown paragraph whose inline `<br>` ends it.
        let span = Span::default();
        let mut v = vec![Block::Paragraph {
            content: vec![
                Inline::plain("four", span),
                Inline::Html { raw: "<br>".into(), span },
            ],
            indent: false,
            span,
        }];
        convert_blocks(&mut v, &mut Diagnostics::new());
        let Block::Paragraph { content, .. } = &v[0] else { panic!("{v:?}") };
        assert_eq!(content.len(), 1, "{content:?}");
    }

    #[test]
    fn a_table_in_html_is_a_table() {
        let (b, _) = blocks(
            "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
        );
        let Block::Table { head, rows, .. } = &b[0] else { panic!("{b:?}") };
        assert_eq!((head.len(), rows.len()), (2, 1));
    }

    #[test]
    fn text_of_any_script_is_kept() {
        let (b, _) = blocks("é<b>«x»</b>ü<");
        let Block::Paragraph { content, .. } = &b[0] else { panic!("{b:?}") };
        assert_eq!(text(content), "é«x»ü<");
    }

    #[test]
    fn a_processing_instruction_is_dropped_with_a_warning() {
        let (b, w) = blocks("<?xml version=\"1.0\"?>");
        assert!(b.is_empty());
        assert!(w[0].contains("processing instruction"), "{w:?}");
        let (b, w) = blocks("<!-- a comment -->");
        assert!(b.is_empty() && w.is_empty());
    }

    #[test]
    fn inline_tags_balance_across_a_paragraph_and_scripts_lose_their_text() {
        let s = Span::default();
        let t = |x: &str| Inline::Text { text: x.into(), hyphens: vec![], span: s };
        let h = |x: &str| Inline::Html { raw: x.into(), span: s };
        let mut v = vec![
            t("before "),
            h("<script>"),
            t("alert(1)"),
            h("</script>"),
            t(" after "),
            h("<b>"),
            t("bold"),
        ];
        let mut d = Diagnostics::new();
        convert_inlines(&mut v, &mut d);
        assert_eq!(text(&v), "before  after bold");
        assert!(matches!(v.last(), Some(Inline::Strong { .. })), "{v:?}");
        assert_eq!(d.warning_count(), 1);
    }
}
