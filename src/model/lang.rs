//! Languages: the manuscript's BCP 47 tag and what depends on it — quotation marks,
//! French spacing, hyphenation patterns and a few localised strings.
//!
//! Input: the `lang` front-matter value. Output: tables the model passes read. Nothing
//! here changes text.

/// Whether the first strong character of a text is right to left (UAX #9 rules
/// P2–P3): a paragraph whose text opens with Arabic or Hebrew takes a right-to-left
/// base direction even in a left-to-right document, in every edition.
pub fn first_strong_rtl(text: &str) -> bool {
    use unicode_bidi::BidiClass::{AL, L, R};
    text.chars()
        .map(unicode_bidi::bidi_class)
        .find(|c| matches!(c, L | R | AL))
        .is_some_and(|c| c != L)
}

/// A BCP 47 language tag, as given (`en`, `en-GB`, `fr`, `de-CH`, `grc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang {
    tag: String,
}

impl Default for Lang {
    fn default() -> Self {
        Lang { tag: "en".to_string() }
    }
}

/// The quotation marks and spacing of one language (Unicode CLDR delimiters, with
/// French spacing after the Imprimerie nationale's *Lexique des règles typographiques*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteStyle {
    /// Outer (primary) quotes, what a straight `"` becomes.
    pub primary: (char, char),
    /// Inner (secondary) quotes, what a straight `'` used as a quote becomes.
    pub secondary: (char, char),
    /// A space set inside guillemets (U+202F NARROW NO-BREAK SPACE in French).
    pub guillemet_space: Option<char>,
    /// A narrow no-break space before `; : ! ?` (French).
    pub space_before_high_punct: bool,
}

const NNBSP: char = '\u{202F}';

impl Lang {
    /// A language from a BCP 47 tag; `None` when the tag is not well-formed (letters,
    /// digits and hyphens, starting with a 2–3 letter primary subtag).
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim();
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next()?;
        if !(2..=3).contains(&primary.len())
            || !primary.chars().all(|c| c.is_ascii_alphabetic())
        {
            return None;
        }
        if !parts.all(|p| {
            (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
        }) {
            return None;
        }
        Some(Lang { tag: tag.replace('_', "-") })
    }

    /// The tag as written (normalised `_` to `-`).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The primary language subtag, lower case (`en` for `en-GB`).
    pub fn primary(&self) -> String {
        self.tag.split('-').next().unwrap_or("en").to_ascii_lowercase()
    }

    /// The region subtag, upper case, if any (`GB` for `en-GB`).
    pub fn region(&self) -> Option<String> {
        self.tag
            .split('-')
            .skip(1)
            .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            .map(|p| p.to_ascii_uppercase())
    }

    /// Quotation marks and punctuation spacing for this language.
    pub fn quotes(&self) -> QuoteStyle {
        let en = QuoteStyle {
            primary: ('“', '”'),
            secondary: ('‘', '’'),
            guillemet_space: None,
            space_before_high_punct: false,
        };
        let guillemets =
            QuoteStyle { primary: ('«', '»'), secondary: ('„', '“'), ..en };
        match (self.primary().as_str(), self.region().as_deref()) {
            // British usage: single quotes outside, double inside (New Hart's Rules 9.2).
            ("en", Some("GB" | "IE" | "AU" | "NZ" | "ZA" | "IN")) => {
                QuoteStyle { primary: ('‘', '’'), secondary: ('“', '”'), ..en }
            }
            // Swiss French uses no space inside guillemets nor before high punctuation.
            ("fr", Some("CH")) => QuoteStyle { secondary: ('‹', '›'), ..guillemets },
            ("fr", _) => QuoteStyle {
                primary: ('«', '»'),
                secondary: ('“', '”'),
                guillemet_space: Some(NNBSP),
                space_before_high_punct: true,
            },
            ("de", Some("CH" | "LI")) => {
                QuoteStyle { secondary: ('‹', '›'), ..guillemets }
            }
            ("de", _) => {
                QuoteStyle { primary: ('„', '“'), secondary: ('‚', '‘'), ..en }
            }
            ("ru" | "uk" | "be", _) => guillemets,
            ("es" | "it" | "pt" | "el" | "grc" | "no" | "nb" | "nn", _) => {
                QuoteStyle { secondary: ('“', '”'), ..guillemets }
            }
            ("pl" | "ro" | "hu" | "hr" | "nl", _) => {
                QuoteStyle { primary: ('„', '”'), secondary: ('«', '»'), ..en }
            }
            ("cs" | "sk" | "sl" | "bg" | "lt" | "et" | "is", _) => {
                QuoteStyle { primary: ('„', '“'), secondary: ('‚', '‘'), ..en }
            }
            ("sv" | "fi", _) => {
                QuoteStyle { primary: ('”', '”'), secondary: ('’', '’'), ..en }
            }
            // Arabic, Persian and Urdu: guillemets (CLDR), read right to left; the
            // Arabic comma, semicolon and question mark are left as typed.
            ("ar" | "fa" | "ur" | "ps" | "ckb" | "ug", _) => {
                QuoteStyle { secondary: ('“', '”'), ..guillemets }
            }
            // Hebrew and Yiddish: low-high quotes, as Hebrew books set them (CLDR
            // gives ” ” too); geresh and gershayim are letters here, never quotes.
            ("he" | "yi", _) => {
                QuoteStyle { primary: ('„', '”'), secondary: ('‚', '’'), ..en }
            }
            // Japanese: corner brackets (JIS X 4051); Chinese keeps “ ” ‘ ’.
            ("ja", _) => {
                QuoteStyle { primary: ('「', '」'), secondary: ('『', '』'), ..en }
            }
            _ => en,
        }
    }

    /// Whether the language is written right to left (its paragraphs take a
    /// right-to-left base direction, UAX #9 rule P3 overridden by the markup as
    /// HTML's `dir` would be, and its pages bind on the right).
    pub fn rtl(&self) -> bool {
        matches!(
            self.primary().as_str(),
            "ar" | "fa" | "ur" | "ps" | "sd" | "ckb" | "ug" | "dv" | "he" | "yi" | "syr"
        )
    }

    /// Whether the language breaks words at line ends at all. Arabic, Hebrew,
    /// Indic and CJK print traditions do not (justifying by spacing instead), so
    /// no patterns are looked up and no `no-hyphenation` warning is given for them.
    pub fn hyphenates(&self) -> bool {
        !matches!(
            self.primary().as_str(),
            "ar" | "fa"
                | "ur"
                | "ps"
                | "sd"
                | "ckb"
                | "ug"
                | "dv"
                | "he"
                | "yi"
                | "syr"
                | "hi"
                | "mr"
                | "ne"
                | "sa"
                | "bn"
                | "pa"
                | "gu"
                | "ta"
                | "te"
                | "kn"
                | "ml"
                | "or"
                | "zh"
                | "ja"
                | "ko"
                | "th"
                | "lo"
                | "km"
                | "my"
                | "bo"
        )
    }

    /// The TeX hyphenation patterns for this language, if the hyphenation crate has
    /// them and the language hyphenates.
    pub fn hyphenation(&self) -> Option<hyphenation::Language> {
        use hyphenation::Language as L;
        if !self.hyphenates() {
            return None;
        }
        let primary = self.primary();
        let region = self.region();
        Some(match (primary.as_str(), region.as_deref()) {
            ("en", Some("US") | None) => L::EnglishUS,
            ("en", _) => L::EnglishGB,
            ("de", Some("CH")) => L::GermanSwiss,
            ("de", _) => L::German1996,
            ("el", _) => {
                if self.tag.to_ascii_lowercase().contains("polyton") {
                    L::GreekPoly
                } else {
                    L::GreekMono
                }
            }
            ("grc", _) => L::GreekAncient,
            ("la", _) => L::Latin,
            ("no" | "nb", _) => L::NorwegianBokmal,
            ("sr", _) => L::SerbianCyrillic,
            ("mn", _) => L::Mongolian,
            (p, _) => return hyphenation::Language::try_from_code(p),
        })
    }

    /// "Notes", as a heading over a chapter's notes in the text edition.
    pub fn notes_heading(&self) -> &'static str {
        match self.primary().as_str() {
            "fr" => "Notes",
            "de" => "Anmerkungen",
            "ru" => "Примечания",
            "uk" => "Примітки",
            "es" => "Notas",
            "it" => "Note",
            "pt" => "Notas",
            "el" | "grc" => "Σημειώσεις",
            "ar" => "الحواشي",
            "fa" => "یادداشت‌ها",
            "he" => "הערות",
            "hi" => "टिप्पणियाँ",
            "zh" => "注释",
            "ja" => "注",
            _ => "Notes",
        }
    }

    /// "Contents", as the title of a table of contents.
    pub fn contents_heading(&self) -> &'static str {
        match self.primary().as_str() {
            "fr" => "Table des matières",
            "de" => "Inhalt",
            "ru" => "Содержание",
            "uk" => "Зміст",
            "es" => "Índice",
            "it" => "Indice",
            "pt" => "Sumário",
            "el" | "grc" => "Περιεχόμενα",
            "ar" => "المحتويات",
            "fa" => "فهرست",
            "he" => "תוכן העניינים",
            "hi" => "विषय-सूची",
            "zh" => "目录",
            "ja" => "目次",
            _ => "Contents",
        }
    }

    /// A list of names as the language writes it: `Karl Marx and Friedrich Engels`,
    /// `A, B, and C` (en-US; en-GB has no serial comma), `Marx et Engels`, `Marx und
    /// Engels`, `Маркс и Энгельс` … The one place every edition and the covers join
    /// authors, translators and editors.
    pub fn join_names(&self, names: &[String]) -> String {
        let and = match self.primary().as_str() {
            "en" => "and",
            "fr" => "et",
            "de" => "und",
            "nl" => "en",
            "ru" | "be" | "bg" | "sr" | "mk" => "и",
            "uk" => "і",
            "pl" | "hr" | "bs" | "sl" | "cs" | "sk" => "i",
            "es" | "ca" => "y",
            "it" | "pt" => "e",
            "sv" => "och",
            "da" | "no" | "nb" | "nn" => "og",
            "el" | "grc" => "και",
            "tr" => "ve",
            "fi" => "ja",
            "hu" => "és",
            "ro" => "și",
            "la" => "et",
            "ar" => "و",
            "fa" => "و",
            "hi" => "और",
            "zh" => "和",
            "ja" => "と",
            _ => "&",
        };
        // Danish and Norwegian write `og`, Swedish `och`.

        let serial = self.primary() == "en" && !self.tag().eq_ignore_ascii_case("en-GB");
        match names {
            [] => String::new(),
            [a] => a.clone(),
            [a, b] => format!("{a} {and} {b}"),
            [rest @ .., last] => {
                let comma = if serial { "," } else { "" };
                format!("{}{comma} {and} {last}", rest.join(", "))
            }
        }
    }

    /// "Translated by NAMES", for title pages and colophons.
    pub fn translated_by(&self, names: &str) -> String {
        match self.primary().as_str() {
            "fr" => format!("Traduit par {names}"),
            "de" => format!("Übersetzt von {names}"),
            "ru" => format!("Перевод: {names}"),
            "es" => format!("Traducción de {names}"),
            "it" => format!("Traduzione di {names}"),
            _ => format!("Translated by {names}"),
        }
    }

    /// "Edited by …", for a title page.
    pub fn edited_by(&self, names: &str) -> String {
        match self.primary().as_str() {
            "fr" => format!("Édité par {names}"),
            "de" => format!("Herausgegeben von {names}"),
            "ru" => format!("Под редакцией: {names}"),
            "es" => format!("Edición de {names}"),
            "it" => format!("A cura di {names}"),
            _ => format!("Edited by {names}"),
        }
    }

    /// The word a cross-reference puts before a page number in print ("see page
    /// 47"): the language's word for a page.
    pub fn page_word(&self) -> &'static str {
        match self.primary().as_str() {
            "fr" => "page",
            "de" => "Seite",
            "ru" => "страница",
            "es" => "página",
            "it" => "pagina",
            "pt" => "página",
            "nl" => "pagina",
            _ => "page",
        }
    }

    /// A date written out in this language's usual form, or ISO 8601 where quire
    /// has no month names for the language.
    pub fn format_date(&self, d: &crate::model::Date) -> String {
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const FR: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const DE: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        // Russian dates use the genitive month name ("4 февраля 1921 г.").
        const RU: [&str; 12] = [
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря",
        ];
        let y = d.year;
        let Some(m) = d.month.filter(|m| (1..=12).contains(m)) else {
            return format!("{y}");
        };
        let i = usize::from(m - 1);
        let us = self.region().is_none_or(|r| r == "US");
        match (self.primary().as_str(), d.day) {
            ("en", Some(day)) if us => format!("{} {day}, {y}", EN[i]),
            ("en", Some(day)) => format!("{day} {} {y}", EN[i]),
            ("en", None) => format!("{} {y}", EN[i]),
            ("fr", Some(1)) => format!("1er {} {y}", FR[i]),
            ("fr", Some(day)) => format!("{day} {} {y}", FR[i]),
            ("fr", None) => format!("{} {y}", FR[i]),
            ("de", Some(day)) => format!("{day}. {} {y}", DE[i]),
            ("de", None) => format!("{} {y}", DE[i]),
            ("ru", Some(day)) => format!("{day} {} {y}\u{a0}г.", RU[i]),
            _ => d.iso(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_joined_by_the_languages_word() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let two = n(&["Karl Marx", "Friedrich Engels"]);
        let three = n(&["A", "B", "C"]);
        assert_eq!(
            Lang::parse("en").unwrap().join_names(&two),
            "Karl Marx and Friedrich Engels"
        );
        assert_eq!(Lang::parse("en").unwrap().join_names(&three), "A, B, and C");
        assert_eq!(Lang::parse("en-GB").unwrap().join_names(&three), "A, B and C");
        assert_eq!(
            Lang::parse("fr").unwrap().join_names(&two),
            "Karl Marx et Friedrich Engels"
        );
        assert_eq!(Lang::parse("de").unwrap().join_names(&three), "A, B und C");
        assert_eq!(
            Lang::parse("ru").unwrap().join_names(&two),
            "Karl Marx и Friedrich Engels"
        );
        assert_eq!(
            Lang::parse("es").unwrap().join_names(&two),
            "Karl Marx y Friedrich Engels"
        );
    }

    use super::*;
    use crate::model::Date;

    #[test]
    fn parses_and_rejects_tags() {
        assert_eq!(Lang::parse("en-GB").unwrap().region().as_deref(), Some("GB"));
        assert_eq!(Lang::parse("fr").unwrap().primary(), "fr");
        assert!(Lang::parse("english please").is_none());
        assert!(Lang::parse("").is_none());
        assert!(Lang::parse("e").is_none());
    }

    #[test]
    fn quote_tables() {
        assert_eq!(Lang::parse("de").unwrap().quotes().primary, ('„', '“'));
        assert_eq!(Lang::parse("en-GB").unwrap().quotes().primary, ('‘', '’'));
        let fr = Lang::parse("fr").unwrap().quotes();
        assert_eq!(fr.guillemet_space, Some('\u{202F}'));
        assert!(fr.space_before_high_punct);
        assert_eq!(Lang::parse("ru").unwrap().quotes().secondary, ('„', '“'));
    }

    #[test]
    fn hyphenation_languages() {
        use hyphenation::Language as L;
        assert_eq!(Lang::parse("en").unwrap().hyphenation(), Some(L::EnglishUS));
        assert_eq!(Lang::parse("en-GB").unwrap().hyphenation(), Some(L::EnglishGB));
        assert_eq!(Lang::parse("ru").unwrap().hyphenation(), Some(L::Russian));
        assert_eq!(Lang::parse("fr").unwrap().hyphenation(), Some(L::French));
        assert_eq!(Lang::parse("zz").unwrap().hyphenation(), None);
    }

    #[test]
    fn dates() {
        let d = Date { year: 1921, month: Some(2), day: Some(4) };
        assert_eq!(Lang::default().format_date(&d), "February 4, 1921");
        assert_eq!(Lang::parse("en-GB").unwrap().format_date(&d), "4 February 1921");
        assert_eq!(Lang::parse("fr").unwrap().format_date(&d), "4 février 1921");
        assert_eq!(Lang::parse("ja").unwrap().format_date(&d), "1921-02-04");
    }
}
