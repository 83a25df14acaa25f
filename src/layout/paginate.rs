//! The vertical list → pages (the page builder; cf. TeX §980–1028, simplified).
//!
//! Each page is planned, then composed. Planning fills the page greedily from the
//! galley; at every place a break is allowed the builder keeps a snapshot, and when
//! the next item does not fit, the page ends at the last snapshot. Widows, orphans
//! and stranded headings are never made; the page they would leave short is filled
//! instead, in this order:
//!
//! 1. one paragraph on the page, or the lines of the one that runs on to it, set a
//!    line longer or shorter (TeX's `\looseness`; of the changes that fill the page,
//!    the one with the fewest demerits, as lua-widow-control chooses);
//! 2. the same on the page before, when that page stays full;
//! 3. the spaces between its blocks (headings, verse, figures) stretch, each to at
//!    most double;
//! 4. the spread runs a line long, both its pages (a compositor's old remedy);
//! 5. the spread before runs a line long instead, which moves two lines on;
//! 6. else both pages of the spread are left as many lines short, so they stay
//!    level.
//!
//! A page counts as filled only when its last line stands on the last line of the
//! grid: a page whose blocks leave less than a line at its foot that their spaces
//! cannot take up is as unlevel as a page a line short, and is filled the same
//! ways.
//!
//! Pages are filled to the grid — the text block's height rounded down to the
//! leading — so that every full page ends on the same baseline, notes or not; the
//! spaces between blocks stretch (at most to double) or shrink (by a quarter) to end
//! a page with a heading or a figure there too (TeX's `\flushbottom`).
//!
//! - Notes go to the foot of the page holding their reference, under a short rule,
//!   each followed at once by the notes it refers to itself; a note too long for the
//!   room left starts there and continues at the foot of the next page, before that
//!   page's own notes. A line whose notes cannot at least begin on its page moves to
//!   the next. A note is printed once, however often it is referred to.
//! - A figure that does not fit in what is left of a page floats to the top of the
//!   next; the text after it fills the page. Figures keep their order, and never
//!   float past a chapter opening.
//! - A table that continues on a new page repeats its header there.
//! - A chapter opens a right-hand page: the left-hand page before it is left blank,
//!   or holds only notes carried over from the page before.
//! - No page is made of nothing: space alone never makes a page.
//!
//! Invariants the planner keeps and `audit` checks: every galley item is placed
//! once or, being space at the top of a page, dropped once; every line of every note
//! is placed once, in order; every page holds something, or is a blank the design
//! asks for.

use std::collections::{BTreeMap, BTreeSet};

use super::galley::{Figure, Galley, NoteLines, Resetter, VItem, VKind};
use super::gap::Gap;
use super::units::Sp;
use super::{Blank, Cell, Finding, Geometry, Mark, Page, Placed, PlacedImage, Rule};
use crate::diag::Span;

/// The most items (lines and their anchors) of a paragraph the page builder sets
/// again: two pages' worth.
const MAX_RESET: usize = 64;

/// A slice of a note placed on a page: note number, first and end line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// The note.
    pub note: u32,
    /// Its first line here.
    pub from: usize,
    /// One past its last line here.
    pub to: usize,
}

/// What goes on one page, before it is composed.
#[derive(Debug, Clone, Default)]
struct Plan {
    /// Figures floated to the top of the page.
    floats: Vec<usize>,
    /// The table whose header is repeated above the body.
    repeat_head: Option<usize>,
    /// Body items placed, in order.
    body: Vec<usize>,
    /// Space dropped at the top of the page.
    dropped: Vec<usize>,
    /// Figures that did not fit and float to a later page.
    deferred: Vec<usize>,
    /// Height of floats, repeated header and body.
    body_h: Sp,
    /// Note chunks at the foot.
    chunks: Vec<Chunk>,
    /// Height of the notes, with the space above their rule.
    notes_h: Sp,
    /// Note lines held over for later pages.
    carry: Vec<Chunk>,
    /// Findings to report against this page.
    findings: Vec<Finding>,
    /// A blank the design asks for.
    blank: Option<Blank>,
    /// Room left at the foot, less than a line, that the spaces between the
    /// page's blocks take up, so that it ends on the last line of the grid; or,
    /// negative, how much they give up for it.
    fill: Sp,
    /// Height of the spaces between its blocks (not the one at the top).
    flex: Sp,
    /// The height it is filled to: the grid's, or a line more in a spread that
    /// runs long.
    avail: Sp,
}

/// A plan as it stood at some point of its filling: the plan only grows while a
/// page is filled, so lengths and heights are enough to go back to it.
#[derive(Debug, Clone, Copy)]
struct Snap {
    floats: usize,
    body: usize,
    dropped: usize,
    deferred: usize,
    chunks: usize,
    carry: usize,
    body_h: Sp,
    notes_h: Sp,
    flex: Sp,
    repeat_head: Option<usize>,
}

impl Snap {
    fn is_empty(&self) -> bool {
        self.floats == 0 && self.body == 0 && self.chunks == 0
    }
}

impl Plan {
    fn snap(&self) -> Snap {
        Snap {
            floats: self.floats.len(),
            body: self.body.len(),
            dropped: self.dropped.len(),
            deferred: self.deferred.len(),
            chunks: self.chunks.len(),
            carry: self.carry.len(),
            body_h: self.body_h,
            notes_h: self.notes_h,
            flex: self.flex,
            repeat_head: self.repeat_head,
        }
    }

    /// Goes back to a snapshot. A note chunk is only ever pushed, never changed, so
    /// truncating undoes what came after.
    fn restore(&mut self, s: Snap) {
        self.floats.truncate(s.floats);
        self.body.truncate(s.body);
        self.dropped.truncate(s.dropped);
        self.deferred.truncate(s.deferred);
        self.chunks.truncate(s.chunks);
        self.carry.truncate(s.carry);
        self.body_h = s.body_h;
        self.notes_h = s.notes_h;
        self.flex = s.flex;
        self.repeat_head = s.repeat_head;
    }

    fn is_empty(&self) -> bool {
        self.floats.is_empty() && self.body.is_empty() && self.chunks.is_empty()
    }

    fn holds_note(&self, n: u32) -> bool {
        self.chunks.iter().chain(&self.carry).any(|c| c.note == n)
    }
}

/// Space between the text and the footnote rule, and the rule's length.
fn note_sep(geo: &Geometry) -> Sp {
    geo.leading
}

/// A paragraph set again, standing in for its lines while a page is tried: items
/// `at..at + old` of the galley read as `new`.
struct Patch {
    at: usize,
    old: usize,
    new: Vec<VItem>,
}

/// The page builder's state between pages.
struct Builder<'g, 'r> {
    /// The galley's items, taken out of it while its pages are planned.
    items: Gap<VItem>,
    /// The rest of the galley.
    g: &'g mut Galley,
    /// Sets the galley's paragraphs again, a line longer or shorter.
    resetter: &'g mut Resetter<'r>,
    /// A paragraph set again, while a page is tried with it.
    patch: Option<Patch>,
    geo: &'g Geometry,
    /// The text block's height.
    avail: Sp,
    /// The next galley item.
    next: usize,
    /// Note lines held over from the last page.
    carry: Vec<Chunk>,
    /// Figures waiting for the top of a page.
    pending: Vec<usize>,
    /// Notes already begun on some page.
    started: Vec<bool>,
    /// The pages planned so far.
    plans: Vec<Plan>,
}

/// Lays the galley out on pages; the lines are moved out of the galley (each is
/// placed once). Returns the pages and the audit of the planner's books (empty when
/// all is well; see `audit`).
pub fn paginate(
    g: &mut Galley,
    resetter: &mut Resetter,
    geo: &Geometry,
) -> (Vec<Page>, Vec<String>) {
    let plans = plan_pages(g, resetter, geo);
    let problems = audit(g, &plans);
    let mut pages: Vec<Page> =
        plans.iter().enumerate().map(|(k, plan)| compose(g, geo, k + 1, plan)).collect();
    number_and_heads(&mut pages, g);
    (pages, problems)
}

/// Plans every page.
fn plan_pages(g: &mut Galley, resetter: &mut Resetter, geo: &Geometry) -> Vec<Plan> {
    let last_note = g.notes.keys().max().map_or(0, |m| *m as usize);
    let items = Gap::new(std::mem::take(&mut g.items));
    let mut b = Builder {
        items,
        g,
        resetter,
        patch: None,
        geo,
        avail: geo.grid_height(),
        next: 0,
        carry: Vec::new(),
        pending: Vec::new(),
        started: vec![false; last_note + 1],
        plans: Vec::new(),
    };
    // The builder as it stood before the last page, when that page is text the
    // next one goes on from.
    let mut before_last: Option<Saved> = None;
    let mut spreads = Spreads::default();
    while b.next < b.len() || !b.carry.is_empty() || !b.pending.is_empty() {
        let n = b.number();
        let left = n - n % 2;
        let odd = spreads.height(left);
        b.avail = geo.grid_height() + odd.unwrap_or(0) * geo.leading;
        if b.chapter_waits() {
            before_last = None;
            spreads.starts.clear();
            continue;
        }
        let saved = b.save();
        spreads.begin(&b, n, &saved);
        let (end, plan) = b.fill();
        let (end, plan) = b.loosen(end, plan);
        if !b.ends_level(end, &plan) {
            if let Some(prev) = before_last.clone()
                && b.loosen_before(prev)
            {
                // The page before changed, so this one is planned again.
                continue;
            }
            // Else the spread is filled to another height, planned again from its
            // left-hand page each time.
            let short = (b.room(end, &plan) / geo.leading).max(1);
            if let Some(start) = spreads.next_try(left, odd, short) {
                if start.plans != saved.plans {
                    // Planned again from an earlier page: the page before that one
                    // is not known.
                    before_last = None;
                }
                b.restore(start);
                continue;
            }
        }
        b.commit(end, plan);
        if n == left + 1 {
            spreads.done(left);
        }
        before_last = Some(saved);
    }
    b.g.items = b.items.into_vec();
    b.plans
}

/// The heights of the spreads that could not be filled to the grid, and what the
/// builder needs to try others.
///
/// A spread that cannot be filled is tried a line long (both pages, so that they
/// stand level: a compositor's old remedy); then the spread before it is run a
/// line long instead, which moves two lines on to it; then it is left as many
/// lines short as its page was, or one or two more, both pages alike; when all
/// fail, it is filled to the grid again, the page short and the spread unlevel.
#[derive(Default)]
struct Spreads {
    /// Left-hand page number → lines more than the grid's (negative: short).
    heights: BTreeMap<usize, Sp>,
    /// The builder before each of the last left-hand pages, while the text runs on
    /// from one to the next.
    starts: BTreeMap<usize, Saved>,
    /// How many lines short the page was that first asked for its spread's height.
    short: Sp,
    /// A spread run long for the next one's sake: its left-hand page.
    lent: Option<usize>,
    /// The spreads (left-hand pages) for which the spread before was run long.
    borrowed: BTreeSet<usize>,
}

impl Spreads {
    /// The lines spread `left` is filled to beyond the grid, if not the grid's.
    fn height(&self, left: usize) -> Option<Sp> {
        self.heights.get(&left).copied()
    }

    /// Page `n` is about to be planned from `saved`.
    fn begin(&mut self, b: &Builder, n: usize, saved: &Saved) {
        let opens = b.get(b.next).is_some_and(|it| it.new_page.is_some());
        if opens {
            // Lines cannot move across a chapter opening.
            self.starts.clear();
        }
        if n.is_multiple_of(2) {
            self.starts.retain(|&l, _| l + 2 >= n);
            self.starts.insert(n, saved.clone());
        }
    }

    /// Spread `left`, tried at `odd` lines, leaves a page `short` lines short:
    /// chooses what to try next and returns the builder to start from (before
    /// the spread's left-hand page, or an earlier one) — or nothing, when the page
    /// is to stay as it is.
    fn next_try(&mut self, left: usize, odd: Option<Sp>, short: Sp) -> Option<Saved> {
        if self.lent == Some(left) {
            // The spread run long for the next one's sake is short itself.
            return self.repay();
        }
        if odd.is_none() {
            self.short = short;
        }
        if odd == Some(1) {
            if self.lent == Some(left.wrapping_sub(2)) {
                return self.repay();
            }
            if let Some(start) = self.borrow(left) {
                return Some(start);
            }
        }
        let lines = next_spread(odd, self.short)?;
        self.heights.insert(left, lines);
        self.starts.get(&left).cloned()
    }

    /// Runs the spread before `left` a line long, when it was filled to the grid
    /// and the text runs on from it, and it was not tried before.
    fn borrow(&mut self, left: usize) -> Option<Saved> {
        let before = left.checked_sub(2)?;
        if self.borrowed.contains(&left) || self.heights.contains_key(&before) {
            return None;
        }
        let start = self.starts.get(&before)?.clone();
        self.borrowed.insert(left);
        self.heights.insert(before, 1);
        self.heights.remove(&left);
        self.lent = Some(before);
        Some(start)
    }

    /// Running the spread before long did not help: both go back to the grid, and
    /// the later spread tries its other heights.
    fn repay(&mut self) -> Option<Saved> {
        let before = self.lent.take()?;
        self.heights.remove(&before);
        self.heights.remove(&(before + 2));
        self.starts.get(&before).cloned()
    }

    /// Spread `left` is planned: a spread run long for its sake stays so.
    fn done(&mut self, left: usize) {
        if self.lent.is_some_and(|l| l + 2 == left) {
            self.lent = None;
        }
    }
}

/// The height to try next for a spread whose pages cannot both be filled, in lines
/// more than the grid's, after `tried` (`None`: the grid's, first): a line long —
/// both pages, so that they stand level — then as many lines short as the page
/// was (`short`), or one or two more; when all fail, the grid's again, the page
/// short and its spread unlevel (`None`: nothing more to try).
fn next_spread(tried: Option<Sp>, short: Sp) -> Option<Sp> {
    match tried {
        None => Some(1),
        Some(1) => Some(-short),
        Some(0) => None,
        Some(d) if d > -short - 2 => Some(d - 1),
        Some(_) => Some(0),
    }
}

/// The builder's state between pages, to go back to.
#[derive(Debug, Clone)]
struct Saved {
    /// The height the next page is filled to.
    avail: Sp,
    next: usize,
    carry: Vec<Chunk>,
    pending: Vec<usize>,
    started: Vec<bool>,
    plans: usize,
}

impl Builder<'_, '_> {
    /// How many items the galley has, with the patch tried.
    fn len(&self) -> usize {
        match &self.patch {
            Some(p) => self.items.len() + p.new.len() - p.old,
            None => self.items.len(),
        }
    }

    /// Item `j` of the galley, with the patch tried.
    fn get(&self, j: usize) -> Option<&VItem> {
        match &self.patch {
            Some(p) if j >= p.at + p.new.len() => self.items.get(j + p.old - p.new.len()),
            Some(p) if j >= p.at => p.new.get(j - p.at),
            _ => self.items.get(j),
        }
    }

    /// Item `j`, which exists.
    fn at(&self, j: usize) -> &VItem {
        self.get(j).expect("the planner only asks for items it has counted")
    }

    fn save(&self) -> Saved {
        Saved {
            avail: self.avail,
            next: self.next,
            carry: self.carry.clone(),
            pending: self.pending.clone(),
            started: self.started.clone(),
            plans: self.plans.len(),
        }
    }

    /// Goes back to a saved state, forgetting the pages planned since.
    fn restore(&mut self, s: Saved) {
        self.avail = s.avail;
        self.next = s.next;
        self.carry = s.carry;
        self.pending = s.pending;
        self.started = s.started;
        self.plans.truncate(s.plans);
    }

    /// A page left short to keep lines together — a widow, an orphan, a heading
    /// with its first lines — is filled by setting one of its paragraphs a line
    /// longer or shorter, TeX's `\looseness` chosen as lua-widow-control chooses
    /// it: of the changes that fill the page, the one that costs the fewest
    /// demerits. Returns the page as it is then, or as it was when nothing fills it.
    fn loosen(&mut self, end: usize, plan: Plan) -> (usize, Plan) {
        if self.full(end, &plan) {
            return (end, plan);
        }
        let full = |b: &mut Self| {
            let (e, p) = b.fill();
            b.full(e, &p)
        };
        let Some(reset) = self.change_best(end, full) else { return (end, plan) };
        let (end, mut plan) = self.fill();
        plan.findings.push(reset);
        (end, plan)
    }

    /// The page about to be planned is short and none of its paragraphs can fill
    /// it: a paragraph of the page before, set a line longer or shorter, may — by
    /// sending a line over, or taking one back — so long as that page stays full.
    /// `before` is the state before the page before. Returns whether it changed a
    /// paragraph; the builder then stands after the page before, planned again.
    fn loosen_before(&mut self, before: Saved) -> bool {
        let now = self.save();
        let last = self.plans.pop();
        self.restore(before);
        let end = now.next;
        let both_full = |b: &mut Self| {
            let (e, p) = b.fill();
            if !b.full(e, &p) {
                return false;
            }
            let s = b.save();
            b.commit(e, p);
            b.avail = now.avail;
            let (e, p) = b.fill();
            let full = b.full(e, &p);
            b.restore(s);
            full
        };
        if let Some(reset) = self.change_best(end, both_full) {
            let (e, mut p) = self.fill();
            p.findings.push(reset);
            self.commit(e, p);
            return true;
        }
        self.plans.extend(last);
        self.restore(now);
        false
    }

    /// Of the paragraphs that may change on the page being planned (which ends at
    /// `end` as it stands), sets again the one whose line more or fewer makes
    /// `good` hold at the least cost in demerits; returns what it did, if it found
    /// one.
    fn change_best(
        &mut self,
        end: usize,
        good: impl Fn(&mut Self) -> bool,
    ) -> Option<Finding> {
        let mut best: Option<(i64, u32, Patch)> = None;
        for id in self.candidates(end) {
            let Some((at, old, from)) = self.range(id) else { continue };
            let tail: Vec<&super::lines::Line> = (at..at + old)
                .filter_map(|j| match &self.items[j].kind {
                    VKind::Line { line, .. } => Some(line),
                    _ => None,
                })
                .collect();
            let want = super::galley::could_change(&tail, self.geo.size);
            for (new, cost) in
                self.resetter.variants(id, from, want).into_iter().flatten()
            {
                if best.as_ref().is_some_and(|b| b.0 <= cost) {
                    continue;
                }
                self.patch = Some(Patch { at, old, new });
                let ok = good(self);
                let tried = self.patch.take().expect("set above");
                if ok {
                    best = Some((cost, id, tried));
                }
            }
        }
        let (_, id, p) = best?;
        let is_line = |it: &VItem| matches!(it.kind, VKind::Line { .. });
        let old = (p.at..p.at + p.old).filter(|&j| is_line(&self.items[j])).count();
        let by = p.new.iter().filter(|it| is_line(it)).count() as i32 - old as i32;
        let span = p.new.first().map_or(Span::default(), |it| it.span);
        self.items.splice(p.at, p.old, p.new);
        self.resetter.changed(id);
        Some(Finding::Reset { by, span })
    }

    /// The paragraphs whose change may fill this page: those on it — the one
    /// that goes on from the page before by its lines here — and the one that
    /// begins where it ends.
    fn candidates(&self, end: usize) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::new();
        for j in self.next..(end + 3).min(self.len()) {
            if let Some(id) = self.at(j).para
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        ids
    }

    /// Where paragraph `id`'s items on this page and after are: the first, how
    /// many, and how many of its lines went on earlier pages — or nothing, when
    /// more than [`MAX_RESET`] items are left of it: setting a page's worth of a
    /// long paragraph again many times over would cost more than the page gains.
    fn range(&self, id: u32) -> Option<(usize, usize, usize)> {
        let at = (self.next..self.len()).find(|&j| self.at(j).para == Some(id))?;
        let n = (at..self.len())
            .take(MAX_RESET + 1)
            .take_while(|&j| self.at(j).para == Some(id))
            .count();
        if n > MAX_RESET {
            return None;
        }
        let before = (0..at).rev().take_while(|&j| self.items[j].para == Some(id));
        let from = before.filter(|&j| matches!(self.items[j].kind, VKind::Line { .. }));
        Some((at, n, from.count()))
    }

    /// The room a page leaves at its foot, below its last line shown, when the
    /// text goes on after it (not before a chapter opening, a figure waiting, or
    /// at the end); else none.
    fn room(&self, end: usize, plan: &Plan) -> Sp {
        if plan.body.is_empty() || !plan.deferred.is_empty() {
            return 0;
        }
        let Some(next) = (end..self.len()).map(|j| self.at(j)).find(|it| !it.discard)
        else {
            return 0;
        };
        if next.new_page.is_some() {
            return 0;
        }
        self.avail - (plan.body_h - self.trailing(plan)) - plan.notes_h
    }

    /// The height of the space at the foot of a page's body, below its last line
    /// shown: it moves nothing.
    fn trailing(&self, plan: &Plan) -> Sp {
        let shown =
            plan.body.iter().rposition(|&i| !matches!(self.at(i).kind, VKind::Space));
        plan.body[shown.map_or(0, |k| k + 1)..].iter().map(|&i| self.at(i).h).sum()
    }
    /// Whether the page ends on the last line of its grid, as every full page
    /// does: the room at its foot is none, or no more than the spaces between its
    /// blocks can stretch to take up — or less than a line above notes, which
    /// stand at the foot whatever the text above them.
    fn ends_level(&self, end: usize, plan: &Plan) -> bool {
        let room = self.room(end, plan);
        room <= self.stretchable(plan)
            || (room < self.geo.leading && !plan.chunks.is_empty())
    }

    /// Whether the page is full: less than a line is left at its foot, and it
    /// ends level (see [`Builder::ends_level`]).
    fn full(&self, end: usize, plan: &Plan) -> bool {
        self.room(end, plan) < self.geo.leading && self.ends_level(end, plan)
    }

    /// The number the next page will have.
    fn number(&self) -> usize {
        self.plans.len() + 1
    }

    /// Before a chapter, which opens a right-hand page: figures still waiting get a
    /// page of their own, and a left-hand page is left blank — or holds only the
    /// notes carried over. Returns whether it made such a page.
    fn chapter_waits(&mut self) -> bool {
        let Some(it) = self.get(self.next) else { return false };
        if it.new_page != Some(true) {
            return false;
        }
        if !self.pending.is_empty()
            || (self.number().is_multiple_of(2) && !self.carry.is_empty())
        {
            let mut plan = Plan::default();
            self.place_carry(&mut plan);
            self.place_floats(&mut plan);
            self.commit(self.next, plan);
            return true;
        }
        if self.number().is_multiple_of(2) {
            self.plans.push(Plan { blank: Some(Blank::Verso), ..Default::default() });
            return true;
        }
        false
    }

    /// Plans the next page; returns where the following page starts, and the plan.
    fn fill(&self) -> (usize, Plan) {
        let mut st = Plan::default();
        self.place_carry(&mut st);
        self.place_floats(&mut st);
        let mut j = self.next;
        while self.get(j).is_some_and(|it| it.discard) {
            // Space is dropped at the top of a page.
            st.dropped.push(j);
            j += 1;
        }
        let start = (j, st.snap());
        let (mut best, mut fitted) = (None, None);
        loop {
            let Some(it) = self.get(j) else {
                best = Some((j, st.snap()));
                break;
            };
            if j > self.next && it.new_page.is_some() {
                best = Some((j, st.snap()));
                break;
            }
            if st.body.is_empty() && it.discard {
                // Space is dropped at the top of a page.
                st.dropped.push(j);
                j += 1;
                continue;
            }
            if self.defers(&st, j) {
                st.deferred.push(j);
                j += 1;
                continue;
            }
            let verso = self.number().is_multiple_of(2);
            if (it.break_before || (verso && it.break_verso)) && !st.body.is_empty() {
                best = Some((j, st.snap()));
            }
            if !self.try_place(&mut st, j) {
                break;
            }
            j += 1;
            fitted = Some((j, st.snap()));
        }
        let progress = |(end, s): &(usize, Snap)| *end > self.next || !s.is_empty();
        // The last allowed break; else, with no allowed break, as much as fits,
        // keeping rules or not (a chain of lines that may not part is taller than
        // the page); else the notes held over (or figures) alone, when the next item
        // cannot start its own.
        if let Some((end, s)) =
            best.filter(progress).or(fitted).or(Some(start).filter(|s| !s.1.is_empty()))
        {
            st.restore(s);
            return (end, st);
        }
        st.restore(start.1);
        self.force((start.0, st))
    }

    /// Whether figure `j` floats past this page: it does not fit in what is left, or
    /// an earlier figure already waits.
    fn defers(&self, st: &Plan, j: usize) -> bool {
        let it = self.at(j);
        if !matches!(it.kind, VKind::Figure(_)) {
            return false;
        }
        let waiting = !self.pending.is_empty() || !st.deferred.is_empty();
        let h = if st.body.is_empty() { it.height_at_top() } else { it.h };
        let fits = st.body_h + st.notes_h + h <= self.avail;
        let alone = st.body.is_empty() && st.floats.is_empty() && st.chunks.is_empty();
        (waiting || !fits) && !alone
    }

    /// Carried note lines come first at the foot, as many as fit.
    fn place_carry(&self, st: &mut Plan) {
        for c in &self.carry {
            let lead = self.note(c.note).leading;
            let sep = if st.chunks.is_empty() { note_sep(self.geo) } else { 0 };
            let room = (self.avail - st.notes_h - sep) / lead.max(1);
            let fit = (room.max(0) as usize).min(c.to - c.from);
            // An empty foot always takes at least a line, so a page always progresses.
            let fit = if st.chunks.is_empty() { fit.max(1) } else { fit };
            let fit = self.turn_safe(c.note, c.from, fit);
            if fit > 0 && st.carry.is_empty() {
                st.notes_h += sep + lead * fit as Sp;
                st.chunks.push(Chunk { note: c.note, from: c.from, to: c.from + fit });
                if c.from + fit < c.to {
                    st.carry.push(Chunk { note: c.note, from: c.from + fit, to: c.to });
                }
            } else {
                st.carry.push(*c);
            }
        }
    }

    /// Figures waiting from earlier pages head this one, as many as fit.
    fn place_floats(&self, st: &mut Plan) {
        for &f in &self.pending {
            let h = self.at(f).height_at_top();
            let first = st.floats.is_empty() && st.chunks.is_empty();
            if st.deferred.is_empty()
                && (first || st.body_h + st.notes_h + h <= self.avail)
            {
                st.floats.push(f);
                st.body_h += h;
            } else {
                st.deferred.push(f);
            }
        }
    }

    fn note(&self, n: u32) -> &NoteLines {
        &self.g.notes[&n]
    }

    /// How many of note `n`'s lines from `from` to set at this page's foot, of the
    /// `fit` that fit: one fewer when the part would end a right-hand page in a
    /// hyphen, which the reader would carry over the turn of the leaf — as the
    /// text's lines never end such a page (see `VItem::break_verso`) — so long as a
    /// line is left.
    fn turn_safe(&self, n: u32, from: usize, fit: usize) -> usize {
        if fit < 2 || self.number().is_multiple_of(2) {
            return fit;
        }
        let lines = &self.note(n).lines;
        let end = from + fit;
        let split_in_hyphen = end < lines.len() && lines[end - 1].hyphenated;
        if split_in_hyphen { fit - 1 } else { fit }
    }

    /// The notes an item brings to this page: those it refers to that have not begun
    /// yet, each followed by the notes it refers to itself, each once.
    fn new_notes(&self, st: &Plan, it: &VItem) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let mut stack: Vec<u32> = it.notes.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            let begun = self.started.get(n as usize).copied().unwrap_or(true);
            if begun
                || !self.g.notes.contains_key(&n)
                || st.holds_note(n)
                || out.contains(&n)
            {
                continue;
            }
            out.push(n);
            stack.extend(self.note(n).refs.iter().rev());
        }
        out
    }

    /// The height item `j` adds to the page: a figure drops its space above at the
    /// top, and the first row of a table continued from the last page brings the
    /// table's header with it.
    fn height(&self, st: &Plan, j: usize) -> (Sp, Option<usize>) {
        let it = self.at(j);
        if !st.body.is_empty() {
            return (it.h, None);
        }
        let head = it.repeat_head.filter(|t| !self.g.tables[*t].is_empty());
        let head_h: Sp = head.map_or(0, |t| self.g.tables[t].iter().map(|h| h.h).sum());
        (it.height_at_top() + head_h, head)
    }

    /// Places item `j` with its notes if they fit — whole, or at least each note's
    /// first line with the rest continued overleaf; returns whether it did.
    fn try_place(&self, st: &mut Plan, j: usize) -> bool {
        let it = self.at(j);
        let new = self.new_notes(st, it);
        let (h, head) = self.height(st, j);
        let used = st.body_h + st.notes_h;
        let sep =
            if st.chunks.is_empty() && !new.is_empty() { note_sep(self.geo) } else { 0 };
        let whole: Sp = new.iter().map(|&n| self.note_h(n)).sum();
        let firsts: Sp = new.iter().map(|&n| self.note(n).leading).sum();
        let limit = self.limit(st);
        let ok = if new.is_empty() {
            used + h <= limit
        } else {
            st.carry.is_empty() && used + h + sep + firsts <= limit
        };
        if !ok {
            return false;
        }
        if !st.body.is_empty() && matches!(it.kind, VKind::Space) {
            st.flex += h;
        }
        st.body.push(j);
        st.body_h += h;
        st.repeat_head = st.repeat_head.or(head);
        if new.is_empty() {
            return true;
        }
        st.notes_h += sep;
        if used + h + sep + whole <= limit {
            for n in new {
                st.notes_h += self.note_h(n);
                st.chunks.push(Chunk { note: n, from: 0, to: self.note(n).lines.len() });
            }
        } else {
            self.split_notes(st, &new, firsts);
        }
        true
    }

    /// How much the spaces between a page's blocks may grow: to double (see
    /// [`fill_shares`]). A page they fill is full.
    fn stretchable(&self, plan: &Plan) -> Sp {
        let space = |i: usize| matches!(self.at(i).kind, VKind::Space);
        flexible(&plan.body, space).iter().map(|&k| self.at(plan.body[k]).h).sum()
    }

    /// How tall a page's content may be: the height it is filled to, and a
    /// quarter of the spaces between its blocks, which give that up if need be
    /// (TeX's shrinkable glue), so that a page with a heading is not a line short
    /// for want of a point.
    fn limit(&self, st: &Plan) -> Sp {
        self.avail + st.flex / 4
    }

    fn note_h(&self, n: u32) -> Sp {
        let nl = self.note(n);
        nl.leading * nl.lines.len() as Sp
    }

    /// The notes begin here and continue overleaf; each later note keeps room for its
    /// first line.
    fn split_notes(&self, st: &mut Plan, new: &[u32], firsts: Sp) {
        let mut reserve = firsts;
        for &n in new {
            let nl = self.note(n);
            reserve -= nl.leading;
            let room =
                (self.avail - st.body_h - st.notes_h - reserve) / nl.leading.max(1);
            let fit = (room.max(1) as usize).min(nl.lines.len());
            let fit = self.turn_safe(n, 0, fit);
            st.notes_h += nl.leading * fit as Sp;
            st.chunks.push(Chunk { note: n, from: 0, to: fit });
            if fit < nl.lines.len() {
                st.carry.push(Chunk { note: n, from: fit, to: nl.lines.len() });
            }
        }
    }

    /// Nothing fits under the rules: the next item goes on the page anyway (taller
    /// than the page, or its notes cannot all begin here). Its notes begin here while
    /// their first lines fit; the others wait for a later page.
    fn force(&self, (j, mut st): (usize, Plan)) -> (usize, Plan) {
        let Some(it) = self.get(j) else { return (j, st) };
        let new = self.new_notes(&st, it);
        let (h, head) = self.height(&st, j);
        st.body.push(j);
        st.body_h += h;
        st.repeat_head = head;
        if h > self.avail {
            st.findings.push(Finding::Overfull { span: it.span });
        }
        for n in new {
            let nl = self.note(n);
            let sep = if st.chunks.is_empty() { note_sep(self.geo) } else { 0 };
            let room = (self.avail - st.body_h - st.notes_h - sep) / nl.leading.max(1);
            let len = nl.lines.len();
            if st.carry.is_empty() && room >= 1 {
                let fit = self.turn_safe(n, 0, (room as usize).min(len));
                st.notes_h += sep + nl.leading * fit as Sp;
                st.chunks.push(Chunk { note: n, from: 0, to: fit });
                if fit < len {
                    st.carry.push(Chunk { note: n, from: fit, to: len });
                }
            } else {
                st.carry.push(Chunk { note: n, from: 0, to: len });
                st.findings.push(Finding::NoteMoved { note: n, span: mark_span(it, n) });
            }
        }
        (j + 1, st)
    }

    /// Records a planned page and moves on to `end`.
    fn commit(&mut self, end: usize, mut plan: Plan) {
        for c in plan.chunks.iter().filter(|c| c.from == 0) {
            if let Some(s) = self.started.get_mut(c.note as usize) {
                *s = true;
            }
        }
        self.carry = std::mem::take(&mut plan.carry);
        self.pending = plan.deferred.clone();
        if let Some(short) = self.short_by(end, &plan) {
            plan.findings.push(short);
        }
        let room = self.room(end, &plan);
        let stretchable = self.stretchable(&plan);
        let over = plan.body_h - self.trailing(&plan) + plan.notes_h - self.avail;
        if over > 0 {
            plan.fill = -over;
        } else if (room < self.geo.leading || room <= stretchable)
            && plan.chunks.is_empty()
        {
            plan.fill = room;
        }
        plan.avail = self.avail;
        self.next = end.max(self.next);
        if plan.is_empty() {
            // Space alone makes no page.
            return;
        }
        self.plans.push(plan);
    }

    /// A page left short by three lines or more to keep lines together, when the
    /// text goes on after it (not before a chapter opening or at the end).
    fn short_by(&self, end: usize, plan: &Plan) -> Option<Finding> {
        // Counted from the grid, whatever the page's spread was filled to.
        let room = self.room(end, plan) + self.geo.grid_height() - self.avail;
        let lines = room / self.geo.leading.max(1);
        let next = (end..self.len()).map(|j| self.at(j)).find(|it| !it.discard)?;
        (lines >= 3).then_some(Finding::Short { lines: lines as u32, span: next.span })
    }
}

/// Where note `n` is referred to in an item: its mark, if the item is a line.
fn mark_span(it: &VItem, n: u32) -> Span {
    let runs = match &it.kind {
        VKind::Line { line, .. } => line.runs.iter().collect::<Vec<_>>(),
        VKind::Row { cells, .. } => cells.iter().flat_map(|c| &c.line.runs).collect(),
        _ => Vec::new(),
    };
    runs.into_iter()
        .find(|r| r.frag.link == Some(super::items::Link::Note(n)))
        .map_or(it.span, |r| r.frag.span)
}

/// Checks the planner's books: every galley item placed once or dropped once, every
/// note line placed once and in order, and no page that holds nothing unless it is a
/// blank the design asks for. Returns what is wrong (nothing, if all is well).
fn audit(g: &Galley, plans: &[Plan]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = vec![0u32; g.items.len()];
    let mut next_line: BTreeMap<u32, usize> = BTreeMap::new();
    for (k, p) in plans.iter().enumerate() {
        for &i in p.floats.iter().chain(&p.body).chain(&p.dropped) {
            seen[i] += 1;
        }
        let visible =
            |i: &usize| !matches!(g.items[*i].kind, VKind::Space | VKind::Mark { .. });
        let shows =
            !p.floats.is_empty() || !p.chunks.is_empty() || p.body.iter().any(visible);
        if !shows && p.blank.is_none() {
            problems.push(format!("page {} shows nothing", k + 1));
        }
        for c in &p.chunks {
            let at = next_line.entry(c.note).or_insert(0);
            if c.from != *at {
                problems.push(format!(
                    "note {} resumes at line {} on page {}, not {}",
                    c.note,
                    c.from,
                    k + 1,
                    at
                ));
            }
            *at = c.to;
        }
    }
    for (i, n) in seen.iter().enumerate() {
        if *n != 1 && !(*n == 0 && g.items[i].discard) {
            problems.push(format!("galley item {i} placed {n} times"));
        }
    }
    for (n, nl) in &g.notes {
        let placed = next_line.get(n).copied().unwrap_or(0);
        if placed != nl.lines.len() {
            problems
                .push(format!("note {n}: {placed} of {} lines placed", nl.lines.len()));
        }
    }
    problems
}

/// Composes a planned page: floats, a repeated table header and the body from the
/// top; notes at the foot.
fn compose(g: &mut Galley, geo: &Geometry, number: usize, plan: &Plan) -> Page {
    let left = geo.left(number);
    let mut page = Page { number, folio: true, blank: plan.blank, ..Default::default() };
    page.findings = plan.findings.clone();
    let mut y = geo.top;
    for &f in &plan.floats {
        let it = &mut g.items[f];
        let h = it.height_at_top();
        place(&mut page, it, left, y, true, false);
        y += h;
    }
    if let Some(t) = plan.repeat_head {
        for h in &mut g.tables[t].clone() {
            place(&mut page, h, left, y, false, true);
            y += h.h;
        }
    }
    let mut shares = fill_shares(g, plan).into_iter();
    for (k, &i) in plan.body.iter().enumerate() {
        let it = &mut g.items[i];
        let at_top = k == 0 && plan.floats.is_empty() && plan.repeat_head.is_none();
        let h = if at_top { it.height_at_top() } else { it.h };
        place(&mut page, it, left, y, at_top, false);
        y += h + shares.next().unwrap_or(0);
    }
    page.body_lines = page.lines.len();
    place_notes(&mut page, &g.notes, geo, left, plan);
    page.folio = !plan.body.first().is_some_and(|&i| g.items[i].opening);
    page
}

/// How much each body item of a page grows so that the page ends on the grid's
/// last line (TeX's `\flushbottom`): the room left at the foot shared among the
/// spaces between its blocks, in proportion to their heights — each at most
/// doubled; when that is not enough, nothing grows. A negative fill shrinks them
/// the same way.
fn fill_shares(g: &Galley, plan: &Plan) -> Vec<Sp> {
    let body = &plan.body;
    let flexible = flexible(body, |i| matches!(g.items[i].kind, VKind::Space));
    let total: Sp = flexible.iter().map(|&k| g.items[body[k]].h).sum();
    if plan.fill == 0 || total <= 0 || plan.fill > total {
        return Vec::new();
    }
    let mut given = 0;
    let mut seen = 0;
    (0..body.len())
        .map(|k| {
            if !flexible.contains(&k) {
                return 0;
            }
            seen += g.items[body[k]].h;
            // Shares rounded so that they add up to the room exactly.
            let upto = plan.fill * seen / total;
            let share = upto - given;
            given = upto;
            share
        })
        .collect()
}

/// The places in a page's body of the spaces between its blocks: not one at the top
/// (dropped there) nor at the end (it moves nothing).
fn flexible(body: &[usize], space: impl Fn(usize) -> bool) -> Vec<usize> {
    let last_shown = body.iter().rposition(|&i| !space(i));
    (1..last_shown.unwrap_or(0)).filter(|&k| space(body[k])).collect()
}

/// Places one galley item with its top at `y`: its lines are moved out of the galley
/// (`repeated` ones, a table header shown again, are copied and flagged).
fn place(page: &mut Page, it: &mut VItem, left: Sp, y: Sp, at_top: bool, repeated: bool) {
    match &mut it.kind {
        VKind::Line { line, x, ascent } => {
            let line = std::mem::take(line);
            page.lines.push(Placed::new(left + *x + line.indent, y + *ascent, line));
        }
        VKind::Row { cells, ascent, table, row, header } => {
            for c in std::mem::take(cells) {
                let cell = Cell {
                    table: *table as u32,
                    row: *row as u32,
                    col: c.col as u16,
                    header: *header,
                    repeated,
                };
                let x = left + c.x + c.line.indent;
                page.lines.push(Placed {
                    cell: Some(cell),
                    ..Placed::new(x, y + *ascent, c.line)
                });
            }
        }
        VKind::Mark { level, text, id } => {
            page.marks.push(Mark { level: *level, text: text.clone(), id: id.clone(), y })
        }
        VKind::Rule { x, w, t } => {
            page.rules.push(Rule { x: left + *x, y: y + it.h / 2, w: *w, t: *t })
        }
        VKind::Figure(f) => {
            place_figure(page, f, left, if at_top { y } else { y + f.above })
        }
        VKind::Space => {}
    }
}

/// Places a figure's image with its top at `y`, and its caption under it.
fn place_figure(page: &mut Page, f: &mut Figure, left: Sp, y: Sp) {
    page.images.push(PlacedImage {
        src: f.src.clone(),
        alt: f.alt.clone(),
        x: left + f.x,
        y,
        w: f.w,
        h: f.h,
        tag: f.tag,
    });
    for (x, base, line) in std::mem::take(&mut f.caption) {
        page.lines.push(Placed::new(left + x + line.indent, y + f.h + base, line));
    }
}

/// Notes sit at the foot of the text block, under a short rule.
fn place_notes(
    page: &mut Page,
    notes: &BTreeMap<u32, NoteLines>,
    geo: &Geometry,
    left: Sp,
    plan: &Plan,
) {
    if plan.chunks.is_empty() {
        return;
    }
    let sep = note_sep(geo);
    // The notes' last baseline stands on the text's last: the grid's foot.
    let last = &notes[&plan.chunks[plan.chunks.len() - 1].note];
    let lift = (geo.leading - geo.size) - (last.leading - last.size);
    let mut y = geo.top + plan.avail - plan.notes_h - lift;
    // The rule stands at the start of the lines: on the right in a right-to-left
    // book.
    let rule_x = if geo.rtl { left + geo.measure() * 3 / 4 } else { left };
    page.rules.push(Rule {
        x: rule_x,
        y: y + sep / 2,
        w: geo.measure() / 4,
        t: super::units::PT * 2 / 5,
    });
    y += sep;
    for c in &plan.chunks {
        let nl = &notes[&c.note];
        if c.from == 0 {
            page.note_starts.push((c.note, y + nl.size));
        }
        for (k, line) in nl.lines.iter().enumerate().take(c.to).skip(c.from) {
            for (_, id) in nl.anchors.iter().filter(|(at, _)| *at == k) {
                let (level, text, id) =
                    (super::ANCHOR_LEVEL, String::new(), Some(id.clone()));
                page.marks.push(Mark { level, text, id, y });
            }
            page.lines.push(Placed::new(left + line.indent, y + nl.size, line.clone()));
            y += nl.leading;
        }
    }
}

/// Running heads: the author on left-hand pages, the title on right-hand ones; none
/// on openings (the first page, chapter openings) or blank pages.
fn number_and_heads(pages: &mut [Page], g: &Galley) {
    for p in pages.iter_mut() {
        let blank = p.lines.is_empty() && p.images.is_empty();
        let opening = p.marks.iter().any(|m| m.level <= 1) || !p.folio;
        if blank {
            p.folio = false;
        }
        if !blank && !opening {
            p.head = Some(if p.number % 2 == 0 {
                g.heads.0.clone()
            } else {
                g.heads.1.clone()
            });
        }
        if opening {
            p.folio = p.number > 1 && !blank;
        }
    }
}
