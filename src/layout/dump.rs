//! A stable, rounded text dump of laid-out pages, for golden files (after SILE's
//! debug outputter): one line per text line with its position, text and adjustment
//! ratio; rules, images, notes and marks; positions rounded to 0.1 pt.

use std::fmt::Write as _;

use super::units::{PT, Sp};
use super::{Layout, lines::Line};

fn p(v: Sp) -> String {
    format!("{:.1}", v as f64 / PT as f64)
}

/// The text of a set line, with a space wherever two runs do not touch.
pub fn line_text(line: &Line) -> String {
    let mut s = String::new();
    let mut end: Option<Sp> = None;
    for r in &line.runs {
        if end.is_some_and(|e| r.x > e + PT / 2) {
            s.push(' ');
        }
        s.push_str(&r.frag.text);
        end = Some(r.x + r.width());
    }
    s
}

/// Dumps every page.
pub fn dump(l: &Layout) -> String {
    let mut out = String::new();
    for page in &l.pages {
        let _ = writeln!(
            out,
            "page {}{}{}{}{}",
            page.number,
            Some(page.label.to_string())
                .filter(|l| *l != page.number.to_string())
                .map(|l| format!(" [{l}]"))
                .unwrap_or_default(),
            page.head.as_ref().map(|h| format!(" head={h:?}")).unwrap_or_default(),
            if page.folio { " folio" } else { "" },
            page.blank.map(|b| format!(" ({})", b.name())).unwrap_or_default()
        );
        for m in &page.marks {
            if m.level == super::ANCHOR_LEVEL {
                let id = m.id.as_deref().unwrap_or_default();
                let _ = writeln!(out, "  anchor #{id} y={}", p(m.y));
            } else {
                let _ = writeln!(out, "  mark h{} y={} {:?}", m.level, p(m.y), m.text);
            }
        }
        for pl in &page.lines {
            let cell =
                pl.cell.map(|c| format!(" [r{}c{}]", c.row, c.col)).unwrap_or_default();
            let _ = writeln!(
                out,
                "  x={:>5} y={:>5} w={:>5} r={:+.2}{}{}{} | {}",
                p(pl.x),
                p(pl.y),
                p(pl.line.width),
                pl.line.ratio,
                if pl.line.hyphenated { " -" } else { "" },
                cell,
                if pl.repeated() { " (repeated)" } else { "" },
                line_text(&pl.line)
            );
        }
        for r in &page.rules {
            let _ = writeln!(
                out,
                "  rule x={} y={} w={} t={}",
                p(r.x),
                p(r.y),
                p(r.w),
                p(r.t)
            );
        }
        for i in &page.images {
            let _ = writeln!(
                out,
                "  image {:?} x={} y={} w={} h={}",
                i.src,
                p(i.x),
                p(i.y),
                p(i.w),
                p(i.h)
            );
        }
        for (n, y) in &page.note_starts {
            let _ = writeln!(out, "  note {n} starts y={}", p(*y));
        }
        for f in &page.findings {
            if let super::Finding::Reset { by, span } = f {
                let _ = writeln!(
                    out,
                    "  paragraph set {by:+} line: {:?}",
                    first_words(l, *span)
                );
            }
        }
    }
    out
}

/// The first words of the paragraph at `span`, as set.
fn first_words(l: &Layout, span: crate::diag::Span) -> String {
    let within = |s: crate::diag::Span| s.start >= span.start && s.start < span.end;
    let first = l
        .pages
        .iter()
        .flat_map(|p| &p.lines)
        .find(|pl| pl.line.runs.iter().any(|r| within(r.frag.span)));
    first.map_or(String::new(), |pl| line_text(&pl.line).chars().take(40).collect())
}
