//! Smart punctuation, by language: straight quotes to curly ones, apostrophes
//! (leading ones included: ’71, rock ’n’ roll), `--` to an en dash, `---` to an em
//! dash, `...` to an ellipsis, and French spacing (U+202F NARROW NO-BREAK SPACE inside
//! guillemets and before `; : ! ?`).
//!
//! Input: a [`Document`] whose text is as typed. Output: the same document with its
//! text inlines and its title, subtitle and description rewritten. Code, URLs (link
//! destinations, and words in running text that look like URLs) and raw HTML are never
//! touched. Already curly text is left as it is, so the pass is idempotent.
//!
//! This pass is the only owner of smart punctuation: pulldown-cmark's
//! `ENABLE_SMART_PUNCTUATION` stays off (see `manuscript::convert`).

use super::lang::QuoteStyle;
use super::{Document, Inline};

const NNBSP: char = '\u{202F}';
const NBSP: char = '\u{00A0}';

/// Short words that begin with an elided letter, so a straight `'` before them is an
/// apostrophe (’tis, ’em) rather than an opening quote. Lower case.
const ELISIONS: &[&str] = &[
    "n", "tis", "twas", "twere", "em", "cause", "til", "bout", "round", "neath", "nuff",
    "s", "ello", "ave", "appen", "er", "im", "un", "uns",
];

/// Applies smart punctuation to the whole document in its language.
pub fn apply(doc: &mut Document) {
    let style = doc.meta.lang.quotes();
    let lang = doc.meta.lang.clone();
    super::par_for_each_inlines_in_lang(&mut doc.blocks, &lang, || {
        |inl: &mut Vec<Inline>, l: &super::Lang| {
            // The document's style is worked out once; a passage's when met.
            if l == &lang {
                smarten_inlines(inl, &style)
            } else {
                smarten_inlines(inl, &l.quotes())
            }
        }
    });
    for note in &mut doc.notes {
        super::for_each_inlines_mut(&mut note.blocks, &mut |inl| {
            smarten_inlines(inl, &style)
        });
    }
    let m = &mut doc.meta;
    for s in [Some(&mut m.title), m.subtitle.as_mut(), m.description.as_mut()]
        .into_iter()
        .flatten()
    {
        *s = smarten_str(s, &style);
    }
}

/// Smartens a lone string (a title, a table cell) as if it were a paragraph.
pub fn smarten_str(s: &str, style: &QuoteStyle) -> String {
    let mut owned = s.to_string();
    Smartener::new(style).run(&mut [Piece::Text(&mut owned)]);
    owned
}

/// Smartens one inline sequence (a paragraph, heading, cell or verse line), deciding
/// quotes with context that runs across emphasis and link boundaries.
pub fn smarten_inlines(inlines: &mut [Inline], style: &QuoteStyle) {
    smarten_phrases(inlines);
    let mut pieces = Vec::new();
    collect(inlines, &mut pieces);
    Smartener::new(style).run(&mut pieces);
}

/// Smartens each `<span lang>` phrase in its own language, before the paragraph:
/// its quotes are then curly, and the paragraph's pass leaves them alone.
fn smarten_phrases(inlines: &mut [Inline]) {
    for i in inlines {
        match i {
            Inline::Lang { lang, content, .. } => {
                let style = lang.quotes();
                smarten_inlines(content, &style);
            }
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Link { content, .. }
            | Inline::Anchor { content, .. } => smarten_phrases(content),
            _ => {}
        }
    }
}

/// A run of the paragraph as the smartener sees it.
enum Piece<'a> {
    /// Text it may rewrite.
    Text(&'a mut String),
    /// Something it must not touch, standing for one character of context
    /// (a letter for code and notes, a space for breaks).
    Opaque(char),
}

fn collect<'a>(inlines: &'a mut [Inline], out: &mut Vec<Piece<'a>>) {
    for i in inlines {
        match i {
            Inline::Text { text, .. } => out.push(Piece::Text(text)),
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::PageRef { content, .. }
            | Inline::Anchor { content, .. } => collect(content, out),
            // Smartened in its own language (see `smarten_inlines`), then left
            // alone: the paragraph's language must not respace it.
            Inline::Lang { .. } => out.push(Piece::Opaque('x')),
            Inline::Link { content, url, .. } => {
                // Autolinks (`<https://…>`) show their URL as text: leave it alone.
                let is_url_text = matches!(content.as_slice(),
                    [Inline::Text { text, .. }] if text == url || url.ends_with(text.as_str()));
                if is_url_text {
                    out.push(Piece::Opaque('x'));
                } else {
                    collect(content, out);
                }
            }
            Inline::Code { .. } | Inline::Image { .. } | Inline::NoteRef { .. } => {
                out.push(Piece::Opaque('x'))
            }
            Inline::Html { .. } => out.push(Piece::Opaque('x')),
            Inline::SoftBreak { .. } | Inline::LineBreak { .. } => {
                out.push(Piece::Opaque(' '))
            }
        }
    }
}

struct Smartener<'s> {
    style: &'s QuoteStyle,
    /// Secondary (single) quotes opened and not yet closed, to tell a closing quote
    /// from an apostrophe where the two are different characters.
    open_single: usize,
    /// Whether a double quote is open: in Chinese and Japanese, where no space
    /// tells an opening quote from a closing one after a character, the next
    /// straight quote closes it.
    open_double: bool,
}

/// A Chinese or Japanese character (ideographs and kana), after which a quote
/// follows without a space.
fn is_cjk_char(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

/// Whether a straight quote between `prev` and `next` is Hebrew's gershayim (`"`
/// between two letters: צה"ל) or geresh (`'` after a letter: ג'), as a keyboard
/// types them — a letter of the word, never a quote mark.
pub fn is_hebrew_sign(mark: char, prev: Option<char>, next: Option<char>) -> bool {
    let after_letter = prev.is_some_and(is_hebrew_letter);
    match mark {
        '"' => after_letter && next.is_some_and(is_hebrew_letter),
        '\'' => after_letter,
        _ => false,
    }
}

/// A Hebrew letter (U+05D0–U+05EA, and the Yiddish ligatures U+05F0–U+05F2).
fn is_hebrew_letter(c: char) -> bool {
    matches!(c, '\u{05D0}'..='\u{05EA}' | '\u{05F0}'..='\u{05F2}')
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == NNBSP || c == NBSP
}

/// Whether a whitespace-delimited token looks like a URL or an e-mail address, whose
/// `--`, `...` and quotes must stay as typed.
fn looks_like_url(token: &str) -> bool {
    token.contains("://")
        || token.starts_with("www.")
        || token.starts_with("mailto:")
        || (token.contains('@') && token.contains('.') && !token.starts_with('@'))
}

impl<'s> Smartener<'s> {
    fn new(style: &'s QuoteStyle) -> Self {
        Smartener { style, open_single: 0, open_double: false }
    }

    /// Whether a quote after `c` opens: after space, an opening bracket or dash, or an
    /// opening quote of this language (“ opens in English but closes in German, so the
    /// set depends on the language).
    fn is_opening_context(&self, c: char) -> bool {
        is_space(c)
            || matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/')
            // CJK commas, full stops and opening brackets (、。「『（…), which take
            // no space after them.
            || matches!(c, '\u{3000}'..='\u{3002}'
                | '\u{3008}' | '\u{300A}' | '\u{300C}' | '\u{300E}' | '\u{3010}'
                | '\u{3014}' | '\u{3016}' | '\u{FF08}' | '\u{FF0C}')
            || c == self.style.primary.0
            || c == self.style.secondary.0
    }

    fn run(&mut self, pieces: &mut [Piece<'_>]) {
        // The first character of each piece, to see across piece boundaries.
        let firsts: Vec<char> = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(s) => s.chars().next().unwrap_or(' '),
                Piece::Opaque(c) => *c,
            })
            .collect();
        let mut out_prev = ' ';
        for (k, piece) in pieces.iter_mut().enumerate() {
            match piece {
                Piece::Opaque(c) => out_prev = *c,
                Piece::Text(s) => {
                    let next_after = firsts.get(k + 1).copied().unwrap_or(' ');
                    let new = self.text(s, out_prev, next_after);
                    out_prev = new.chars().last().unwrap_or(out_prev);
                    **s = new;
                }
            }
        }
    }

    fn text(&mut self, s: &str, before: char, after: char) -> String {
        let chars: Vec<char> = s.chars().collect();
        let skip = url_mask(&chars);
        let mut out = String::with_capacity(s.len() + 8);
        let mut prev = before;
        let at = |i: usize| chars.get(i).copied().unwrap_or(after);
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if skip[i] {
                out.push(c);
                prev = c;
                i += 1;
                continue;
            }
            let run = chars[i..].iter().take_while(|&&d| d == c).count();
            let next = at(i + 1);
            match c {
                '-' if run == 2 || run == 3 => {
                    out.push(if run == 2 { '–' } else { '—' });
                    i += run;
                    prev = out.chars().last().unwrap_or(prev);
                    continue;
                }
                '-' | '.' if run > 1 => {
                    // `...` is an ellipsis, and `....` an ellipsis ending a sentence:
                    // an ellipsis and a full stop (Chicago Manual of Style 13.51);
                    // other runs (`----`, `.....`) stay as typed.
                    if c == '.' && run == 3 {
                        out.push('…');
                    } else if c == '.' && run == 4 {
                        out.push_str("….");
                    } else {
                        out.extend(std::iter::repeat_n(c, run));
                    }
                    i += run;
                    prev = out.chars().last().unwrap_or(prev);
                    continue;
                }
                // Hebrew's gershayim and geresh, typed as straight quotes, are left
                // as typed (a geresh at a word's end may also close a quote).
                '"' | '\''
                    if is_hebrew_sign(c, Some(prev), Some(next))
                        && (c == '"'
                            || is_hebrew_letter(next)
                            || self.open_single == 0) =>
                {
                    out.push(c)
                }
                '"' => self.double_quote(&mut out, prev, next),
                '\'' => self.single_quote(&mut out, prev, &chars[i + 1..], after),
                '«' | '‹' if self.style.guillemet_space.is_some() => {
                    out.push(c);
                    // Replace a typed space inside the guillemet by the narrow one.
                    if let Some(sp) = self.style.guillemet_space
                        && !matches!(next, NNBSP | NBSP)
                    {
                        out.push(sp);
                        while chars.get(i + 1).is_some_and(|&d| d == ' ') {
                            i += 1;
                        }
                    }
                }
                '»' | '›' if self.style.guillemet_space.is_some() => {
                    self.space_before(&mut out, prev, self.style.guillemet_space, true);
                    out.push(c);
                }
                ';' | ':' | '!' | '?'
                    if self.style.space_before_high_punct && !next.is_alphanumeric() =>
                {
                    self.space_before(&mut out, prev, Some(NNBSP), false);
                    out.push(c);
                }
                _ => out.push(c),
            }
            prev = out.chars().last().unwrap_or(prev);
            i += 1;
        }
        out
    }

    /// Puts `space` before the next character: a typed space is replaced; after a
    /// letter, digit or closing mark one is inserted. Before high punctuation, none is
    /// put after another mark (`?!` stays together); before a closing guillemet
    /// (`always`), one is put after anything.
    fn space_before(
        &self,
        out: &mut String,
        prev: char,
        space: Option<char>,
        always: bool,
    ) {
        let Some(sp) = space else { return };
        match prev {
            NNBSP | NBSP => {}
            ' ' | '\t' => {
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                out.push(sp);
            }
            c if always
                || c.is_alphanumeric()
                || matches!(c, ')' | ']' | '’' | '”' | '»' | '…' | '.') =>
            {
                out.push(sp)
            }
            _ => {}
        }
    }

    fn double_quote(&mut self, out: &mut String, prev: char, next: char) {
        let (open, close) = self.style.primary;
        let opens = self.is_opening_context(prev)
            || (is_cjk_char(prev) && !self.open_double && !is_space(next));
        self.open_double = opens;
        if opens {
            if is_space(next) {
                // Spaces on both sides: no way to tell; leave it for `quire check`.
                out.push('"');
                return;
            }
            out.push(open);
            if let Some(sp) = self.style.guillemet_space.filter(|_| open == '«') {
                out.push(sp);
            }
        } else {
            if open == '«' {
                self.space_before(out, prev, self.style.guillemet_space, true);
            }
            out.push(close);
        }
    }

    fn single_quote(&mut self, out: &mut String, prev: char, rest: &[char], after: char) {
        let next = rest.first().copied().unwrap_or(after);
        let (open, close) = self.style.secondary;
        if prev.is_alphanumeric() && next.is_alphanumeric() {
            out.push('’'); // don't, l’homme
        } else if !self.is_opening_context(prev) {
            // After a word or closing punctuation: closes an open quote if there is
            // one, else it is an apostrophe (the Communards’ guns).
            if self.open_single > 0 {
                self.open_single -= 1;
                out.push(close);
            } else {
                out.push('’');
            }
        } else if next.is_ascii_digit() {
            out.push('’'); // ’71, the ’48 revolution
        } else {
            let word: String = rest.iter().take_while(|c| c.is_alphabetic()).collect();
            let word = word.to_lowercase();
            if !word.is_empty() && ELISIONS.contains(&word.as_str()) {
                out.push('’'); // ’tis, rock ’n’ roll
            } else if is_space(next) {
                out.push('\'');
            } else {
                self.open_single += 1;
                out.push(open);
            }
        }
    }
}

/// Marks the characters of URL-like tokens.
fn url_mask(chars: &[char]) -> Vec<bool> {
    let mut mask = vec![false; chars.len()];
    let mut start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || chars[i].is_whitespace() {
            if i > start {
                let token: String = chars[start..i].iter().collect();
                if looks_like_url(&token) {
                    mask[start..i].iter_mut().for_each(|m| *m = true);
                }
            }
            start = i + 1;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;

    fn sm(lang: &str, s: &str) -> String {
        smarten_str(s, &Lang::parse(lang).unwrap().quotes())
    }

    /// Cases in the spec-example style: input, then expected output.
    const EN: &[(&str, &str)] = &[
        ("\"Hello,\" she said.", "“Hello,” she said."),
        ("'Quoted' and don't", "‘Quoted’ and don’t"),
        ("the fighters of '71 and '48", "the fighters of ’71 and ’48"),
        ("rock 'n' roll", "rock ’n’ roll"),
        ("'Tis the season", "’Tis the season"),
        ("the Communards' guns", "the Communards’ guns"),
        ("1871--1921", "1871–1921"),
        ("word---word", "word—word"),
        ("Wait...", "Wait…"),
        ("The end....", "The end…."),
        ("Five.....", "Five....."),
        ("(\"nested 'inner' quote\")", "(“nested ‘inner’ quote”)"),
        ("\"'Twas,\" he said", "“’Twas,” he said"),
        ("a ---- rule", "a ---- rule"),
        (
            "see http://example.org/a--b...c and x--y",
            "see http://example.org/a--b...c and x–y",
        ),
        ("she said \" here", "she said \" here"),
        ("—\"Yes\"", "—“Yes”"),
    ];

    #[test]
    fn english() {
        for (i, o) in EN {
            assert_eq!(sm("en", i), *o, "input: {i}");
        }
    }

    #[test]
    fn british_swaps_quote_levels() {
        assert_eq!(sm("en-GB", "\"Hello 'you'\""), "‘Hello “you”’");
        assert_eq!(sm("en-GB", "don't"), "don’t");
    }

    #[test]
    fn french_spacing_and_guillemets() {
        let n = NNBSP;
        assert_eq!(sm("fr", "\"Bonjour\""), format!("«{n}Bonjour{n}»"));
        assert_eq!(sm("fr", "Quoi ? Vraiment!"), format!("Quoi{n}? Vraiment{n}!"));
        assert_eq!(
            sm("fr", "Voici : un fait; l'homme"),
            format!("Voici{n}: un fait{n}; l’homme")
        );
        assert_eq!(sm("fr", "« Déjà »"), format!("«{n}Déjà{n}»"));
        assert_eq!(sm("fr", "à 10:30"), "à 10:30");
        assert_eq!(sm("fr", "Quoi ?!"), format!("Quoi{n}?!"));
        assert_eq!(sm("fr", "\"Vive !\""), format!("«{n}Vive{n}!{n}»"));
    }

    #[test]
    fn right_to_left_and_east_asian_quotes() {
        assert_eq!(sm("ar", "قال \"نعم\"، ثم؟"), "قال «نعم»، ثم؟");
        assert_eq!(sm("fa", "\"بله\""), "«بله»");
        assert_eq!(sm("he", "\"שלום\" אמר"), "„שלום” אמר");
        // Gershayim and geresh typed as straight quotes stay as typed.
        assert_eq!(sm("he", "צה\"ל ג'ורג"), "צה\"ל ג'ורג");
        // After a letter and before punctuation, a double quote closes.
        assert_eq!(sm("he", "\"השבוע העקוב מדם\", נכנס"), "„השבוע העקוב מדם”, נכנס");
        assert_eq!(sm("ja", "\"はい、'いいえ'\""), "「はい、『いいえ』」");
        assert_eq!(sm("zh", "\"好\""), "“好”");
        // After a character, a straight quote opens unless one is open.
        assert_eq!(sm("ja", "それを\"政治形態\"と呼んだ"), "それを「政治形態」と呼んだ");
        assert_eq!(sm("zh", "称它为\"政治形式\"。"), "称它为“政治形式”。");
        // No French spaces, digits as typed.
        assert_eq!(sm("ar", "كم؟ ١٢٣ و 123"), "كم؟ ١٢٣ و 123");
    }

    #[test]
    fn a_phrase_in_another_language_takes_its_quotes() {
        let span = crate::diag::Span::new(0, 1);
        let text = |t: &str| Inline::Text { text: t.into(), hyphens: Vec::new(), span };
        let mut v = vec![
            text("He said \"yes\" and "),
            Inline::Lang {
                lang: Lang::parse("fr").unwrap(),
                content: vec![text("\"oui !\"")],
                span,
            },
            text("."),
        ];
        smarten_inlines(&mut v, &Lang::default().quotes());
        let n = NNBSP;
        assert_eq!(
            crate::model::plain_text(&v),
            format!("He said “yes” and «{n}oui{n}!{n}».")
        );
    }

    #[test]
    fn german_and_russian() {
        assert_eq!(sm("de", "\"Ja\", sagte er, 'gut'"), "„Ja“, sagte er, ‚gut‘");
        assert_eq!(sm("ru", "\"Да, 'так'\""), "«Да, „так“»");
    }

    #[test]
    fn idempotent_on_curly_text() {
        for lang in ["en", "en-GB", "fr", "de", "ru"] {
            for (i, _) in EN {
                let once = sm(lang, i);
                assert_eq!(sm(lang, &once), once, "lang {lang}, input {i}");
            }
        }
        let fr = sm("fr", "« Oui » ; non ! l'été");
        assert_eq!(sm("fr", &fr), fr);
    }

    #[test]
    fn context_crosses_emphasis() {
        use crate::diag::Span;
        let t = |s: &str| Inline::Text {
            text: s.into(),
            hyphens: vec![],
            span: Span::default(),
        };
        let mut v = vec![
            t("\""),
            Inline::Emphasis { content: vec![t("Vive")], span: Span::default() },
            t("\" and "),
            Inline::Code { text: "x--y".into(), span: Span::default() },
            t("'s"),
        ];
        smarten_inlines(&mut v, &Lang::default().quotes());
        assert_eq!(crate::model::plain_text(&v), "“Vive” and x--y’s");
    }
}
