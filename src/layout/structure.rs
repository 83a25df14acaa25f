//! The print edition's logical structure: what each set line, image and run is in
//! the document — a heading of some level, a paragraph, a list item's label, a table
//! cell, a note — in reading order. The layout decides it once, from the model, as
//! it sets the blocks; the PDF backend only encodes it as the tagged PDF's structure
//! tree (ISO 32000-1, 14.8: the standard structure types, 14.8.4), and what is not
//! content (running heads, folios, rules, ornaments, repeated table headers) as
//! artifacts (14.8.2.2).
//!
//! Every [`Run`](super::lines::Run) and [`PlacedImage`](super::PlacedImage) carries
//! the [`Tag`] of the node it belongs to; runs that are not content carry
//! [`ARTIFACT`]. Anything set without a node of its own belongs to the document
//! itself ([`DOCUMENT`]), so nothing is ever left out of the tree.

use std::collections::BTreeMap;

use crate::diag::Span;

/// A node of the structure, by index.
pub type Tag = u32;

/// The document, the root of the structure.
pub const DOCUMENT: Tag = 0;

/// Not content: a running head, a folio, an ornament, a rule, a marker of a
/// turned-over code line, a table header shown again on a later page.
pub const ARTIFACT: Tag = u32::MAX;

/// What a node is: the standard structure types the print edition uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The document.
    Document,
    /// The document's title (role-mapped to P in PDF 1.7).
    Title,
    /// A heading, level 1–6, with its text (PDF/UA-1 asks for it, 7.4).
    Heading {
        /// The manuscript's level.
        level: u8,
        /// Its text.
        title: String,
    },
    /// A paragraph (also a verse stanza, a line of the cover or the colophon).
    P,
    /// A block quotation or an epigraph.
    BlockQuote,
    /// A list.
    List {
        /// Numbered (decimal) or bulleted.
        ordered: bool,
    },
    /// A list item.
    Item,
    /// A list item's marker.
    Label,
    /// A list item's body.
    ItemBody,
    /// A table.
    Table,
    /// A table row.
    Row,
    /// A header cell (its scope is its column).
    HeaderCell,
    /// A data cell.
    Cell,
    /// An image, with its alternative text (empty when the manuscript gives none).
    Figure {
        /// The alternative text.
        alt: String,
    },
    /// A figure's caption, after the figure.
    Caption,
    /// A note, placed after the paragraph that first refers to it.
    Note(u32),
    /// A code block.
    Code,
    /// A group of blocks: verse, an editor's note, a signature, a dedication, a
    /// passage in another language, the cover, the colophon.
    Div,
    /// The text between two section breaks.
    Section,
    /// A book's printed contents.
    Toc,
    /// An entry of the contents.
    TocItem,
}

impl Role {
    /// A figure's alternative text, when it has one (blank is none).
    pub fn alt(&self) -> Option<&str> {
        match self {
            Role::Figure { alt } if !alt.trim().is_empty() => Some(alt),
            _ => None,
        }
    }
}

/// A node: what it is, its parent, and its language when it differs from its
/// parent's.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it is.
    pub role: Role,
    /// Its parent ([`DOCUMENT`] for the root itself).
    pub parent: Tag,
    /// A BCP 47 tag, when the node is in another language than the document.
    pub lang: Option<String>,
    /// Where it came from.
    pub span: Span,
}

/// The structure of a laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    /// The nodes; [`DOCUMENT`] first. Children come after their parents, siblings
    /// in reading order.
    pub nodes: Vec<Node>,
    /// The languages runs are set in, by the index a fragment carries (0: the
    /// document's own, so that entry is empty).
    pub langs: Vec<String>,
    /// Each note's node, and the node of the paragraph that first refers to it.
    notes: BTreeMap<u32, (Tag, Option<Tag>)>,
    /// The document's children that come before the text (the cover and the
    /// colophon of a pamphlet) and after it (its back cover).
    front: Vec<Tag>,
    back: Vec<Tag>,
}

impl Default for Structure {
    fn default() -> Self {
        Structure {
            nodes: vec![Node {
                role: Role::Document,
                parent: DOCUMENT,
                lang: None,
                span: Span::default(),
            }],
            langs: vec![String::new()],
            notes: BTreeMap::new(),
            front: Vec::new(),
            back: Vec::new(),
        }
    }
}

impl Structure {
    /// Adds a node under `parent`, after its siblings so far.
    pub fn add(&mut self, role: Role, parent: Tag, span: Span) -> Tag {
        let tag = self.nodes.len() as Tag;
        if let Role::Note(n) = role {
            self.notes.entry(n).or_insert((tag, None)).0 = tag;
        }
        self.nodes.push(Node { role, parent, lang: None, span });
        tag
    }

    /// Adds a child of the document read before the text (`front`) or after it.
    pub fn add_outside(&mut self, role: Role, front: bool, span: Span) -> Tag {
        let tag = self.add(role, DOCUMENT, span);
        if front {
            self.front.push(tag)
        } else {
            self.back.push(tag)
        }
        tag
    }

    /// Records that paragraph `from` refers to note `note`; the first reference
    /// decides where the note is read.
    pub fn refer(&mut self, note: u32, from: Tag) {
        let entry = self.notes.entry(note).or_insert((ARTIFACT, None));
        if entry.1.is_none() {
            entry.1 = Some(from);
        }
    }

    /// Each node's children in reading order. Siblings keep the order they were
    /// added in, except that a pamphlet's cover and colophon come first and its back
    /// cover last, and a note follows the paragraph that first refers to it (as the
    /// EPUB's notes follow nothing but are reached from there, a reader of the print
    /// edition meets each note where its mark is): right after it — or, when that
    /// is a table cell, at the cell's end.
    pub fn children(&self) -> Vec<Vec<Tag>> {
        let order = self.note_order();
        let placed: std::collections::BTreeSet<Tag> =
            order.iter().map(|&(n, _)| n).collect();
        let mut kids = Siblings::new(self.nodes.len());
        for &k in &self.front {
            kids.push(DOCUMENT, k);
        }
        for (k, n) in self.nodes.iter().enumerate().skip(1) {
            let k = k as Tag;
            let outside = self.front.contains(&k) || self.back.contains(&k);
            if n.parent == DOCUMENT && (outside || placed.contains(&k)) {
                continue;
            }
            kids.push(self.parent(k), k);
        }
        for &k in &self.back {
            kids.push(DOCUMENT, k);
        }
        // Each note after its paragraph and after the notes placed there before it.
        let mut after: BTreeMap<Tag, usize> = BTreeMap::new();
        for (note, from) in order {
            let in_cell =
                matches!(self.nodes[from as usize].role, Role::Cell | Role::HeaderCell);
            if in_cell {
                kids.push(from, note);
                continue;
            }
            let skip = after.entry(from).or_insert(0);
            kids.insert_after(self.parent(from), from, *skip, note);
            *skip += 1;
        }
        kids.into_lists()
    }

    /// Notes in the order of their numbers, which is that of their first
    /// references, with the paragraph each follows.
    fn note_order(&self) -> Vec<(Tag, Tag)> {
        self.notes
            .values()
            .filter_map(|&(note, from)| Some((note, from?)))
            .filter(|&(note, from)| note != ARTIFACT && self.may_follow(note, from))
            .collect()
    }

    /// The node `k` is read under: its parent, or the document for a node under
    /// no node the structure has (none should be), so that it is never lost.
    fn parent(&self, k: Tag) -> Tag {
        let parent = self.nodes[k as usize].parent;
        if (parent as usize) < self.nodes.len() { parent } else { DOCUMENT }
    }

    /// Whether a note may be read after paragraph `from`: not when `from` is inside
    /// the note itself (a note that refers to itself stays where it was set).
    fn may_follow(&self, note: Tag, from: Tag) -> bool {
        let mut t = from;
        while t != DOCUMENT {
            let Some(node) = self.nodes.get(t as usize) else { return false };
            if t == note {
                return false;
            }
            t = node.parent;
        }
        true
    }
}

/// Each node's children as linked lists, so that a note is put after its
/// paragraph at the cost of the notes already put there, not of every sibling:
/// a book's notes all go into the document's list, and inserting each one into a
/// vector cost the number of notes times the number of paragraphs.
struct Siblings {
    /// Each list's first and last node.
    ends: Vec<Option<(Tag, Tag)>>,
    /// The node after each node in its list.
    next: Vec<Option<Tag>>,
    /// The list each node is in.
    list: Vec<Option<Tag>>,
}

impl Siblings {
    fn new(nodes: usize) -> Self {
        Siblings {
            ends: vec![None; nodes],
            next: vec![None; nodes],
            list: vec![None; nodes],
        }
    }

    /// Appends `k` to `list`.
    fn push(&mut self, list: Tag, k: Tag) {
        match self.ends[list as usize] {
            Some((first, last)) => self.link(list, last, k, first),
            None => self.ends[list as usize] = Some((k, k)),
        }
        self.list[k as usize] = Some(list);
    }

    /// Puts `k` into `list` after the node `skip` places past `from` — at the
    /// end when the list is shorter, or when `from` is not in it.
    fn insert_after(&mut self, list: Tag, from: Tag, skip: usize, k: Tag) {
        let Some((first, _)) = self.ends[list as usize] else {
            return self.push(list, k);
        };
        if self.list[from as usize] != Some(list) {
            return self.push(list, k);
        }
        let mut at = from;
        for _ in 0..skip {
            match self.next[at as usize] {
                Some(n) => at = n,
                None => break,
            }
        }
        self.next[k as usize] = self.next[at as usize];
        self.link(list, at, k, first);
        self.list[k as usize] = Some(list);
    }

    /// Links `k` after `at`, the end of `list` moving to `k` when `at` was it.
    fn link(&mut self, list: Tag, at: Tag, k: Tag, first: Tag) {
        if self.next[at as usize].is_none() {
            self.ends[list as usize] = Some((first, k));
        }
        self.next[at as usize] = Some(k);
    }

    fn into_lists(self) -> Vec<Vec<Tag>> {
        self.ends
            .iter()
            .map(|ends| {
                let mut out = Vec::new();
                let mut k = ends.map(|(first, _)| first);
                while let Some(t) = k {
                    out.push(t);
                    k = self.next[t as usize];
                }
                out
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_follows_the_paragraph_that_first_refers_to_it() {
        let mut s = Structure::default();
        let sp = Span::default();
        let p1 = s.add(Role::P, DOCUMENT, sp);
        let p2 = s.add(Role::P, DOCUMENT, sp);
        let n1 = s.add(Role::Note(1), DOCUMENT, sp);
        let n1p = s.add(Role::P, n1, sp);
        let n2 = s.add(Role::Note(2), DOCUMENT, sp);
        s.refer(1, p1);
        s.refer(2, n1p);
        s.refer(1, p2);
        let kids = s.children();
        assert_eq!(kids[DOCUMENT as usize], vec![p1, n1, p2]);
        // A note referred to from inside a note follows that note's paragraph.
        assert_eq!(kids[n1 as usize], vec![n1p, n2]);
    }

    /// The placing of notes as one insertion into a vector after another: the
    /// plain statement of the order that `children` builds in linear time.
    fn children_by_insertion(s: &Structure) -> Vec<Vec<Tag>> {
        let order = s.note_order();
        let placed: Vec<Tag> = order.iter().map(|&(n, _)| n).collect();
        let mut kids: Vec<Vec<Tag>> = vec![Vec::new(); s.nodes.len()];
        kids[0].extend(&s.front);
        for k in 1..s.nodes.len() as Tag {
            let outside = s.front.contains(&k) || s.back.contains(&k);
            if s.nodes[k as usize].parent == DOCUMENT && (outside || placed.contains(&k))
            {
                continue;
            }
            kids[s.parent(k) as usize].push(k);
        }
        kids[0].extend(&s.back);
        let mut after: BTreeMap<Tag, usize> = BTreeMap::new();
        for (note, from) in order {
            if matches!(s.nodes[from as usize].role, Role::Cell | Role::HeaderCell) {
                kids[from as usize].push(note);
                continue;
            }
            let list = &mut kids[s.parent(from) as usize];
            let pos = list.iter().position(|&t| t == from).map_or(list.len(), |p| p + 1);
            let skip = after.entry(from).or_insert(0);
            list.insert((pos + *skip).min(list.len()), note);
            *skip += 1;
        }
        kids
    }

    proptest::proptest! {
        /// Any structure — notes referred to from paragraphs, cells, other notes'
        /// paragraphs, or from themselves, several from one paragraph, a pamphlet's
        /// front and back — reads in the order the insertions give.
        #[test]
        fn notes_are_placed_as_by_insertion(
            nodes in proptest::collection::vec((0usize..1000, 0u8..6), 1..60),
            refers in proptest::collection::vec((1u32..12, 0usize..1000), 0..40),
        ) {
            let mut s = Structure::default();
            let sp = Span::default();
            let mut next_note = 1;
            for (parent, kind) in nodes {
                let parent = (parent % s.nodes.len()) as Tag;
                match kind {
                    0 => { s.add_outside(Role::P, parent.is_multiple_of(2), sp); }
                    1 => { s.add(Role::Cell, parent, sp); }
                    2 => {
                        s.add(Role::Note(next_note), DOCUMENT, sp);
                        next_note += 1;
                    }
                    _ => { s.add(Role::P, parent, sp); }
                }
            }
            for (note, from) in refers {
                s.refer(note, (from % s.nodes.len()) as Tag);
            }
            proptest::prop_assert_eq!(s.children(), children_by_insertion(&s));
        }
    }
}
