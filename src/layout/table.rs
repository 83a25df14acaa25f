//! Tables in print, set as a book designer sets them.
//!
//! - Column widths come from the content: each column's narrowest width (its widest
//!   word or word piece) and natural width (its longest cell on one line) are shared
//!   out as HTML's automatic table layout does (CSS 2.1 §17.5.2.2): natural widths
//!   when they fit — the table is then centred at its own width —, else every column
//!   gets its narrowest width plus a share of the rest in proportion to what it would
//!   still like; if even the narrowest widths do not fit, they are scaled down and
//!   words break between letters as a last resort. Cell text wraps and hyphenates.
//! - The Markdown's column alignment (`:--`, `:-:`, `--:`) is honoured; columns
//!   without one are flush left.
//! - Rules after booktabs (Fear, 2020): a heavy rule above and below, a light one
//!   under the header, none between rows or columns.
//! - Pages: a table may break between rows, never with the header and fewer than
//!   two body rows at a page foot; every page it continues on repeats its header
//!   (unless the header is taller than a quarter of the page). A row of more than
//!   four lines may also break between lines of its cells, keeping two lines on each
//!   side, so a row taller than a page never overflows it.

use super::fonts::Feat;
use super::galley::{Ctx, Frame, VItem, VKind, set_para};
use super::items::{Align, ParaStyle};
use super::lines::Line;
use super::structure::Role;
use super::style::STYLES;
use super::units::Sp;
use crate::diag::Span;
use crate::model::{self, Inline};

/// One line of one cell in a table row.
#[derive(Debug, Clone, PartialEq)]
pub struct CellLine {
    /// The column.
    pub col: usize,
    /// Offset of the line from the text block's left edge.
    pub x: Sp,
    /// The line.
    pub line: Line,
}

/// Rows longer than this many lines may break between lines.
const SPLIT_ROW_LINES: usize = 4;

/// Sets a table into the galley: its rules and rows, with where a page may end.
pub(super) fn set(
    c: &mut Ctx,
    align: &[model::ColumnAlign],
    head: &[Vec<Inline>],
    rows: &[Vec<Vec<Inline>>],
    f: Frame,
    span: Span,
) {
    let Frame { x, measure, base } = f;
    let ncols =
        align.len().max(head.len()).max(rows.iter().map(Vec::len).max().unwrap_or(0));
    if ncols == 0 {
        return;
    }
    let (size, gap) = STYLES.table;
    let size = size.of(base.size);
    let gap = gap.of(base.size);
    let style = |col: usize, header: bool| ParaStyle {
        face: if header { base.face.strong() } else { base.face },
        feat: Feat::Lining,
        size,
        leading: STYLES.display_leading.of(size),
        indent: 0,
        align: match align.get(col) {
            Some(model::ColumnAlign::Right) => Align::Right,
            Some(model::ColumnAlign::Center) => Align::Center,
            _ => Align::Left,
        },
        hyphenate: true,
    };
    let all_rows: Vec<(&[Vec<Inline>], bool)> = std::iter::once((head, true))
        .filter(|(h, _)| !h.is_empty())
        .chain(rows.iter().map(|r| (r.as_slice(), false)))
        .collect();
    let avail = measure - gap * (ncols as Sp - 1);
    let widths = column_widths(c, &all_rows, ncols, avail, &style);
    let table_w: Sp = widths.iter().sum::<Sp>() + gap * (ncols as Sp - 1);
    let x0 = x + (measure - table_w) / 2;
    let lefts: Vec<Sp> = widths
        .iter()
        .scan(x0, |at, w| {
            let left = *at;
            *at += w + gap;
            Some(left)
        })
        .collect();
    let table = c.tables.len();
    let (heavy, light, sep) = STYLES.table_rules;
    let rule = |t: Sp| VKind::Rule { x: x0, w: table_w, t };
    let rule_h = |t: Sp| t + 2 * sep.of(base.size);

    // The header group: top rule, header lines, the rule under them.
    let mut top =
        VItem::new(rule(heavy.of(base.size)), rule_h(heavy.of(base.size)), span);
    top.break_before = true;
    c.out.push(top.clone());
    let mut header = vec![top];
    let has_head = !head.is_empty();
    let mut body_row = 0;
    for (r, (cells, is_head)) in all_rows.iter().enumerate() {
        let lines = set_row(c, cells, *is_head, &widths, &lefts, &style);
        let n = lines.len();
        // Anchors in the row's cells: each goes with the row line holding its text.
        let mut anchors: Vec<(usize, String)> = cells
            .iter()
            .flat_map(|cell| super::galley::anchor_origins(cell))
            .map(|(id, o)| {
                let at = o.and_then(|o| {
                    lines.iter().position(|l| {
                        l.iter().any(|cl| super::galley::holds(&cl.line, o))
                    })
                });
                (at.unwrap_or(n.saturating_sub(1)), id)
            })
            .collect();
        anchors.sort_by_key(|(k, _)| *k);
        let row_h = STYLES.display_leading.of(size);
        for (k, cells) in lines.into_iter().enumerate() {
            let breakable = if k > 0 {
                n > SPLIT_ROW_LINES && k >= 2 && n - k >= 2
            } else if *is_head {
                false
            } else {
                // Never the header with fewer than two body rows at a page foot.
                body_row >= 2 || (!has_head && body_row >= 1)
            };
            let notes: Vec<u32> =
                cells.iter().flat_map(|cl| cl.line.notes.iter().copied()).collect();
            let kind =
                VKind::Row { cells, ascent: size, table, row: r, header: *is_head };
            let mut it = VItem::new(kind, row_h, span);
            let mut breakable = breakable;
            for (_, id) in anchors.iter().filter(|(at, _)| *at == k) {
                let level = super::ANCHOR_LEVEL;
                let mark =
                    VKind::Mark { level, text: String::new(), id: Some(id.clone()) };
                let mut m = VItem::new(mark, 0, span);
                m.break_before = std::mem::take(&mut breakable);
                // A page that begins here repeats the header, as at the row.
                m.repeat_head = (has_head && !*is_head).then_some(table);
                c.out.push(m);
            }
            it.break_before = breakable;
            it.notes = notes;
            if has_head && !*is_head {
                it.repeat_head = Some(table);
            }
            if *is_head {
                let mut copy = it.clone();
                copy.notes.clear();
                header.push(copy);
            }
            c.out.push(it);
        }
        if *is_head {
            let mid =
                VItem::new(rule(light.of(base.size)), rule_h(light.of(base.size)), span);
            header.push(mid.clone());
            c.out.push(mid);
        } else {
            body_row += 1;
        }
    }
    c.out.push(VItem::new(rule(heavy.of(base.size)), rule_h(heavy.of(base.size)), span));
    header.iter_mut().for_each(|h| h.break_before = false);
    // A header is repeated only if it is short: one taller than a quarter of the
    // page would crowd out the rows it heads.
    let head_h: Sp = header.iter().map(|h| h.h).sum();
    let repeat = has_head && head_h <= c.geo.body_height() / 4;
    c.tables.push(if repeat { header } else { Vec::new() });
}

/// Each column's width from its cells' narrowest and natural widths (see the module
/// docs).
fn column_widths(
    c: &mut Ctx,
    rows: &[(&[Vec<Inline>], bool)],
    ncols: usize,
    avail: Sp,
    style: &dyn Fn(usize, bool) -> ParaStyle,
) -> Vec<Sp> {
    let mut mins = vec![0; ncols];
    let mut maxs = vec![0; ncols];
    c.builder.measure = avail;
    for (cells, header) in rows {
        for (col, cell) in cells.iter().enumerate().take(ncols) {
            let p = c.builder.para(cell, &style(col, *header), c.diags);
            let (min, max) = p.widths();
            mins[col] = mins[col].max(min);
            maxs[col] = maxs[col].max(max);
        }
    }
    share_out(&mins, &maxs, avail)
}

/// Shares `avail` out among columns with these narrowest and natural widths.
pub fn share_out(mins: &[Sp], maxs: &[Sp], avail: Sp) -> Vec<Sp> {
    let sum_max: Sp = maxs.iter().sum();
    if sum_max <= avail {
        return maxs.to_vec();
    }
    let sum_min: Sp = mins.iter().sum();
    let mut widths: Vec<Sp> = if sum_min >= avail {
        mins.iter().map(|m| avail * m / sum_min.max(1)).collect()
    } else {
        let (extra, flex) = (avail - sum_min, sum_max - sum_min);
        mins.iter().zip(maxs).map(|(lo, hi)| lo + (hi - lo) * extra / flex).collect()
    };
    // The rounding remainder goes to the widest column.
    let rest = avail - widths.iter().sum::<Sp>();
    if let Some(w) = widths.iter_mut().max_by_key(|w| **w) {
        *w += rest;
    }
    widths
}

/// Sets a row's cells at their columns' widths; returns its lines, each the k-th
/// line of every cell that has one.
fn set_row(
    c: &mut Ctx,
    cells: &[Vec<Inline>],
    header: bool,
    widths: &[Sp],
    lefts: &[Sp],
    style: &dyn Fn(usize, bool) -> ParaStyle,
) -> Vec<Vec<CellLine>> {
    // The row and its cells are nodes of the table's structure (a header row's
    // cells head their columns).
    let row = c.tags.add(Role::Row, c.parent, inlines_span(cells.iter().flatten()));
    let cell_role = if header { Role::HeaderCell } else { Role::Cell };
    let set: Vec<Vec<Line>> = cells
        .iter()
        .enumerate()
        .take(widths.len())
        .map(|(col, cell)| {
            let mut lines =
                set_para(&mut c.builder, cell, &style(col, header), widths[col], c.diags);
            let tag = c.tags.add(cell_role.clone(), row, inlines_span(cell.iter()));
            c.tag(&mut lines, tag);
            lines
        })
        .collect();
    let n = set.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut columns: Vec<std::vec::IntoIter<Line>> =
        set.into_iter().map(Vec::into_iter).collect();
    (0..n)
        .map(|_| {
            columns
                .iter_mut()
                .enumerate()
                .filter_map(|(col, lines)| {
                    lines.next().map(|line| CellLine { col, x: lefts[col], line })
                })
                .collect()
        })
        .collect()
}

/// The manuscript span some inlines cover (empty when there are none).
fn inlines_span<'a>(mut inlines: impl Iterator<Item = &'a Inline>) -> Span {
    let Some(first) = inlines.next().map(Inline::span) else { return Span::default() };
    let last = inlines.last().map_or(first, Inline::span);
    Span::new(first.start, last.end.max(first.start))
}

#[cfg(test)]
mod tests {
    use super::share_out;

    #[test]
    fn natural_widths_when_they_fit() {
        assert_eq!(share_out(&[10, 20], &[30, 40], 100), vec![30, 40]);
    }

    #[test]
    fn the_rest_shared_by_what_columns_still_want() {
        // mins 10 + 10, maxs 110 + 30: 80 to share, 100 : 20.
        let w = share_out(&[10, 10], &[110, 30], 100);
        assert_eq!(w.iter().sum::<i64>(), 100);
        assert_eq!(w, vec![77, 23]);
    }

    #[test]
    fn too_narrow_scales_the_minimums() {
        let w = share_out(&[100, 100], &[200, 200], 100);
        assert_eq!(w, vec![50, 50]);
    }
}
