//! Raw HTML in the manuscript: converted once, here, to a safe and well-formed XHTML
//! subset, or dropped with a warning naming its line.
//!
//! Input: a [`Document`] whose [`Block::Html`] and [`Inline::Html`] hold markup as the
//! author typed it. Output: the same nodes holding sanitised XHTML: only elements and
//! attributes on an allow list survive; `script`, `style` and other active content are
//! dropped with their content; event-handler attributes and `javascript:`, `data:`
//! and `vbscript:` URLs never survive; HTML named entities become characters (XHTML
//! knows only the five XML ones); unclosed elements are closed and stray end tags
//! dropped — across the inlines of one paragraph, since pulldown-cmark gives each tag
//! of inline HTML as its own event. Comments disappear silently.
//!
//! Backends that can carry markup (EPUB) emit the sanitised XHTML; the text edition
//! drops it.

use std::collections::BTreeSet;

use super::{Block, Document, Inline};
use crate::diag::{Diagnostics, Span};

/// Elements whose start and end tags are kept (void ones are written `<br/>`).
const INLINE_OK: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
    "u", "var", "wbr",
];
const BLOCK_OK: &[&str] = &[
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "ul",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
];
const VOID: &[&str] = &["br", "hr", "wbr"];
/// Elements dropped together with everything inside them.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg",
    "math", "frameset", "frame", "applet", "canvas", "video", "audio", "form", "select",
    "textarea", "button", "head", "title",
];
const ATTR_OK: &[&str] =
    &["class", "title", "lang", "dir", "href", "colspan", "rowspan", "datetime"];

/// Sanitises every raw HTML node of the document, and unlinks Markdown links that
/// could not work in a book: active URLs (`javascript:` …), links to files, and
/// `#fragments` that name no heading.
pub fn apply(doc: &mut Document, diags: &mut Diagnostics) {
    let mut ids = BTreeSet::new();
    super::walk_blocks(&doc.blocks, &mut |b| {
        if let Block::Heading { id, .. } = b {
            ids.insert(id.clone());
        }
    });
    html_blocks(&mut doc.blocks, diags);
    super::for_each_inlines_mut(&mut doc.blocks, &mut |inl| inlines(inl, &ids, diags));
    for n in &mut doc.notes {
        html_blocks(&mut n.blocks, diags);
        super::for_each_inlines_mut(&mut n.blocks, &mut |inl| inlines(inl, &ids, diags));
    }
}

fn html_blocks(bs: &mut [Block], diags: &mut Diagnostics) {
    for b in bs.iter_mut() {
        match b {
            Block::Html { raw, span } => {
                let mut s = Sanitizer::new(*span);
                s.feed(raw);
                *raw = s.finish(diags);
            }
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                html_blocks(blocks, diags)
            }
            Block::List { items, .. } => {
                items.iter_mut().for_each(|it| html_blocks(it, diags))
            }
            _ => {}
        }
    }
}

/// Why a Markdown link cannot stay a link, if it cannot.
fn link_problem(url: &str, ids: &BTreeSet<String>) -> Option<String> {
    match url.strip_prefix('#') {
        Some(frag) if ids.contains(frag) => None,
        Some(frag) => Some(format!("no heading has the id `{frag}`")),
        None if safe_href(url) => None,
        None => Some(format!(
            "`{url}` is not a web or mail address; only http:, https:, mailto: and #heading links are kept"
        )),
    }
}

fn inlines(v: &mut Vec<Inline>, ids: &BTreeSet<String>, diags: &mut Diagnostics) {
    let mut open: Vec<String> = Vec::new();
    let mut last_span = None;
    let mut out = Vec::with_capacity(v.len());
    for mut i in std::mem::take(v) {
        match &mut i {
            Inline::Html { raw, span } => {
                let mut s = Sanitizer::new(*span);
                s.stack = std::mem::take(&mut open);
                s.feed(raw);
                open = std::mem::take(&mut s.stack);
                *raw = std::mem::take(&mut s.out);
                s.report(diags);
                last_span = Some(*span);
            }
            Inline::Link { url, content, span, .. } => {
                inlines(content, ids, diags);
                if let Some(why) = link_problem(url, ids) {
                    diags.warning("bad-link", *span, format!("link removed: {why}"));
                    out.append(content);
                    continue;
                }
            }
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. } => inlines(content, ids, diags),
            _ => {}
        }
        out.push(i);
    }
    *v = out;
    if let (false, Some(span)) = (open.is_empty(), last_span) {
        let mut close = String::new();
        for t in open.iter().rev() {
            close.push_str(&format!("</{t}>"));
        }
        v.push(Inline::Html { raw: close, span });
    }
}

struct Sanitizer {
    span: Span,
    out: String,
    stack: Vec<String>,
    dropped: Vec<String>,
    /// Inside an element dropped with its content: its name and nesting depth.
    skipping: Option<(String, usize)>,
}

impl Sanitizer {
    fn new(span: Span) -> Self {
        Sanitizer {
            span,
            out: String::new(),
            stack: Vec::new(),
            dropped: Vec::new(),
            skipping: None,
        }
    }

    fn drop_note(&mut self, what: String) {
        if !self.dropped.contains(&what) {
            self.dropped.push(what);
        }
    }

    fn report(&mut self, diags: &mut Diagnostics) {
        if !self.dropped.is_empty() {
            diags.warning(
                "raw-html",
                self.span,
                format!("raw HTML dropped: {}", self.dropped.join(", ")),
            );
            self.dropped.clear();
        }
    }

    fn finish(mut self, diags: &mut Diagnostics) -> String {
        while let Some(t) = self.stack.pop() {
            self.out.push_str(&format!("</{t}>"));
        }
        self.report(diags);
        self.out
    }

    fn feed(&mut self, raw: &str) {
        let mut rest = raw;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<!--") {
                rest = after.find("-->").map_or("", |e| &after[e + 3..]);
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
                continue;
            }
            if rest.starts_with('<') {
                if let Some((tag, len)) = parse_tag(rest) {
                    self.tag(tag);
                    rest = &rest[len..];
                    continue;
                }
                // A lone `<`: text.
                self.text("<");
                rest = &rest[1..];
                continue;
            }
            let end = rest.find('<').unwrap_or(rest.len());
            let (t, r) = rest.split_at(end);
            self.text(t);
            rest = r;
        }
    }

    fn text(&mut self, t: &str) {
        if self.skipping.is_some() {
            return;
        }
        push_escaped(&mut self.out, &decode_entities(t));
    }

    fn tag(&mut self, tag: Tag) {
        let name = tag.name.to_ascii_lowercase();
        if let Some((skip, depth)) = &mut self.skipping {
            if name == *skip {
                if tag.end {
                    *depth -= 1;
                    if *depth == 0 {
                        self.skipping = None;
                    }
                } else if !tag.self_closing {
                    *depth += 1;
                }
            }
            return;
        }
        if DROP_WITH_CONTENT.contains(&name.as_str()) {
            if !tag.end {
                self.drop_note(format!("<{name}> and its content"));
                if !tag.self_closing {
                    self.skipping = Some((name, 1));
                }
            }
            return;
        }
        if !INLINE_OK.contains(&name.as_str()) && !BLOCK_OK.contains(&name.as_str()) {
            if !tag.end {
                self.drop_note(format!("<{name}> (its text is kept)"));
            }
            return;
        }
        if tag.end {
            if let Some(pos) = self.stack.iter().rposition(|t| *t == name) {
                while self.stack.len() > pos {
                    let t = self.stack.pop().expect("non-empty");
                    self.out.push_str(&format!("</{t}>"));
                }
            }
            return;
        }
        self.out.push('<');
        self.out.push_str(&name);
        for (k, v) in &tag.attrs {
            let k = k.to_ascii_lowercase();
            if k.starts_with("on") {
                self.drop_note(format!("the {k} attribute"));
                continue;
            }
            if !ATTR_OK.contains(&k.as_str()) {
                continue;
            }
            let v = decode_entities(v);
            if k == "href" && !safe_href(&v) {
                self.drop_note(format!("the link to `{}`", v.trim()));
                continue;
            }
            self.out.push(' ');
            self.out.push_str(&k);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, &v);
            self.out.push('"');
            if k == "lang" {
                self.out.push_str(" xml:lang=\"");
                push_escaped(&mut self.out, &v);
                self.out.push('"');
            }
        }
        if VOID.contains(&name.as_str()) {
            self.out.push_str("/>");
        } else if tag.self_closing {
            self.out.push_str(&format!("></{name}>"));
        } else {
            self.out.push('>');
            self.stack.push(name);
        }
    }
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

    fn clean(raw: &str) -> (String, Vec<String>) {
        let mut d = Diagnostics::new();
        let mut s = Sanitizer::new(Span::default());
        s.feed(raw);
        let out = s.finish(&mut d);
        (out, d.iter().map(|x| x.message.clone()).collect())
    }

    #[test]
    fn scripts_handlers_and_bad_urls_never_survive() {
        let (out, w) = clean(
            "<p onclick=\"x()\">Hi <script>alert('x')</script><a href=\"javascript:evil()\">a</a> \
             <a href='https://ok.example/?a=1&amp;b=2'>b</a><img src=x onerror=alert(1)></p>",
        );
        assert_eq!(
            out,
            "<p>Hi <a>a</a> <a href=\"https://ok.example/?a=1&amp;b=2\">b</a></p>"
        );
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("<script>")
                && w[0].contains("onclick")
                && w[0].contains("javascript")
        );
    }

    #[test]
    fn output_is_well_formed() {
        assert_eq!(clean("<div><em>open<br>x").0, "<div><em>open<br/>x</em></div>");
        assert_eq!(clean("</b>text<b>bold</i>").0, "text<b>bold</b>");
        assert_eq!(
            clean("a &nbsp;&mdash; &bogus; & <").0,
            "a \u{a0}— &amp;bogus; &amp; &lt;"
        );
        assert_eq!(
            clean("<!-- note --><span lang=fr>oui</span>").0,
            "<span lang=\"fr\" xml:lang=\"fr\">oui</span>"
        );
    }

    #[test]
    fn inline_tags_balance_across_a_paragraph() {
        let mut v = vec![
            Inline::Html { raw: "<sup>".into(), span: Span::default() },
            Inline::Text { text: "1".into(), hyphens: vec![], span: Span::default() },
            Inline::Html { raw: "<em onmouseover=x>".into(), span: Span::default() },
        ];
        let mut d = Diagnostics::new();
        inlines(&mut v, &BTreeSet::new(), &mut d);
        let raws: Vec<&str> = v
            .iter()
            .filter_map(|i| {
                if let Inline::Html { raw, .. } = i { Some(raw.as_str()) } else { None }
            })
            .collect();
        assert_eq!(raws, ["<sup>", "<em>", "</em></sup>"]);
        assert_eq!(d.warning_count(), 1);
    }
}
