//! Links: keeps the Markdown links that can work in a book and unlinks the others,
//! with a `bad-link` warning at their line.
//!
//! Input: a [`Document`] after the sections pass (heading ids are known). Output: the
//! same document where every [`Inline::Link`] points to a heading of the book or to a
//! web or mail address written as the WHATWG URL Standard serialises it (what may be
//! percent-encoded is: `https://example.org/a b` becomes `…/a%20b`); a link to
//! anything else — a file, an active URL (`javascript:` …), an address that is no URL
//! (`https://../`) — is replaced by its text.
//!
//! A link to a `#fragment` that names no heading is an error at its line: inside a
//! book a broken cross-reference is the author's mistake, never a reader's link to
//! nowhere. A link to a heading whose text is empty or the language's word for a
//! page (`[](#id)`, `[page](#id)`) is a cross-reference to the heading's page: an
//! [`Inline::PageRef`], which print sets as "page 47" and the editions without
//! pages as the heading's text.

use std::collections::{BTreeMap, BTreeSet};

use super::html::safe_href;
use super::{Block, Document, Inline};
use crate::diag::Diagnostics;

/// Unlinks the links that cannot work; see the module docs.
pub fn apply(doc: &mut Document, diags: &mut Diagnostics) {
    let mut ids = BTreeSet::new();
    let mut titles = BTreeMap::new();
    let mut headings = Vec::new();
    super::walk_blocks(&doc.blocks, &mut |b| {
        if let Block::Heading { id, content, span, .. } = b {
            ids.insert(id.clone());
            titles.insert(id.clone(), super::plain_text(content));
            headings.push((span.start, super::plain_text(content)));
        }
    });
    anchor_ids(doc, &headings, (&mut ids, &mut titles), diags);
    // A file with no front matter is often one chapter of a book built alone: its
    // references to the other chapters cannot resolve, and that is no mistake.
    let alone = doc.meta.span.end == 0;
    let t = Targets { ids, titles, page: doc.meta.lang.page_word(), alone };
    super::for_each_inlines_mut(&mut doc.blocks, &mut |inl| inlines(inl, &t, diags));
    for n in &mut doc.notes {
        super::for_each_inlines_mut(&mut n.blocks, &mut |inl| inlines(inl, &t, diags));
    }
}

/// Adds the anchors' ids (`<span id>`, `<a id>`) to the targets, each with what a
/// cross-reference to it reads as in editions without pages: its own text, or, for
/// an empty anchor, the heading it stands under (or the book's title). An id that
/// is not an XML name (EPUB ids must be) or that is taken is an error at its place.
fn anchor_ids(
    doc: &Document,
    headings: &[(usize, String)],
    (ids, titles): (&mut BTreeSet<String>, &mut BTreeMap<String, String>),
    diags: &mut Diagnostics,
) {
    let mut found = Vec::new();
    let mut visit = |blocks: &[Block]| {
        super::for_each_inlines(blocks, &mut |inl| {
            super::anchors_in(inl, &mut |id, content, span| {
                found.push((id.to_string(), super::plain_text(content), span))
            })
        });
    };
    visit(&doc.blocks);
    for n in &doc.notes {
        visit(&n.blocks);
    }
    for (id, text, span) in found {
        if !xml_name(&id) {
            diags.error("bad-id", span, format!("`{id}` cannot be an id: it must start with a letter and hold only letters, digits, `-`, `_` and `.`"));
        } else if !ids.insert(id.clone()) {
            diags.error(
                "duplicate-id",
                span,
                format!("the id `{id}` is taken by a heading or another anchor"),
            );
        } else {
            let under = headings.iter().rev().find(|(at, _)| *at < span.start);
            let title = match (text.trim(), under) {
                ("", Some((_, h))) => h.clone(),
                ("", None) => doc.meta.title.clone(),
                (t, _) => t.to_string(),
            };
            titles.insert(id, title);
        }
    }
}

/// Whether an id is an XML name of the simple kind: a letter or `_` first, then
/// letters, digits, `-`, `_` or `.` (XML 1.0, 2.3: EPUB's ids are XML ids).
fn xml_name(id: &str) -> bool {
    let mut cs = id.chars();
    cs.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && cs.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// What links may point to inside the book.
struct Targets {
    /// Every heading's id.
    ids: BTreeSet<String>,
    /// Each heading's text, by id.
    titles: BTreeMap<String, String>,
    /// The language's word for a page, which makes a link a page reference.
    page: &'static str,
    /// The manuscript has no front matter (a missing id is then a warning).
    alone: bool,
}

impl Targets {
    /// The page reference a link to `#id` with this text is, if it is one.
    fn page_ref(
        &self,
        url: &str,
        content: &[Inline],
        span: crate::diag::Span,
    ) -> Option<Inline> {
        let id = url.strip_prefix('#')?;
        let title = self.titles.get(id)?;
        let text = super::plain_text(content);
        let text = text.trim();
        if !(text.is_empty() || text.eq_ignore_ascii_case(self.page) || text == self.page)
        {
            return None;
        }
        let content = vec![Inline::plain(title.as_str(), span)];
        Some(Inline::PageRef { id: id.to_string(), content, span })
    }
}

/// The link's target as it stays, or why it cannot stay a link.
pub fn check(url: &str, ids: &BTreeSet<String>) -> Result<String, String> {
    if let Some(frag) = url.strip_prefix('#') {
        return if ids.contains(frag) {
            Ok(url.to_string())
        } else {
            Err(format!("no heading has the id `{frag}`"))
        };
    }
    if !safe_href(url) {
        return Err(format!(
            "`{url}` is not a web or mail address; only http:, https:, mailto: and #heading links are kept"
        ));
    }
    match url::Url::parse(url.trim()) {
        Ok(u) if u.scheme() == "mailto" || u.host().is_some_and(sound_host) => {
            // As typed when it is a sound URI already (`https://example.org` stays
            // so), else as the standard serialises it, percent-encoded.
            let typed = url.trim();
            Ok(if rfc3986(typed) == typed {
                typed.to_string()
            } else {
                rfc3986(u.as_str())
            })
        }
        Ok(_) => Err(format!("`{url}` names no host a reader could reach")),
        Err(e) => Err(format!("`{url}` is not a valid web address ({e})")),
    }
}

/// Whether a link's text already shows its target (an autolink, or a link written
/// as its own address), so that an edition showing targets need not repeat it: the
/// text, read as a URL the same way, is the target (`mailto:` aside).
pub fn shows_target(text: &str, target: &str) -> bool {
    let t = target.strip_prefix("mailto:").unwrap_or(target);
    text == target
        || text == t
        || url::Url::parse(text.trim()).is_ok_and(|u| rfc3986(u.as_str()) == target)
        || url::Url::parse(target)
            .is_ok_and(|u| rfc3986(u.as_str()) == rfc3986(text.trim()))
}

/// Whether a host could be reached: an IP address, or a domain name whose labels
/// are not empty (`https://../` parses, but names nothing).
fn sound_host(h: url::Host<&str>) -> bool {
    match h {
        url::Host::Domain(d) => {
            let d = d.strip_suffix('.').unwrap_or(d);
            !d.is_empty() && d.split('.').all(|l| !l.is_empty())
        }
        url::Host::Ipv4(_) | url::Host::Ipv6(_) => true,
    }
}

/// Percent-encodes what the WHATWG serialisation leaves but RFC 3986 (which EPUB
/// checkers apply) does not allow, such as `\` or `|` in a query, or `[` and `]`
/// anywhere but around an IPv6 host.
fn rfc3986(s: &str) -> String {
    // The authority (`scheme://host:port`) may hold brackets; the rest may not.
    let authority_end = s.find("://").map_or(0, |i| {
        let from = i + 3;
        s[from..].find(['/', '?', '#']).map_or(s.len(), |j| from + j)
    });
    let allowed = |at: usize, c: char| {
        c.is_ascii_alphanumeric()
            || "-._~:/?#@!$&'()*+,;=%".contains(c)
            || (at < authority_end && matches!(c, '[' | ']'))
    };
    let mut out = String::with_capacity(s.len());
    for (at, c) in s.char_indices() {
        if allowed(at, c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn inlines(v: &mut Vec<Inline>, t: &Targets, diags: &mut Diagnostics) {
    let mut out = Vec::with_capacity(v.len());
    for mut i in std::mem::take(v) {
        match &mut i {
            Inline::Link { url, content, span, .. } => {
                inlines(content, t, diags);
                if let Some(r) = t.page_ref(url, content, *span) {
                    out.push(r);
                    continue;
                }
                match check(url, &t.ids) {
                    Ok(target) => *url = target,
                    Err(why) if url.starts_with('#') => {
                        let message = format!("this cross-reference goes nowhere: {why}");
                        let d = if t.alone {
                            crate::diag::Diagnostic::warning("missing-id", *span, message)
                                .with_hint("a file without front matter is read as a chapter built alone: its link is set as text")
                        } else {
                            crate::diag::Diagnostic::error("missing-id", *span, message)
                                .with_hint("give the heading the id with `# Heading {#id}`, or link to the id a heading already has (its text in lower case, spaces as hyphens)")
                        };
                        diags.push(d);
                        out.append(content);
                        continue;
                    }
                    Err(why) => {
                        diags.warning("bad-link", *span, format!("link removed: {why}"));
                        out.append(content);
                        continue;
                    }
                }
            }
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Lang { content, .. }
            | Inline::Anchor { content, .. } => inlines(content, t, diags),
            _ => {}
        }
        out.push(i);
    }
    *v = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_by_the_whatwg_rules() {
        let ids = BTreeSet::from(["intro".to_string()]);
        assert_eq!(
            check("https://example.org/a b", &ids).unwrap(),
            "https://example.org/a%20b"
        );
        assert_eq!(check("https://example.org", &ids).unwrap(), "https://example.org");
        assert_eq!(check("#intro", &ids).unwrap(), "#intro");
        assert!(check("https://../", &ids).is_err());
        assert_eq!(
            check("https://example.com/?search=](uri)", &ids).unwrap(),
            "https://example.com/?search=%5D(uri)"
        );
        assert_eq!(check("https://[::1]/a[b]", &ids).unwrap(), "https://[::1]/a%5Bb%5D");
        assert_eq!(
            check("https://example.com?find=\\*", &ids).unwrap(),
            "https://example.com/?find=%5C*"
        );
        assert!(check("https://exa mple.org/", &ids).is_err());
        assert!(check("#nowhere", &ids).is_err());
        assert!(check("javascript:alert(1)", &ids).is_err());
        assert!(check("mailto:someone@example.org", &ids).is_ok());
    }
}
