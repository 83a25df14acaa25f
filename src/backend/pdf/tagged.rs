//! The tagged PDF: the layout's [`Structure`] encoded as krilla's tag tree, and the
//! marked content that ties each piece of a page to its node.
//!
//! Each set line is drawn as a few marked-content sequences: one per stretch of
//! runs that share a node, a link and a language (ISO 32000-1, 14.6 and 14.9.2:
//! `/Lang` on the marked content of a `lang` span). A word hyphenated at a line's
//! end is read whole: its two pieces, on two lines, are one `Span` element whose
//! `/ActualText` is the whole word (14.9.4), so a screen reader or anything that
//! follows the tags meets `revolution`, not `revo-` and `lution`; the page's own
//! text is left as set, which extractors that read the page (pdftotext) already
//! join. Links are `Link` elements holding their text and their
//! annotation (PDF/UA-1, 7.18.5); a note's reference is a `Reference` around its
//! link. Nothing typographic is decided here.

use std::collections::BTreeMap;
use std::num::NonZeroU16;
use std::ops::Range;

use krilla::tagging::{
    Identifier, ListNumbering, Node, TableHeaderScope, Tag, TagGroup, TagKind, TagTree,
};

use crate::layout::items::Link;
use crate::layout::lines::Line;
use crate::layout::structure::{self, ARTIFACT, DOCUMENT, Role, Structure};
use crate::layout::units::{PT, Sp};
use crate::layout::{Layout, Placed};

/// What a node holds, in reading order.
pub(super) enum Content {
    /// A marked-content sequence.
    Mark(Identifier),
    /// A word broken across lines: its pieces, read as the whole word.
    Word {
        /// The pieces' marked content.
        marks: Vec<Identifier>,
        /// The whole word.
        actual: String,
    },
    /// A link: its text and, once the page is done, its annotation.
    Link {
        /// The text's marked content, with what each is read as when not its
        /// glyphs (right-to-left text).
        marks: Vec<(Identifier, Option<String>)>,
        /// The annotation.
        annot: Option<Identifier>,
        /// A note's reference mark (or a note's way back to it).
        note: bool,
    },
}

/// What drawing the pages gave each node of the structure.
pub(super) struct Tagging {
    /// Per node, its content in reading order.
    pub content: Vec<Vec<Content>>,
    /// Per node, the broken word whose rest is still to be drawn (its place in
    /// the node's content).
    words: BTreeMap<structure::Tag, usize>,
}

impl Tagging {
    /// Room for every node of a structure.
    pub fn new(s: &Structure) -> Self {
        Tagging {
            content: (0..s.nodes.len()).map(|_| Vec::new()).collect(),
            words: BTreeMap::new(),
        }
    }

    /// Adds a piece of a broken word to a node: its head opens the word, its rest
    /// joins it.
    pub fn push_word(&mut self, tag: structure::Tag, id: Identifier, part: &Part) {
        let Some(v) = self.content.get_mut(tag as usize) else { return };
        match part {
            Part::Head(whole) => {
                self.words.insert(tag, v.len());
                v.push(Content::Word { marks: vec![id], actual: whole.clone() });
            }
            Part::Rest => match self.words.remove(&tag).and_then(|k| v.get_mut(k)) {
                Some(Content::Word { marks, .. }) => marks.push(id),
                _ => v.push(Content::Mark(id)),
            },
            Part::Whole(text) => {
                v.push(Content::Word { marks: vec![id], actual: text.clone() })
            }
        }
    }

    /// Adds content to a node (an artifact's dummy identifier to none).
    pub fn push(&mut self, tag: structure::Tag, c: Content) {
        if let Some(v) = self.content.get_mut(tag as usize) {
            v.push(c);
        }
    }
}

/// A stretch of a line's runs drawn as one marked-content sequence.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Seg {
    /// The runs (visual order).
    pub runs: Range<usize>,
    /// Their node ([`ARTIFACT`]: not content).
    pub tag: structure::Tag,
    /// Where they link to.
    pub link: Option<Link>,
    /// Their language (an index into the structure's languages; 0: the document's).
    pub lang: u8,
    /// A piece of a word broken across lines.
    pub word: Option<Part>,
}

/// A piece of a word broken across lines.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Part {
    /// Its start, at a line's end, with the whole word (and a space before it when
    /// the stretch starts with one).
    Head(String),
    /// Its rest, at the next line's start.
    Rest,
    /// Runs of a line with right-to-left text, drawn in visual order, read as
    /// this text: theirs in logical order, with the spaces between them.
    Whole(String),
}

/// Words broken across lines, by (page index, line index): where the head starts
/// on its line and the whole word, and how many runs of the next line are its rest.
#[derive(Debug, Default)]
pub(super) struct Words {
    heads: BTreeMap<(usize, usize), (usize, String)>,
    tails: BTreeMap<(usize, usize), usize>,
}

/// Whether two runs of a line touch (are pieces of one word): the first ends
/// within a tenth of a point of where the second starts.
fn touch(line: &Line, k: usize) -> bool {
    let (a, b) = (&line.runs[k], &line.runs[k + 1]);
    a.x + a.width() >= b.x - PT / 10
}

/// Finds the words broken at line ends (at a hyphen or, as a last resort, between
/// letters) and the lines their rests begin, following each node's lines in
/// reading order across pages. Lines with right-to-left text are left as they are:
/// those scripts are not hyphenated.
pub(super) fn broken_words(layout: &Layout) -> Words {
    let mut words = Words::default();
    // Per node, the head of a word waiting for its rest.
    let mut pending: BTreeMap<structure::Tag, ((usize, usize), usize, String)> =
        BTreeMap::new();
    for (pi, page) in layout.pages.iter().enumerate() {
        for (li, pl) in page.lines.iter().enumerate() {
            let line = &pl.line;
            // Words in links keep their link (a `Link` element holds them); lines
            // with right-to-left text are not hyphenated.
            let plain =
                |r: &crate::layout::lines::Run| r.frag.link.is_none() && !r.frag.rtl();
            if pl.repeated() || line.runs.is_empty() || !line.runs.iter().all(plain) {
                // A word's rest on such a line is read as set.
                if let Some(first) = line.runs.first() {
                    pending.remove(&first.tag);
                }
                continue;
            }
            let first = &line.runs[0];
            if let Some((at, k, head)) = pending.remove(&first.tag) {
                let mut j = 1;
                while j < line.runs.len() && touch(line, j - 1) {
                    j += 1;
                }
                let tail: String =
                    line.runs[..j].iter().map(|r| r.frag.text.as_str()).collect();
                words.heads.insert(at, (k, head + &tail));
                words.tails.insert((pi, li), j);
            }
            if line.hyphenated || line.broken {
                let n = line.runs.len();
                let end = if line.hyphenated { n - 1 } else { n };
                if end == 0 {
                    continue;
                }
                let mut k = end - 1;
                while k > 0 && touch(line, k - 1) {
                    k -= 1;
                }
                let head: String =
                    line.runs[k..end].iter().map(|r| r.frag.text.as_str()).collect();
                pending.insert(line.runs[n - 1].tag, ((pi, li), k, head));
            }
        }
    }
    words
}

/// Cuts a placed line into the stretches drawn as one marked-content sequence each.
pub(super) fn segments(pl: &Placed, words: &Words, at: (usize, usize)) -> Vec<Seg> {
    let line = &pl.line;
    let n = line.runs.len();
    let tail = words.tails.get(&at).copied().unwrap_or(0).min(n);
    let head = words.heads.get(&at);
    let bidi = line.runs.iter().any(|r| r.frag.rtl());
    let mut out: Vec<Seg> = Vec::new();
    let mut k = 0;
    while k < n {
        let run = &line.runs[k];
        let (end, word) = if k == 0 && tail > 0 {
            (tail, Some(Part::Rest))
        } else if let Some((_, whole)) = head.filter(|(h, _)| *h == k) {
            (n, Some(Part::Head(whole.clone())))
        } else {
            // Up to the next change of node, link or language, or the start of a
            // broken word's head.
            let stop = head.map_or(n, |(h, _)| if *h > k { *h } else { n });
            let mut e = k + 1;
            while e < stop {
                let r = &line.runs[e];
                if r.tag != run.tag
                    || r.frag.link != run.frag.link
                    || r.frag.lang != run.frag.lang
                {
                    break;
                }
                e += 1;
            }
            (e, None)
        };
        let tag = if pl.repeated() { ARTIFACT } else { run.tag };
        out.push(Seg {
            runs: k..end,
            tag,
            link: run.frag.link.clone().filter(|_| tag != ARTIFACT),
            lang: run.frag.lang,
            word,
        });
        k = end;
    }
    if bidi {
        in_reading_order(line, &mut out);
    }
    out
}

/// Puts the stretches of a line with right-to-left text in reading order, each
/// read as its runs' text in logical order (UAX #9 reordered them for the eye; the
/// glyphs' own text would read backwards), with the spaces that follow them —
/// the line's last run too when the line ends between words.
fn in_reading_order(line: &Line, segs: &mut [Seg]) {
    let last = line.runs.iter().map(|r| r.order).max().unwrap_or(0);
    for seg in segs.iter_mut() {
        let mut runs: Vec<&crate::layout::lines::Run> =
            line.runs[seg.runs.clone()].iter().collect();
        runs.sort_by_key(|r| r.order);
        let mut text = String::new();
        for r in runs {
            text.push_str(&r.frag.text);
            if r.space_after || (r.order == last && line.word_end) {
                text.push(' ');
            }
        }
        seg.word = Some(Part::Whole(text));
    }
    let first =
        |s: &Seg| line.runs[s.runs.clone()].iter().map(|r| r.order).min().unwrap_or(0);
    segs.sort_by_key(first);
}

/// The structure as krilla's tag tree, each node holding what was drawn for it.
pub(super) fn tree(s: &Structure, mut t: Tagging, doc_lang: &str) -> TagTree {
    let kids = s.children();
    let mut root = TagTree::new().with_lang(Some(doc_lang.to_string()));
    let own = std::mem::take(&mut t.content[DOCUMENT as usize]);
    for c in own {
        root.push(content_node(c));
    }
    for &k in &kids[DOCUMENT as usize] {
        root.push(group(s, &kids, &mut t, k));
    }
    root
}

/// A node and everything under it: its own content first, then its children.
fn group(
    s: &Structure,
    kids: &[Vec<structure::Tag>],
    t: &mut Tagging,
    tag: structure::Tag,
) -> TagGroup {
    let node = &s.nodes[tag as usize];
    let mut kind = kind(&node.role);
    if let Some(l) = &node.lang {
        kind.set_lang(Some(l.clone()));
    }
    let mut g = TagGroup::new(kind);
    for c in std::mem::take(&mut t.content[tag as usize]) {
        g.push(content_node(c));
    }
    for &k in &kids[tag as usize] {
        g.push(group(s, kids, t, k));
    }
    g
}

fn content_node(c: Content) -> Node {
    match c {
        Content::Mark(id) => Node::Leaf(id),
        Content::Word { marks, actual } => Node::Group(read_as(actual, marks)),
        Content::Link { marks, annot, note } => {
            let mut link = TagGroup::new(Tag::Link);
            for (m, actual) in marks {
                match actual {
                    Some(a) => link.push(read_as(a, vec![m])),
                    None => link.push(m),
                }
            }
            if let Some(a) = annot {
                link.push(a);
            }
            if note {
                Node::Group(TagGroup::with_children(Tag::Reference, vec![link.into()]))
            } else {
                Node::Group(link)
            }
        }
    }
}

/// A `Span` whose marked content is read as `actual` (ISO 32000-1, 14.9.4).
fn read_as(actual: String, marks: Vec<Identifier>) -> TagGroup {
    let span = Tag::Span.with_actual_text(Some(actual));
    TagGroup::with_children(span, marks.into_iter().map(Node::Leaf).collect())
}

/// The standard structure type of a role.
fn kind(role: &Role) -> TagKind {
    match role {
        Role::Document | Role::Div => Tag::Div.into(),
        Role::Title => Tag::Title.into(),
        Role::Heading { level, title } => {
            let level =
                NonZeroU16::new(u16::from(*level).max(1)).unwrap_or(NonZeroU16::MIN);
            Tag::Hn(level, Some(title.clone())).into()
        }
        Role::P => Tag::P.into(),
        Role::BlockQuote => Tag::BlockQuote.into(),
        Role::List { ordered } => {
            Tag::L(if *ordered { ListNumbering::Decimal } else { ListNumbering::Disc })
                .into()
        }
        Role::Item => Tag::LI.into(),
        Role::Label => Tag::Lbl.into(),
        Role::ItemBody => Tag::LBody.into(),
        Role::Table => Tag::Table.into(),
        Role::Row => Tag::TR.into(),
        Role::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
        Role::Cell => Tag::TD.into(),
        Role::Figure { .. } => Tag::Figure(role.alt().map(str::to_string)).into(),
        Role::Caption => Tag::Caption.into(),
        Role::Note(_) => Tag::Note.into(),
        Role::Code => Tag::Code.into(),
        Role::Section => Tag::Section.into(),
        Role::Toc => Tag::TOC.into(),
        Role::TocItem => Tag::TOCI.into(),
    }
}

/// The left and right ends of a segment's runs, from the line's start.
pub(super) fn extent(line: &Line, seg: &Seg) -> (Sp, Sp) {
    let runs = &line.runs[seg.runs.clone()];
    let x0 = runs.iter().map(|r| r.x).min().unwrap_or(0);
    let x1 = runs.iter().map(|r| r.x + r.width()).max().unwrap_or(0);
    (x0, x1)
}
