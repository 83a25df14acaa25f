//! Links: keeps the Markdown links that can work in a book and unlinks the others,
//! with a `bad-link` warning at their line.
//!
//! Input: a [`Document`] after the sections pass (heading ids are known). Output: the
//! same document where every [`Inline::Link`] points to a heading of the book or to a
//! web or mail address written as the WHATWG URL Standard serialises it (what may be
//! percent-encoded is: `https://example.org/a b` becomes `…/a%20b`); a link to
//! anything else — a file, an active URL (`javascript:` …), an address that is no URL
//! (`https://../`), a `#fragment` that names no heading — is replaced by its text.

use std::collections::BTreeSet;

use super::html::safe_href;
use super::{Block, Document, Inline};
use crate::diag::Diagnostics;

/// Unlinks the links that cannot work; see the module docs.
pub fn apply(doc: &mut Document, diags: &mut Diagnostics) {
    let mut ids = BTreeSet::new();
    super::walk_blocks(&doc.blocks, &mut |b| {
        if let Block::Heading { id, .. } = b {
            ids.insert(id.clone());
        }
    });
    super::for_each_inlines_mut(&mut doc.blocks, &mut |inl| inlines(inl, &ids, diags));
    for n in &mut doc.notes {
        super::for_each_inlines_mut(&mut n.blocks, &mut |inl| inlines(inl, &ids, diags));
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

fn inlines(v: &mut Vec<Inline>, ids: &BTreeSet<String>, diags: &mut Diagnostics) {
    let mut out = Vec::with_capacity(v.len());
    for mut i in std::mem::take(v) {
        match &mut i {
            Inline::Link { url, content, span, .. } => {
                inlines(content, ids, diags);
                match check(url, ids) {
                    Ok(target) => *url = target,
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
            | Inline::Lang { content, .. } => inlines(content, ids, diags),
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
