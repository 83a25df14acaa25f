//! Hyphenation points, by the manuscript's language, from the TeX (Liang) patterns the
//! hyphenation crate embeds.
//!
//! Input: a smartened [`Document`]. Output: `hyphens` filled on every text inline —
//! byte offsets where the layout may break a word and add a hyphen. Rules beyond the
//! patterns, after TeX's `\lefthyphenmin`/`\righthyphenmin` and common house style:
//! at least 2 letters before and 3 after a break; never in words with digits, in
//! ALL-CAPS words of six letters or fewer among other text (acronyms: NATO, UNESCO;
//! a longer word in capitals, or any in a run of words in capitals, is a word set
//! in capitals, which TeX hyphenates too, and left whole it spaces its line out),
//! or in URL-like tokens. Code has no text inlines, so it is
//! never hyphenated. The text edition ignores these points (plain text stays
//! searchable); the PDF layout uses them.

use hyphenation::{Hyphenator, Load, Standard};
use unicode_segmentation::UnicodeSegmentation;

use super::{Document, Inline};

/// The longest word in capitals taken for an acronym, and never broken.
const ACRONYM_MAX: usize = 6;

/// Letters kept before the first break (TeX `\lefthyphenmin`).
pub const LEFT_MIN: usize = 2;
/// Letters kept after the last break (TeX `\righthyphenmin`, raised from 2 to 3 as
/// in plain TeX's English setting).
pub const RIGHT_MIN: usize = 3;

/// Fills `hyphens` on every text inline of the body and the notes.
pub fn apply(doc: &mut Document) {
    // Each language's patterns, loaded once: a `<div lang>` passage or a
    // `<span lang>` phrase is hyphenated by its own language's, or not at all.
    let loaded = Loaded::default();
    let pass = || {
        let mut dicts = Dicts { loaded: &loaded, memos: Default::default() };
        move |inl: &mut Vec<Inline>, lang: &super::Lang| {
            let dict = dicts.get(lang);
            hyphenate_inlines(inl, dict.as_deref(), &mut dicts);
        }
    };
    let lang = doc.meta.lang.clone();
    // The body on all cores, a chunk of blocks on each; the notes, far fewer, here.
    super::par_for_each_inlines_in_lang(&mut doc.blocks, &lang, pass);
    let mut f = pass();
    for note in &mut doc.notes {
        super::for_each_inlines_in_lang(&mut note.blocks, &lang, &mut f);
    }
}

/// Each language's patterns, by language tag, loaded when first asked for (on
/// whichever core asks) and shared by the cores.
#[derive(Default)]
struct Loaded(
    std::sync::Mutex<
        std::collections::BTreeMap<String, Option<std::sync::Arc<Standard>>>,
    >,
);

impl Loaded {
    fn get(&self, lang: &super::Lang) -> Option<std::sync::Arc<Standard>> {
        let mut loaded = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        loaded
            .entry(lang.tag().to_string())
            .or_insert_with(|| {
                lang.hyphenation()
                    .and_then(|l| Standard::from_embedded(l).ok())
                    .map(std::sync::Arc::new)
            })
            .clone()
    }
}

/// One core's patterns by language tag, with its own memo of the words they
/// hyphenated.
struct Dicts<'a> {
    loaded: &'a Loaded,
    memos: std::collections::BTreeMap<String, Option<std::rc::Rc<Patterns>>>,
}

/// A language's hyphenation patterns, with the words they have hyphenated: a book
/// says the same few thousand words over and over, and looking a word up costs far
/// less than running the patterns over it again.
pub struct Patterns {
    dict: std::sync::Arc<Standard>,
    memo: std::cell::RefCell<crate::memo::Memo<String, Vec<usize>>>,
}

impl Patterns {
    /// Patterns that remember nothing yet.
    pub fn new(dict: impl Into<std::sync::Arc<Standard>>) -> Patterns {
        Patterns { dict: dict.into(), memo: Default::default() }
    }

    /// Calls `f` with each of the patterns' break points in a word (byte
    /// offsets), as `Hyphenator::hyphenate` gives them, in order.
    fn each_break(&self, word: &str, f: impl FnMut(usize)) {
        if let Some(b) = self.memo.borrow().get(word) {
            b.iter().copied().for_each(f);
            return;
        }
        let b = self.dict.hyphenate(word).breaks;
        b.iter().copied().for_each(f);
        self.memo.borrow_mut().insert(word.to_string(), b);
    }
}

impl Dicts<'_> {
    fn get(&mut self, lang: &super::Lang) -> Option<std::rc::Rc<Patterns>> {
        if let Some(d) = self.memos.get(lang.tag()) {
            return d.clone();
        }
        let patterns = self.loaded.get(lang).map(|d| std::rc::Rc::new(Patterns::new(d)));
        self.memos.insert(lang.tag().to_string(), patterns.clone());
        patterns
    }
}

fn hyphenate_inlines(inlines: &mut [Inline], dict: Option<&Patterns>, dicts: &mut Dicts) {
    for i in inlines {
        match i {
            Inline::Text { text, hyphens, .. } => {
                if let Some(d) = dict {
                    *hyphens = points(text, d);
                }
            }
            Inline::Lang { lang, content, .. } => {
                let own = dicts.get(lang);
                hyphenate_inlines(content, own.as_deref(), dicts)
            }
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. }
            | Inline::Link { content, .. }
            | Inline::Anchor { content, .. } => hyphenate_inlines(content, dict, dicts),
            _ => {}
        }
    }
}

/// The hyphenation points of a run of text, as byte offsets into it. As TeX does
/// (The TeXbook, ch. 14: only a word that follows glue is hyphenated), a compound with
/// an explicit hyphen breaks at the hyphen, and within its first component only:
/// never `self-gov-ernment`; and a word with soft hyphens (U+00AD) breaks only at
/// them: the point is the soft hyphen's own offset (the layout draws a hyphen there
/// when it breaks, and nothing when it does not).
pub fn points(text: &str, dict: &Patterns) -> Vec<u32> {
    let mut out = Vec::new();
    let caps = set_in_capitals(text);
    // Tokens between spaces, to leave URL-like ones alone.
    let mut offset = 0;
    for token in text.split_inclusive(char::is_whitespace) {
        let url =
            token.contains("://") || token.contains('@') || token.starts_with("www.");
        if token.contains(SOFT_HYPHEN) {
            out.extend(
                token.match_indices(SOFT_HYPHEN).map(|(at, _)| (offset + at) as u32),
            );
        } else if !url {
            let first = first_component(token);
            for (at, word) in token[..first].split_word_bound_indices() {
                word_points(word, dict, caps, |b| out.push((offset + at + b) as u32));
            }
        }
        offset += token.len();
    }
    out
}

/// U+00AD SOFT HYPHEN: where the author allows a break.
pub const SOFT_HYPHEN: char = '\u{AD}';

/// Where a token's first component ends: at its first hyphen between two letters
/// (hyphen-minus, U+2010 HYPHEN), or at its end.
fn first_component(token: &str) -> usize {
    // Most tokens have no hyphen (U+2010's UTF-8 begins with 0xE2).
    if !token.bytes().any(|b| b == b'-' || b == 0xE2) {
        return token.len();
    }
    let c: Vec<(usize, char)> = token.char_indices().collect();
    c.windows(3)
        .find(|w| {
            matches!(w[1].1, '-' | '\u{2010}')
                && w[0].1.is_alphabetic()
                && w[2].1.is_alphabetic()
        })
        .map_or(token.len(), |w| w[1].0)
}

/// Whether a run of text is set in capitals: three words or more, every one of
/// them in capitals. Its short words are words, not acronyms.
fn set_in_capitals(text: &str) -> bool {
    let words = text
        .unicode_words()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2);
    let mut n = 0;
    for w in words {
        if w.chars().any(char::is_lowercase) {
            return false;
        }
        n += 1;
    }
    n >= 3
}

/// An apostrophe inside a word: a possessive or a contraction (`whale’s`,
/// `o’clock`, `don't`).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\u{2019}' | '\'')
}

/// The hyphenation points of one word. A word with an apostrophe breaks within its
/// parts, as a word processor or InDesign breaks `Rich-ard-son’s`: left whole, the
/// many possessives of a novel would never break; the letters kept before and
/// after a break count the whole word.
fn word_points(word: &str, dict: &Patterns, caps: bool, mut push: impl FnMut(usize)) {
    let n = word.chars().filter(|&c| !is_apostrophe(c)).count();
    let letters = |w: &str| w.chars().all(|c| c.is_alphabetic() || is_apostrophe(c));
    if n < LEFT_MIN + RIGHT_MIN || !letters(word) {
        return;
    }
    if !caps && n <= ACRONYM_MAX && !word.chars().any(char::is_lowercase) {
        return;
    }
    let mut seen = 0;
    let mut at = 0;
    for part in word.split(is_apostrophe) {
        let len = part.chars().count();
        if len >= LEFT_MIN {
            dict.each_break(part, |b| {
                // The patterns work on the word lower-cased, which can change its
                // length in bytes (`İ`): a point that is no boundary of the word as
                // written is dropped.
                let Some(head) = part.get(..b) else { return };
                let before = seen + head.chars().count();
                if before >= LEFT_MIN && n - before >= RIGHT_MIN {
                    push(at + b);
                }
            });
        }
        seen += len;
        // The part and the apostrophe after it.
        at +=
            part.len() + word[at + part.len()..].chars().next().map_or(0, char::len_utf8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyphenation::Language;

    fn show(text: &str, lang: Language) -> String {
        let dict = Patterns::new(Standard::from_embedded(lang).unwrap());
        let pts = points(text, &dict);
        let mut s = String::new();
        for (i, c) in text.char_indices() {
            if pts.contains(&(i as u32)) {
                s.push('-');
            }
            s.push(c);
        }
        s
    }

    #[test]
    fn english_words() {
        assert_eq!(show("revolutionary", Language::EnglishUS), "rev-o-lu-tion-ary");
        assert_eq!(show("the proletariat", Language::EnglishUS), "the pro-le-tariat");
    }

    #[test]
    fn never_in_acronyms_numbers_or_urls() {
        assert_eq!(show("UNESCO 1871st", Language::EnglishUS), "UNESCO 1871st");
        // A longer word in capitals is a word, and breaks as one; so is a short
        // one among others in capitals.
        assert_eq!(show("REVOLUTIONARY", Language::EnglishUS), "REV-O-LU-TION-ARY");
        assert_eq!(show("THE PAPERS CAME", Language::EnglishUS), "THE PA-PERS CAME");
        assert_eq!(show("the PAPERS came", Language::EnglishUS), "the PAPERS came");
        assert_eq!(
            show("see https://revolutionary.example/ok", Language::EnglishUS),
            "see https://revolutionary.example/ok"
        );
    }

    #[test]
    fn possessives_and_contractions_break_within_their_letters() {
        assert_eq!(show("Richardson’s", Language::EnglishUS), "Richard-son’s");
        assert_eq!(
            show("RICHARDSON’S DICTIONARY", Language::EnglishUS),
            "RICHARD-SON’S DIC-TIO-NARY"
        );
        // Never leaving fewer than three letters after the break, the possessive's
        // included, nor breaking a contraction too short for it.
        assert_eq!(show("don’t o’clock", Language::EnglishUS), "don’t o’clock");
    }

    #[test]
    fn keeps_three_letters_after_the_last_break() {
        // en-us patterns allow "hap-py"? Whatever they allow, never fewer than 3 at the end.
        let dict = Patterns::new(Standard::from_embedded(Language::EnglishUS).unwrap());
        for w in ["happy", "sacrifice", "masses", "continually"] {
            for p in points(w, &dict) {
                assert!(w[p as usize..].chars().count() >= RIGHT_MIN, "{w} at {p}");
                assert!(w[..p as usize].chars().count() >= LEFT_MIN, "{w} at {p}");
            }
        }
    }

    #[test]
    fn explicit_and_soft_hyphens_are_the_only_breaks_of_their_word() {
        assert_eq!(show("self-government", Language::EnglishUS), "self-government");
        // The first component may break (as in TeX), the later ones not.
        let s = show("democratic-liberal", Language::EnglishUS);
        assert!(
            s.ends_with("tic-liberal") && s.len() > "democratic-liberal".len(),
            "{s}"
        );
        assert_eq!(
            show("revo\u{ad}lutionary", Language::EnglishUS),
            "revo-\u{ad}lutionary"
        );
    }

    #[test]
    fn a_word_whose_lower_case_is_longer_does_not_break_the_pass() {
        let dict = Patterns::new(Standard::from_embedded(Language::EnglishUS).unwrap());
        for w in ["İstanbulİstanbul", "Revolutİİİonary", "ǅemalǅemal"] {
            for p in points(w, &dict) {
                assert!(w.is_char_boundary(p as usize), "{w} at {p}");
            }
        }
    }

    #[test]
    fn other_languages() {
        assert_eq!(show("révolutionnaire", Language::French), "ré-vo-lu-tion-naire");
        assert!(show("революционный", Language::Russian).contains('-'));
    }
}
