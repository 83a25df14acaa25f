//! The lints of `quire check`: what a careful editor would flag, beyond what a build
//! must refuse.
//!
//! Input: the manuscript's [`Source`] and its resolved [`Document`]. Output: warnings
//! located in the manuscript. Each has a stable code a manuscript can silence with
//! `check: {allow: [code, …]}`. Builds do not run these; `quire check` does.

use skrifa::MetadataProvider;

use crate::diag::{Diagnostic, Diagnostics, Source, Span};
use crate::model::{Block, Document, Inline, walk_blocks};
use crate::typeface::{Family, Typefaces};

/// Runs every lint; `fonts` are the faces the document is set in.
pub fn lint(src: &Source, doc: &Document, fonts: &Typefaces, diags: &mut Diagnostics) {
    front_matter(src, doc, diags);
    headings(doc, diags);
    let cmap = Coverage::new(fonts);
    // Low quotes close as the language closes them: „…“ in German, „…” in Hebrew
    // and Polish.
    let low = match doc.meta.lang.quotes().primary {
        ('„', close) => close,
        _ => '“',
    };
    let mut each = |inl: &[Inline]| text_lints(src, inl, (&cmap, low), diags);
    crate::model::for_each_inlines(&doc.blocks, &mut each);
    for n in &doc.notes {
        crate::model::for_each_inlines(&n.blocks, &mut each);
    }
}

fn front_matter(src: &Source, doc: &Document, diags: &mut Diagnostics) {
    let m = &doc.meta;
    let at = Span::new(0, 3.min(src.text.len()));
    if m.authors.is_empty() {
        diags.push(
            Diagnostic::warning("missing-author", at, "the front matter names no author")
                .with_hint("add `author: …` (a name or a list); every edition shows it"),
        );
    }
    let has_lang = src.text[..m.span.end.min(src.text.len())]
        .lines()
        .any(|l| l.trim_start().starts_with("lang:") && !l.starts_with(' '));
    if !has_lang {
        diags.push(
            Diagnostic::warning("missing-lang", at, "the front matter gives no `lang`; English is assumed")
                .with_hint("add `lang: en` (or the text's BCP 47 tag): it sets quotes and hyphenation"),
        );
    }
}

fn headings(doc: &Document, diags: &mut Diagnostics) {
    let mut prev: Option<u8> = None;
    walk_blocks(&doc.blocks, &mut |b| {
        if let Block::Heading { level, content, span, .. } = b {
            if crate::model::plain_text(content).trim().is_empty() {
                diags.warning("empty-heading", *span, "this heading has no text");
            }
            if let Some(p) = prev
                && *level > p + 1
            {
                diags.push(
                    Diagnostic::warning(
                        "heading-jump",
                        *span,
                        format!("a level-{level} heading follows a level-{p} heading"),
                    )
                    .with_hint(format!(
                        "use {} here, or add the missing level",
                        "#".repeat(usize::from(p) + 1)
                    )),
                );
            }
            prev = Some(*level);
        }
    });
}

/// Which characters the document's fonts cover: its own faces, then the shipped ones
/// (the chain the print edition falls back along).
struct Coverage {
    fonts: Vec<skrifa::FontRef<'static>>,
    names: String,
}

impl Coverage {
    fn new(tf: &Typefaces) -> Self {
        let mut families: Vec<&Family> = vec![&tf.body, tf.headings()];
        families.extend(tf.fallback.iter());
        let shipped = crate::typeface::shipped_families();
        families.extend(shipped.iter());
        let mut names: Vec<&str> = Vec::new();
        let mut fonts = Vec::new();
        for fam in families {
            if !names.contains(&fam.name.as_ref()) {
                names.push(&fam.name);
            }
            fonts.extend(fam.fonts().filter_map(|(_, f)| f.font()));
        }
        Coverage { fonts, names: names.join(", ") }
    }

    fn covers(&self, c: char) -> bool {
        // Spaces and format characters are never drawn from the font.
        if c.is_whitespace()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}')
        {
            return true;
        }
        self.fonts.is_empty() || self.fonts.iter().any(|f| f.charmap().map(c).is_some())
    }
}

/// The span of the `nth` occurrence of `needle` in the source text under `span`, or
/// the whole span when the source spells it differently (escapes, entities).
fn locate(src: &Source, span: Span, needle: &str, nth: usize) -> Span {
    let Some(slice) = src.text.get(span.start..span.end) else { return span };
    match slice.match_indices(needle).nth(nth) {
        Some((i, m)) => Span::new(span.start + i, span.start + i + m.len()),
        None => span,
    }
}

fn text_lints(
    src: &Source,
    inlines: &[Inline],
    (cmap, low): (&Coverage, char),
    diags: &mut Diagnostics,
) {
    let mut whole = String::new();
    let mut first_span = None;
    visit_text(inlines, &mut |text, span| {
        first_span.get_or_insert(span);
        whole.push_str(text);
        straight_marks(src, text, span, diags);
        repeated_words(src, text, span, diags);
        if let Some(i) = text.find("  ") {
            let nth = text[..i].matches("  ").count();
            diags.warning(
                "double-space",
                locate(src, span, "  ", nth),
                "two spaces in a row",
            );
        }
        let mut reported = Vec::new();
        for c in text.chars() {
            if !cmap.covers(c) && !reported.contains(&c) {
                reported.push(c);
                let s = c.to_string();
                diags.push(crate::typeface::uncovered(
                    c,
                    &cmap.names,
                    locate(src, span, &s, 0),
                ));
            }
        }
    });
    if let Some(span) = first_span {
        balance(&whole, span, (inlines, low), diags);
    }
}

/// Calls `f` on every text run (not code, not URLs) with its span.
fn visit_text(inlines: &[Inline], f: &mut impl FnMut(&str, Span)) {
    for i in inlines {
        match i {
            Inline::Text { text, span, .. } => f(text, *span),
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Lang { content, .. }
            | Inline::Anchor { content, .. }
            | Inline::Link { content, .. } => visit_text(content, f),
            _ => {}
        }
    }
}

fn straight_marks(src: &Source, text: &str, span: Span, diags: &mut Diagnostics) {
    for (mark, what) in
        [("\"", "a straight double quote"), ("'", "a straight single quote")]
    {
        // Gershayim and geresh typed as straight quotes are letters, not quotes.
        let left = text.char_indices().any(|(i, c)| {
            c.to_string() == mark
                && !crate::model::smart::is_hebrew_sign(
                    c,
                    text[..i].chars().next_back(),
                    text[i + 1..].chars().next(),
                )
        });
        if left {
            diags.push(
                Diagnostic::warning(
                    "straight-quote",
                    locate(src, span, mark, 0),
                    format!(
                        "{what} is left: quire could not tell whether it opens or closes"
                    ),
                )
                .with_hint(
                    "type the curly quote you mean, or close up the space beside it",
                ),
            );
        }
    }
    if text.contains("--") {
        diags.push(
            Diagnostic::warning(
                "straight-dash",
                locate(src, span, "--", 0),
                "a run of hyphens is left as typed",
            )
            .with_hint(
                "`--` is an en dash and `---` an em dash; longer runs stay hyphens",
            ),
        );
    }
}

fn repeated_words(src: &Source, text: &str, span: Span, diags: &mut Diagnostics) {
    let words: Vec<(usize, &str)> =
        unicode_segmentation::UnicodeSegmentation::unicode_word_indices(text).collect();
    for pair in words.windows(2) {
        let ((i, a), (j, b)) = (pair[0], pair[1]);
        let between = &text[i + a.len()..j];
        if a.chars().any(char::is_alphabetic)
            && a.to_lowercase() == b.to_lowercase()
            && between.trim().is_empty()
        {
            let phrase = &text[i..j + b.len()];
            let nth = text[..i].matches(phrase).count();
            diags.warning(
                "repeated-word",
                locate(src, span, phrase, nth),
                format!("the word `{a}` is repeated"),
            );
        }
    }
}

/// Brackets and unambiguous quotes must pair up within a paragraph.
fn balance(
    text: &str,
    span: Span,
    (inlines, low): (&[Inline], char),
    diags: &mut Diagnostics,
) {
    let full = inlines.iter().fold(span, |s, i| s.join(i.span()));
    for (open, close) in [('(', ')'), ('[', ']'), ('“', '”'), ('«', '»'), ('„', low)]
    {
        if open == '„' && !text.contains('„') {
            continue;
        }
        let o = text.matches(open).count();
        let c = text.matches(close).count();
        // With low quotes, a “ or ” is the closing mark: English pairs are not
        // counted.
        let (o, c) = if open == '“' && text.contains('„') { (0, 0) } else { (o, c) };
        if o != c {
            diags.warning(
                "unbalanced",
                full,
                format!("{o} `{open}` but {c} `{close}` in this paragraph"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(md: &str) -> Vec<&'static str> {
        let src = Source::new(
            "l.md",
            format!("---\ntitle: T\nauthor: A\nlang: en\n---\n\n{md}"),
        );
        let (doc, _) = crate::load(&src);
        let mut d = Diagnostics::new();
        lint(&src, &doc, &Typefaces::default(), &mut d);
        d.iter().map(|x| x.code).collect()
    }

    #[test]
    fn clean_text_has_no_findings() {
        assert!(codes("A “fine” paragraph (with brackets) and don't.\n").is_empty());
    }

    #[test]
    fn each_lint_fires() {
        assert_eq!(codes("She said \" hello.\n"), ["straight-quote"]);
        assert_eq!(codes("In the the end.\n"), ["repeated-word"]);
        assert_eq!(codes("Two  spaces.\n"), ["double-space"]);
        assert_eq!(codes("An (open bracket.\n"), ["unbalanced"]);
        assert_eq!(codes("# A\n\n### C\n"), ["heading-jump"]);
        assert_eq!(codes("A ☭ sign.\n"), ["uncovered-char"]);
        assert_eq!(codes("A ---- rule.\n"), ["straight-dash"]);
        assert_eq!(codes("#\n\nText.\n"), ["empty-heading"]);
    }
}
