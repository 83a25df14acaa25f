//! Breaks → positioned lines: each line's slack spread over its glue and its
//! letter-spacing in proportion to their stretch (or shrink), as TeX sets a box to a
//! width (§649–§668), with letter-spacing capped at its stated range; then, in a
//! paragraph with right-to-left text, each line's runs are put in visual order
//! (UAX #9 rule L2) and a right-to-left line is aligned from the right.

use std::rc::Rc;

use super::items::{Align, Brk, Frag, Item, Link, Para};
use super::structure::{DOCUMENT, Tag};
use super::units::Sp;

/// A run of glyphs placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Offset from the line's start.
    pub x: Sp,
    /// What it draws (shared with the paragraph's items).
    pub frag: Rc<Frag>,
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
    pub fn new(x: Sp, frag: Rc<Frag>) -> Run {
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

    /// Each glyph's advance as set: the expansion goes to every glyph in
    /// proportion to its advance, and the letter-spacing into the gaps between
    /// glyphs, each split exactly (gap k gets ⌊extra·(k+1)/g⌋ − ⌊extra·k/g⌋), none
    /// after the last glyph unless its word goes on (`trailing`) or it is the only one.
    pub fn advances(&self) -> Vec<Sp> {
        let mut adv: Vec<Sp> = self.frag.advances().collect();
        let (grow, natural) = (Sp::from(self.grow), self.frag.width());
        if grow != 0 && natural > 0 {
            let mut before = 0;
            for a in adv.iter_mut() {
                let share =
                    |upto: Sp| (grow as i128 * upto as i128 / natural as i128) as Sp;
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
            return adv;
        }
        for (k, a) in adv.iter_mut().take(gaps as usize).enumerate() {
            let k = k as Sp;
            *a += extra * (k + 1) / gaps - extra * k / gaps;
        }
        adv
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
        let flex = |k: usize, it: &Item| -> (Sp, Sp) {
            match it {
                Item::Box { frag: Some(f), .. } if Some(k) == last_box => {
                    let frag = &p.frags[*f];
                    frag.flex(false)
                }
                Item::Box { st, sh, .. } | Item::Glue { st, sh, .. } => (*st, *sh),
                Item::Penalty { .. } => (0, 0),
            }
        };
        let (mut w, mut gst, mut gsh, mut bst, mut bsh) = (pen_w, 0, 0, 0, 0);
        for (k, it) in items.iter().enumerate() {
            match it {
                Item::Box { w: bw, .. } => {
                    let (st, sh) = flex(k, it);
                    w += bw;
                    bst += st;
                    bsh += sh;
                }
                Item::Glue { w: gw, st, sh, fil } if !fil => {
                    w += gw;
                    gst += st;
                    gsh += sh;
                }
                _ => {}
            }
        }
        let pl = super::linebreak::hang_left(&p.items, prot, start);
        let pr = super::linebreak::hang_right(&p.items, prot, b);
        let slack = measure + pl + pr - w;
        // Justified lines take up their slack; any line wider than the measure
        // (a last line, a ragged line) shrinks to fit, as the breaker allowed.
        let justify = (align == Align::Justify && !last) || slack < 0;
        // How much the boxes (letter-spacing) and the glue each take.
        let (box_share, glue_share, ratio) = if !justify {
            (0, 0, 0.0)
        } else if slack >= 0 {
            let total = gst + bst;
            if total == 0 {
                (0, 0, if slack == 0 { 0.0 } else { f64::INFINITY })
            } else {
                let boxes = (slack as i128 * bst as i128 / total as i128) as Sp;
                let boxes = boxes.min(bst); // letter-spacing never past its range
                let glue = slack - boxes;
                let r = if gst > 0 {
                    glue as f64 / gst as f64
                } else {
                    boxes as f64 / bst.max(1) as f64
                };
                (boxes, glue, r)
            }
        } else {
            let total = gsh + bsh;
            let need = -slack;
            let boxes = if total == 0 {
                0
            } else {
                (need as i128 * bsh as i128 / total as i128) as Sp
            };
            let boxes = boxes.min(bsh);
            let glue = (need - boxes).min(gsh);
            let r = if gsh > 0 { -(glue as f64) / gsh as f64 } else { 0.0 };
            (-boxes, -glue, r)
        };
        // Distribute exactly: each box and glue gets its proportional part, and the
        // rounding remainder goes to the last one so the line ends on the measure.
        let mut runs = Vec::new();
        let mut notes = Vec::new();
        let mut x: Sp = 0;
        let (mut box_left, mut glue_left) = (box_share, glue_share);
        let (mut bst_left, mut gst_left) =
            if slack >= 0 { (bst, gst) } else { (bsh, gsh) };
        for (k, it) in items.iter().enumerate() {
            match it {
                Item::Box { w: bw, frag, .. } => {
                    let (st, sh) = flex(k, it);
                    let flex = if slack >= 0 { st } else { sh };
                    let extra = if bst_left > 0 {
                        (box_left as i128 * flex as i128 / bst_left as i128) as Sp
                    } else {
                        0
                    };
                    box_left -= extra;
                    bst_left -= flex;
                    match frag {
                        Some(f) => {
                            let frag = p.frags[*f].clone();
                            // The box's share, split between font expansion and
                            // letter-spacing in proportion to what each may give.
                            let (est, esh) = frag.expansion();
                            let e = if slack >= 0 { est } else { esh };
                            let grow = if flex > 0 {
                                (extra as i128 * e as i128 / flex as i128) as Sp
                            } else {
                                0
                            };
                            let extra = extra - grow;
                            if let Some(Link::Note(num)) = &frag.link {
                                notes.push(*num);
                            }
                            let trailing = frag.continues && Some(k) != last_box;
                            let extra =
                                extra.clamp(i32::MIN.into(), i32::MAX.into()) as i32;
                            let order = runs.len().min(usize::from(u16::MAX)) as u16;
                            let grow =
                                grow.clamp(i32::MIN.into(), i32::MAX.into()) as i32;
                            let run = Run {
                                x,
                                frag,
                                extra,
                                grow,
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
                Item::Glue { w: gw, st, sh, fil } => {
                    if *fil {
                        continue;
                    }
                    let flex = if slack >= 0 { *st } else { *sh };
                    let extra = if gst_left > 0 && justify {
                        (glue_left as i128 * flex as i128 / gst_left as i128) as Sp
                    } else {
                        0
                    };
                    glue_left -= extra;
                    gst_left -= flex;
                    x += gw + extra;
                }
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
            ratio,
            hyphenated: hyphen.is_some(),
            broken,
            last,
            first: lines.is_empty(),
            word_end,
            notes,
            indent,
            flex: Flex {
                natural: w,
                target: measure + pl + pr,
                stretch: gst + bst,
                shrink: gsh + bsh,
            },
        });
        start = after(&p.items, b);
    }
    lines
}
