//! Breaks → positioned lines: each line's slack spread over its glue and its
//! letter-spacing in proportion to their stretch (or shrink), as TeX sets a box to a
//! width (§649–§668), with letter-spacing capped at its stated range; then, in a
//! paragraph with right-to-left text, each line's runs are put in visual order
//! (UAX #9 rule L2) and a right-to-left line is aligned from the right.

use std::sync::Arc;

use super::items::{Align, Brk, Frag, Item, Link, Para};
use super::structure::{DOCUMENT, Tag};
use super::units::{Sp, mul_div};

/// The glue ratio past which a line is loose: its spaces wider than 1.6 times
/// their natural width (the interword stretch is half the space, so the ratio
/// 1.2), the measure of a loose line `tools/wordspacing.py` takes against the
/// median gap. Such a line is reported (`loose-line`), and the page builder sets no
/// paragraph again into one.
pub const LOOSE_RATIO: f64 = 1.2;

/// A run of glyphs placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Offset from the line's start.
    pub x: Sp,
    /// What it draws (shared with the paragraph's items).
    pub frag: Arc<Frag>,
    /// Letter-spacing added, spread over the gaps between its glyphs (a few points
    /// at most, so it is kept small: a book has hundreds of thousands of runs).
    pub extra: i32,
    /// Width added by font expansion (negative: taken away), spread over its
    /// glyphs in proportion to their advances: the backend draws them scaled by
    /// `1 + grow / natural width` (see [`EXPAND_STRETCH`](super::items::EXPAND_STRETCH)).
    pub grow: i32,
    /// Whether the gap after its last glyph takes letter-spacing too (its word goes
    /// on in the next run).
    pub trailing: bool,
    /// The node of the document's structure it belongs to (set with its block).
    pub tag: Tag,
    /// Its place on the line in logical (reading) order: runs are stored in
    /// visual order, which differs where right-to-left text was reordered.
    pub order: u16,
    /// Whether a space follows it in reading order (the gap to the next run in
    /// logical order).
    pub space_after: bool,
}

impl Run {
    /// A run at its natural width.
    pub fn new(x: Sp, frag: Arc<Frag>) -> Run {
        Run {
            x,
            frag,
            extra: 0,
            grow: 0,
            trailing: false,
            tag: DOCUMENT,
            order: 0,
            space_after: false,
        }
    }

    /// The run's set width.
    pub fn width(&self) -> Sp {
        self.frag.width() + Sp::from(self.extra) + Sp::from(self.grow)
    }

    /// Pushes each glyph's advance as set onto `out` (a line's drawing gathers its
    /// runs' advances in one buffer): the expansion goes to every glyph in
    /// proportion to its advance, and the letter-spacing into the gaps between
    /// glyphs, each split exactly (gap k gets ⌊extra·(k+1)/g⌋ − ⌊extra·k/g⌋), none
    /// after the last glyph unless its word goes on (`trailing`) or it is the only one.
    pub fn push_advances(&self, out: &mut Vec<Sp>) {
        let start = out.len();
        out.extend(self.frag.advances());
        let adv = &mut out[start..];
        let (grow, natural) = (Sp::from(self.grow), self.frag.width());
        if grow != 0 && natural > 0 {
            let mut before = 0;
            for a in adv.iter_mut() {
                let share = |upto: Sp| mul_div(grow, upto, natural);
                let (from, to) = (share(before), share(before + *a));
                before += *a;
                *a += to - from;
            }
        }
        let extra = Sp::from(self.extra);
        let gaps = self.frag.gaps(self.trailing) as Sp;
        if gaps == 0 {
            if let Some(a) = adv.last_mut() {
                *a += extra;
            }
            return;
        }
        for (k, a) in adv.iter_mut().take(gaps as usize).enumerate() {
            let k = k as Sp;
            *a += extra * (k + 1) / gaps - extra * k / gaps;
        }
    }
}

/// A set line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// Its runs, left to right.
    pub runs: Vec<Run>,
    /// Where its ink ends (the measure, for a justified line that is not the last).
    pub width: Sp,
    /// The adjustment ratio: how far its glue was stretched (> 0) or shrunk (< 0).
    pub ratio: f64,
    /// Ends with a hyphen added at a break.
    pub hyphenated: bool,
    /// Ends between two letters of a word too wide for the measure (an emergency
    /// break, reported as `broken-word`).
    pub broken: bool,
    /// Ends a paragraph (or a hard break), so it is not justified.
    pub last: bool,
    /// Starts a paragraph.
    pub first: bool,
    /// Ends between two words (at a space, or at a forced break such as a hard
    /// line break), so the text reads on after a space; not at a hyphen, a dash, a
    /// break inside a web address or a word, between two ideographs, nor at the
    /// paragraph's end (unless more of its node follows: see `galley`).
    pub word_end: bool,
    /// Note numbers referenced on this line, in order.
    pub notes: Vec<u32>,
    /// Offset of the line from the left edge of the text block.
    pub indent: Sp,
    /// Its natural width, the width it is set to (the measure and what hangs into
    /// the margins), and how far it may stretch and shrink: what the page builder
    /// needs to tell, without setting it again, whether its paragraph could take a
    /// line more or fewer.
    pub flex: Flex,
}

/// A line's widths and give (see [`Line::flex`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flex {
    /// Natural width of its content.
    pub natural: Sp,
    /// The width it is set to.
    pub target: Sp,
    /// Stretch (spaces and letter-spacing).
    pub stretch: Sp,
    /// Shrink.
    pub shrink: Sp,
}

/// Puts a line's runs, positioned in logical order, into visual order (UAX #9 rule
/// L2): from the highest level down to the lowest odd one, every maximal sequence at
/// that level or higher is reversed. The spaces between runs move with them, at the
/// lower level of their two neighbours (the level UAX #9 gives whitespace between
/// runs of two directions is the embedding one); space before the first run (an
/// indent) is at the paragraph's level.
fn reorder(runs: &mut Vec<Run>, levels: &[u8], base: u8) {
    enum Seg {
        Gap(Sp),
        Run(usize),
    }
    let mut segs: Vec<(u8, Seg)> = Vec::with_capacity(2 * runs.len());
    let (mut end, mut before) = (0, base);
    for (i, r) in runs.iter().enumerate() {
        if r.x != end {
            let level = if i == 0 { base } else { before.min(levels[i]) };
            segs.push((level, Seg::Gap(r.x - end)));
        }
        segs.push((levels[i], Seg::Run(i)));
        end = r.x + r.width();
        before = levels[i];
    }
    let highest = segs.iter().map(|s| s.0).max().unwrap_or(0);
    let lowest = segs.iter().map(|s| s.0).min().unwrap_or(0);
    let lowest_odd = lowest | 1;
    for level in (lowest_odd..=highest).rev() {
        let mut i = 0;
        while i < segs.len() {
            if segs[i].0 < level {
                i += 1;
                continue;
            }
            let j =
                segs[i..].iter().position(|s| s.0 < level).map_or(segs.len(), |k| i + k);
            segs[i..j].reverse();
            i = j;
        }
    }
    let mut old: Vec<Option<Run>> = std::mem::take(runs).into_iter().map(Some).collect();
    let mut x = 0;
    for (_, seg) in segs {
        match seg {
            Seg::Gap(w) => x += w,
            Seg::Run(i) => {
                let mut r = old[i].take().expect("each run once");
                r.x = x;
                x += r.width();
                runs.push(r);
            }
        }
    }
}

/// Where the line after a break at `i` starts: glue and penalties are discarded up to
/// the next box or forced break (TeX §879), as in `linebreak`.
pub(super) fn after(items: &[Item], i: usize) -> usize {
    let mut j = i + 1;
    while j < items.len()
        && !matches!(
            items[j],
            Item::Box { .. } | Item::Penalty { p: super::items::FORCE, .. }
        )
    {
        j += 1;
    }
    j
}

/// What a line's glue, letter-spacing and font expansion may stretch and shrink.
#[derive(Debug, Clone, Copy, Default)]
struct Give {
    glue: (Sp, Sp),
    letters: (Sp, Sp),
    expand: (Sp, Sp),
    /// How much more its letters may stretch when the line must stretch past all
    /// of the rest: the range of lower-case letters again, for capitals too, so
    /// that every gap between letters widens alike.
    more: Sp,
}

impl Give {
    fn add(&mut self, o: Give) {
        self.glue = (self.glue.0 + o.glue.0, self.glue.1 + o.glue.1);
        self.letters = (self.letters.0 + o.letters.0, self.letters.1 + o.letters.1);
        self.expand = (self.expand.0 + o.expand.0, self.expand.1 + o.expand.1);
        self.more += o.more;
    }
}

/// How much of a line's slack its glue, its letter-spacing and its font expansion
/// take (negative: shrink), and the glue's adjustment ratio.
#[derive(Debug, Clone, Copy, Default)]
struct Shares {
    glue: Sp,
    letters: Sp,
    expand: Sp,
    /// The letters' part past their range (see [`Give::more`]).
    more: Sp,
    ratio: f64,
}

/// Shares a justified line's slack in proportion to what each kind may give, as
/// TeX sets a box to a width (§658, §664). A line that must stretch past all of
/// it (a paragraph the emergency pass set, or a line of words that may not break
/// any better) spends the rest on its letters too, up to the lower-case range
/// again (see [`more_letters`]), rather than on its spaces alone: rivers of space
/// are worse than a little more air between letters (the last pass the breaker
/// lacks, as the composers of InDesign and pdfTeX's font expansion spend it).
/// Nothing shrinks past its shrink.
fn shares(slack: Sp, give: &Give) -> Shares {
    if slack >= 0 {
        let (g, l, e) = (give.glue.0, give.letters.0, give.expand.0);
        let total = g + l + e;
        if total == 0 {
            let ratio = if slack == 0 { 0.0 } else { f64::INFINITY };
            return Shares { ratio, ..Shares::default() };
        }
        let (letters, expand, more) = if slack <= total {
            (mul_div(slack, l, total), mul_div(slack, e, total), 0)
        } else {
            (l, e, more_letters(slack - total, g, give.more))
        };
        let glue = slack - letters - expand - more;
        let ratio =
            if g > 0 { glue as f64 / g as f64 } else { slack as f64 / total as f64 };
        Shares { glue, letters, expand, more, ratio }
    } else {
        let (g, l, e) = (give.glue.1, give.letters.1, give.expand.1);
        let (need, total) = (-slack, g + l + e);
        if total == 0 {
            return Shares::default();
        }
        let letters = mul_div(need, l, total).min(l);
        let expand = mul_div(need, e, total).min(e);
        let glue = (need - letters - expand).min(g);
        let ratio = if g > 0 { -(glue as f64) / g as f64 } else { 0.0 };
        Shares { glue: -glue, letters: -letters, expand: -expand, more: 0, ratio }
    }
}

/// Of the slack `beyond` a line's whole give, what its letters take past their
/// range when they may take `m` more and its spaces may give `g`: in proportion
/// while the spaces stay short of loose ([`LOOSE_RATIO`]); past that, the letters
/// first, up to `m`, and only then the spaces. A loose line reads worse than a
/// line a little letter-spaced.
fn more_letters(beyond: Sp, g: Sp, m: Sp) -> Sp {
    if g + m == 0 {
        return 0;
    }
    // The spaces' stretch past their range before they are loose.
    let short_of_loose = (g as f64 * (LOOSE_RATIO - 1.0)).round() as Sp;
    let in_proportion =
        if g > 0 { beyond.min(mul_div(short_of_loose, g + m, g)) } else { beyond };
    (mul_div(in_proportion, m, g + m) + beyond - in_proportion).min(m)
}

/// A share handed out item by item in proportion to each one's give, exactly: the
/// rounding remainder goes to the last.
struct Spread {
    left: Sp,
    give_left: Sp,
}

impl Spread {
    fn new(share: Sp, give: Sp) -> Spread {
        Spread { left: share, give_left: give }
    }

    /// The part of an item that may give `give`.
    fn take(&mut self, give: Sp) -> Sp {
        if self.give_left <= 0 || give == 0 {
            return 0;
        }
        let part = mul_div(self.left, give, self.give_left);
        self.left -= part;
        self.give_left -= give;
        part
    }
}

/// A run's few points of letter-spacing or expansion, kept in 32 bits.
fn small(x: Sp) -> i32 {
    x.clamp(i32::MIN.into(), i32::MAX.into()) as i32
}

/// Sets a broken paragraph into lines of `measure`.
///
/// With `prot` (see [`Para::protrusions`]) a line's first and last characters
/// hang into the margins by their protrusion: the line is set that much wider and
/// moved left by its left one, as the breaker counted it.
pub fn set(
    p: &Para,
    breaks: &[usize],
    measure: Sp,
    align: Align,
    prot: &[(Sp, Sp)],
) -> Vec<Line> {
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    for (k, &b) in breaks.iter().enumerate() {
        // Two forced breaks in a row (empty lines of code or verse) make an empty line.
        let items = &p.items[start.min(b)..b];
        let word_end = k + 1 < breaks.len()
            && match &p.items[b] {
                // A space; not the glue between two ideographs, which has no
                // width (Chinese and Japanese set no spaces).
                Item::Glue { w, .. } => *w > 0,
                Item::Penalty { p: cost, .. } => *cost <= super::items::FORCE,
                Item::Box { .. } => false,
            };
        let (pen_w, hyphen, broken) = match &p.items[b] {
            Item::Penalty { w, frag, kind, .. } => (*w, *frag, *kind == Brk::Emergency),
            _ => (0, None, false),
        };
        // A line ends a paragraph (or a hard break) when infinite glue fills it.
        let last = items.iter().any(|i| matches!(i, Item::Glue { fil: true, .. }));
        // The line's last fragment takes no letter-spacing after its last glyph, even
        // if its word goes on (on the next line).
        let last_box =
            items.iter().rposition(|i| matches!(i, Item::Box { frag: Some(_), .. }));
        // What each box may give, by kind: its letter-spacing (none after the
        // line's last glyph) and its font expansion.
        let give_of = |k: usize, it: &Item| -> Give {
            match it {
                Item::Box { frag: Some(f), .. } => {
                    let frag = &p.frags[*f];
                    let trailing = frag.continues && Some(k) != last_box;
                    let gaps = frag.gaps(trailing);
                    let more = super::items::letter_flex(gaps, frag.size).0;
                    let letters = frag.letters(gaps);
                    Give { letters, expand: frag.expansion(), more, ..Give::default() }
                }
                Item::Box { st, sh, .. } => {
                    Give { letters: (*st, *sh), ..Give::default() }
                }
                Item::Glue { st, sh, fil: false, .. } => {
                    Give { glue: (*st, *sh), ..Give::default() }
                }
                Item::Glue { .. } | Item::Penalty { .. } => Give::default(),
            }
        };
        let mut w = pen_w;
        let mut give = Give::default();
        for (k, it) in items.iter().enumerate() {
            match it {
                Item::Box { w: bw, .. } => w += bw,
                Item::Glue { w: gw, fil: false, .. } => w += gw,
                _ => {}
            }
            give.add(give_of(k, it));
        }
        let pl = super::linebreak::hang_left(&p.items, prot, start);
        let pr = super::linebreak::hang_right(&p.items, prot, b);
        let slack = measure + pl + pr - w;
        // Justified lines take up their slack; any line wider than the measure
        // (a last line, a ragged line) shrinks to fit, as the breaker allowed.
        let justify = (align == Align::Justify && !last) || slack < 0;
        let share = if justify { shares(slack, &give) } else { Shares::default() };
        // Distribute exactly: each item gets its proportional part of its kind's
        // share, and the rounding remainder goes to the last one so the line ends
        // on the measure.
        let pick = |g: (Sp, Sp)| if slack >= 0 { g.0 } else { g.1 };
        let mut letters = Spread::new(share.letters, pick(give.letters));
        let mut more = Spread::new(share.more, give.more);
        let mut expand = Spread::new(share.expand, pick(give.expand));
        let mut glue = Spread::new(share.glue, pick(give.glue));
        let mut runs = Vec::new();
        let mut notes = Vec::new();
        let mut x: Sp = 0;
        for (k, it) in items.iter().enumerate() {
            let g = give_of(k, it);
            match it {
                Item::Box { w: bw, frag, .. } => {
                    let extra = letters.take(pick(g.letters)) + more.take(g.more);
                    let grow = expand.take(pick(g.expand));
                    match frag {
                        Some(f) => {
                            let frag = p.frags[*f].clone();
                            if let Some(Link::Note(num)) = &frag.link {
                                notes.push(*num);
                            }
                            let trailing = frag.continues && Some(k) != last_box;
                            let order = runs.len().min(usize::from(u16::MAX)) as u16;
                            let run = Run {
                                x,
                                frag,
                                extra: small(extra),
                                grow: small(grow),
                                trailing,
                                tag: DOCUMENT,
                                order,
                                space_after: false,
                            };
                            x += run.width();
                            runs.push(run);
                        }
                        None => x += bw + extra,
                    }
                }
                Item::Glue { w: gw, fil: false, .. } => x += gw + glue.take(pick(g.glue)),
                Item::Glue { .. } => {}
                Item::Penalty { .. } => {}
            }
        }
        if pl > 0 {
            runs.iter_mut().for_each(|r| r.x -= pl);
            x -= pl;
        }
        // Only a line with right-to-left text is reordered (no work for the rest).
        let bidi = p.rtl || runs.iter().any(|r| r.frag.level > 0);
        if let Some(h) = hyphen {
            let order = runs.len().min(usize::from(u16::MAX)) as u16;
            let run = Run { order, ..Run::new(x, p.frags[h].clone()) };
            x += run.width();
            runs.push(run);
        }
        if bidi {
            // Where spaces fall in reading order, before the runs move.
            for k in 1..runs.len() {
                let (a, b) = (&runs[k - 1], &runs[k]);
                runs[k - 1].space_after = a.x + a.width() < b.x - super::units::PT / 10;
            }
            // An added hyphen goes with the word it ends.
            let mut levels: Vec<u8> = runs.iter().map(|r| r.frag.level).collect();
            let n = levels.len();
            if hyphen.is_some() && n > 1 {
                levels[n - 1] = levels[n - 2];
            }
            reorder(&mut runs, &levels, u8::from(p.rtl));
        }
        // Alignment is to the start and end of the line: mirrored in a
        // right-to-left paragraph, whose last line ends flush right.
        let start_aligned = matches!(align, Align::Justify | Align::Left);
        let indent = match align {
            Align::Center => ((measure - x) / 2).max(0),
            _ if start_aligned != p.rtl => 0,
            _ => (measure - x).max(0),
        };
        lines.push(Line {
            runs,
            width: x,
            hyphenated: hyphen.is_some(),
            broken,
            last,
            first: lines.is_empty(),
            word_end,
            notes,
            indent,
            ratio: share.ratio,
            flex: Flex {
                natural: w,
                target: measure + pl + pr,
                stretch: give.glue.0 + give.letters.0 + give.expand.0,
                shrink: give.glue.1 + give.letters.1 + give.expand.1,
            },
        });
        start = after(&p.items, b);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn give(glue: Sp, letters: Sp, expand: Sp) -> Give {
        Give {
            glue: (glue, glue / 2),
            letters: (letters, letters / 2),
            expand: (expand, expand),
            more: letters,
        }
    }

    #[test]
    fn slack_within_the_give_is_shared_in_proportion() {
        let s = shares(125, &give(100, 100, 50));
        assert_eq!((s.glue, s.letters, s.expand), (50, 50, 25));
        assert!((s.ratio - 0.5).abs() < 1e-9);
        // Shrinking: never past any kind's shrink.
        let s = shares(-50, &give(100, 100, 50));
        assert_eq!((s.glue, s.letters, s.expand), (-18, -16, -16));
    }

    #[test]
    fn slack_past_the_give_goes_to_letters_before_the_spaces_are_loose() {
        // 30 past the 250 the line may give: expansion stays at its limit, and the
        // spaces and the letters share it as they share their stretch, the spaces
        // staying short of loose (120).
        let s = shares(280, &give(100, 100, 50));
        assert_eq!((s.glue, s.letters + s.more, s.expand), (115, 115, 50));
        // 80 past it: in proportion until the spaces are at 120, then the letters.
        let s = shares(330, &give(100, 100, 50));
        assert_eq!((s.glue, s.letters + s.more, s.expand), (120, 160, 50));
        assert!((s.ratio - LOOSE_RATIO).abs() < 1e-9);
        // Letters stop at twice their range; the spaces take what is left.
        let s = shares(400, &give(100, 100, 50));
        assert_eq!((s.glue, s.letters + s.more, s.expand), (150, 200, 50));
        let s = shares(1000, &give(100, 100, 50));
        assert_eq!((s.glue, s.letters + s.more, s.expand), (750, 200, 50));
        assert!(s.ratio > 7.0);
    }
}
