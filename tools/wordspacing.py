#!/usr/bin/env python3
"""Measure how even the word spacing of a justified PDF is.

Usage:
    tools/wordspacing.py BOOK.pdf                 # human-readable report
    tools/wordspacing.py BOOK.pdf --json          # one JSON object on stdout
    tools/wordspacing.py BOOK.pdf --max-p95 1.5 --max-loose-pct 3 --max-hyphen-run 3
    tools/wordspacing.py BOOK.bbox.html           # pdftotext -bbox-layout output

Needs python3 (stdlib only) and poppler's `pdftotext` (Debian: poppler-utils).
The input may be a PDF (runs `pdftotext -bbox-layout FILE -`) or a file that
already holds that XHTML output (anything not starting with "%PDF").

Method
  * Parse pdftotext's <page>/<flow>/<block>/<line>/<word xMin xMax> tree.
  * Words closer than --min-gap pt (default 0.5) are joined first: pdftotext
    splits a word where the font changes ("word" in italics + ","), and such
    zero gaps are not word spaces.
  * A line is *justified* when
      - it has at least --min-words words (default 5),
      - it is not the last line of its pdftotext block (paragraph ends), and
      - its right edge (xMax of the last word) is within --tol pt (default 1)
        of the text column's right edge. With --edge page (default) the
        column edges of a page are its most common line right edges (so two
        columns work, and a ragged line that happens to be its block's
        longest is not taken); with --edge block it is the largest right edge
        of the lines in the same block. A line ending in punctuation or a
        hyphen may stick out up to --protrusion pt (default 3) beyond the
        edge, so margin kerning / hanging punctuation does not drop it.
  * Per justified line: mean gap = mean of xMin[i+1] - xMax[i].
  * Figures: median of those means, p95 (linear interpolation) / median,
    "loose" lines (mean gap > --loose × median, default 1.6), and the longest
    run of consecutive lines (all lines, reading order, reset at each page)
    whose last word ends in a hyphen ('-', U+2010, U+2011 or U+00AD).
  * Hanging punctuation: of the lines (not a block's last) that end past their
    column's edge, those ending in a character that may hang, by character, with
    the median overhang; and those past the edge by a letter, or by more than
    --protrusion — ink beyond the measure, which should be none.

Exit status: 0 ok; 1 a --max-* limit was exceeded; 2 usage error, pdftotext
failed, or a limit was given but no justified line was found to measure.
"""

from __future__ import annotations

import argparse
import bisect
import html
import json
import math
import re
import shutil
import signal
import statistics
import subprocess
import sys
from dataclasses import dataclass, field

HYPHENS = ("-", "\u2010", "\u2011", "\u00ad")
# characters that may hang into the right margin with margin kerning
PROTRUDING = HYPHENS + tuple(".,;:!?'\"\u2019\u201d\u2013\u2014)]\u00bb\u203a")


@dataclass
class Word:
    x0: float
    x1: float
    text: str


@dataclass
class Line:
    page: int
    block: int  # global block index
    words: list[Word] = field(default_factory=list)
    last_in_block: bool = False

    @property
    def right(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def ends_with_hyphen(self) -> bool:
        return bool(self.words) and self.words[-1].text.endswith(HYPHENS)


TOKEN = re.compile(
    r"<(/?)(page|block|line|word)\b([^>]*)>(?:([^<]*)</word>)?", re.IGNORECASE
)
ATTR = re.compile(r'(\w+)="([^"]*)"')


def parse_bbox(xhtml: str, first_page: int = 1) -> list[Line]:
    """Lines (in reading order) from `pdftotext -bbox-layout` XHTML."""
    lines: list[Line] = []
    page = first_page - 1
    block = -1
    current: Line | None = None
    block_lines: list[Line] = []
    for m in TOKEN.finditer(xhtml):
        closing, tag, attrs, text = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        if tag == "page" and not closing:
            page += 1
        elif tag == "block":
            if closing:
                if block_lines:
                    block_lines[-1].last_in_block = True
                block_lines = []
            else:
                block += 1
                block_lines = []
        elif tag == "line":
            if closing:
                if current is not None and current.words:
                    lines.append(current)
                    block_lines.append(current)
                current = None
            else:
                current = Line(page=page, block=block)
        elif tag == "word" and not closing:
            a = dict(ATTR.findall(attrs))
            try:
                w = Word(float(a["xMin"]), float(a["xMax"]), html.unescape(text or ""))
            except (KeyError, ValueError):
                continue
            if current is None:  # word outside a <line>: treat as its own line
                current = Line(page=page, block=block)
            current.words.append(w)
    return lines


def join_close_words(words: list[Word], min_gap: float) -> list[Word]:
    out: list[Word] = []
    for w in words:
        if out and w.x0 - out[-1].x1 < min_gap:
            prev = out[-1]
            out[-1] = Word(prev.x0, max(prev.x1, w.x1), prev.text + w.text)
        else:
            out.append(Word(w.x0, w.x1, w.text))
    return out


def percentile(sorted_vals: list[float], p: float) -> float:
    """Linear-interpolated percentile (numpy's default), p in [0, 100]."""
    if not sorted_vals:
        return math.nan
    k = (len(sorted_vals) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    if lo == hi:
        return sorted_vals[lo]
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def page_edges(lines: list[Line], tol: float, min_share: float = 0.15) -> list[float]:
    """The most common right edges of a page's lines (one per text column).

    Greedy: take the tol-wide window holding most line ends, drop those lines,
    repeat while a window still holds >= max(3, min_share * lines) line ends.
    """
    remaining = sorted(ln.right for ln in lines if len(ln.words) >= 2)
    floor = max(3, math.ceil(min_share * len(remaining)))
    edges: list[float] = []
    while remaining:
        best_n, best_e = 0, 0.0
        for i, r in enumerate(remaining):
            k = bisect.bisect_right(remaining, r + tol)
            if k - i > best_n:
                best_n, best_e = k - i, statistics.median(remaining[i:k])
        if best_n < floor:
            break
        edges.append(best_e)
        remaining = [r for r in remaining if abs(r - best_e) > tol]
    return edges


def is_at_edge(line: Line, edge: float, tol: float, protrusion: float) -> bool:
    r = line.right
    if abs(r - edge) <= tol:
        return True
    last = line.words[-1].text
    return last.endswith(PROTRUDING) and edge < r <= edge + protrusion + tol


def protrusions(candidates: list[Line], edges_of: dict[int, list[float]],
                args: argparse.Namespace) -> tuple[dict[str, list[float]], list]:
    """How far lines that end past their column's edge go past it.

    Returns the overhangs of lines ending in a character that may hang (by that
    character), and the lines whose last character may not hang but stands past
    the edge anyway, or hangs by more than --protrusion (ink beyond the measure).
    """
    hanging: dict[str, list[float]] = {}
    overshoot = []
    for ln in candidates:
        if ln.last_in_block:
            continue
        key = ln.page if args.edge == "page" else ln.block
        edges = edges_of.get(key, [])
        if not edges:
            continue
        edge = min(edges, key=lambda e: abs(ln.right - e))
        over = ln.right - edge
        if over <= args.tol or over > args.protrusion + 2 * args.tol + 3:
            continue  # at the edge, or not this column's line
        last = ln.words[-1].text
        if last.endswith(PROTRUDING) and over <= args.protrusion + args.tol:
            hanging.setdefault(last[-1], []).append(over)
        else:
            overshoot.append((over, ln))
    return hanging, overshoot


def analyse(lines: list[Line], args: argparse.Namespace) -> dict:
    for ln in lines:
        ln.words = join_close_words(ln.words, args.min_gap)

    # column edges
    edges_of: dict[int, list[float]] = {}
    if args.edge == "page":
        by_page: dict[int, list[Line]] = {}
        for ln in lines:
            by_page.setdefault(ln.page, []).append(ln)
        for p, pls in by_page.items():
            edges_of[p] = page_edges(pls, args.tol)
    else:
        # largest right edge in the block, ignoring lines that end in a
        # character that may hang into the margin (unless all of them do)
        plain: dict[int, float] = {}
        anyend: dict[int, float] = {}
        for ln in lines:
            anyend[ln.block] = max(anyend.get(ln.block, ln.right), ln.right)
            if not ln.words[-1].text.endswith(PROTRUDING):
                plain[ln.block] = max(plain.get(ln.block, ln.right), ln.right)
        edges_of = {b: [plain.get(b, anyend[b])] for b in anyend}

    candidates = [ln for ln in lines if len(ln.words) >= args.min_words]
    justified = []
    for ln in candidates:
        if ln.last_in_block:
            continue
        key = ln.page if args.edge == "page" else ln.block
        if any(is_at_edge(ln, e, args.tol, args.protrusion) for e in edges_of.get(key, [])):
            gaps = [b.x0 - a.x1 for a, b in zip(ln.words, ln.words[1:])]
            justified.append((sum(gaps) / len(gaps), ln))

    means = sorted(g for g, _ in justified)
    median = percentile(means, 50)
    p95 = percentile(means, 95)
    ratio = p95 / median if means and median > 0 else math.nan
    loose = [(g, ln) for g, ln in justified if median > 0 and g > args.loose * median]

    # longest run of consecutive hyphenated lines (reading order, per page)
    longest = run = 0
    run_start = longest_at = None
    prev_page = None
    for ln in lines:
        if ln.page != prev_page:
            run = 0
            prev_page = ln.page
        if ln.ends_with_hyphen():
            if run == 0:
                run_start = ln
            run += 1
            if run > longest:
                longest, longest_at = run, run_start
        else:
            run = 0

    worst = sorted(justified, key=lambda t: t[0], reverse=True)[: args.worst]
    hanging, overshoot = protrusions(candidates, edges_of, args)

    def fnum(x: float, nd: int = 3):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, nd)

    return {
        "lines": len(lines),
        "lines_min_words": len(candidates),
        "justified_lines": len(justified),
        "median_gap_pt": fnum(median),
        "p95_gap_pt": fnum(p95),
        "p95_over_median": fnum(ratio),
        "loose_factor": args.loose,
        "loose_lines": len(loose),
        "loose_pct": fnum(100.0 * len(loose) / len(justified), 2) if justified else None,
        "longest_hyphen_run": longest,
        "longest_hyphen_run_page": longest_at.page if longest_at else None,
        "protruding": {
            ch: {"lines": len(v), "median_pt": fnum(percentile(sorted(v), 50), 2)}
            for ch, v in sorted(hanging.items())
        },
        "past_measure": [{"page": ln.page, "by_pt": fnum(d, 2), "text": ln.text}
                         for d, ln in overshoot],
        "worst": [
            {
                "page": ln.page,
                "mean_gap_pt": fnum(g),
                "ratio": fnum(g / median) if median > 0 else None,
                "text": ln.text,
            }
            for g, ln in worst
        ],
        "settings": {
            "min_words": args.min_words,
            "tol_pt": args.tol,
            "edge": args.edge,
            "protrusion_pt": args.protrusion,
            "min_gap_pt": args.min_gap,
        },
    }


def load(path: str, first: int | None, last: int | None) -> str:
    with open(path, "rb") as f:
        head = f.read(5)
    if head != b"%PDF-":
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    exe = shutil.which("pdftotext")
    if exe is None:
        raise SystemExit("wordspacing: pdftotext not found (apt-get install poppler-utils)")
    cmd = [exe, "-bbox-layout", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    cmd += [path, "-"]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"wordspacing: {' '.join(cmd)} exited {res.returncode}")
    return res.stdout.decode("utf-8", "replace")


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `... | head` should not print a traceback
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(
        description="Word-spacing evenness of justified text in a PDF.",
        epilog="Exit: 0 ok, 1 a --max-* limit exceeded, 2 error / nothing measured.",
    )
    ap.add_argument("file", help="PDF, or saved `pdftotext -bbox-layout` XHTML")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--max-p95", type=float, metavar="X", help="fail if p95/median > X")
    ap.add_argument("--max-loose-pct", type=float, metavar="Y", help="fail if loose lines > Y %%")
    ap.add_argument("--max-hyphen-run", type=int, metavar="N", help="fail if a hyphen run > N")
    ap.add_argument("--min-words", type=int, default=5, help="words a line needs (default 5)")
    ap.add_argument("--tol", type=float, default=1.0, help="right-edge tolerance, pt (default 1)")
    ap.add_argument("--edge", choices=("page", "block"), default="page",
                    help="column edge: most common on the page (default) or max of the block")
    ap.add_argument("--protrusion", type=float, default=3.0,
                    help="allowed overhang of end punctuation/hyphens, pt (default 3)")
    ap.add_argument("--min-gap", type=float, default=0.5,
                    help="join words closer than this, pt (default 0.5)")
    ap.add_argument("--loose", type=float, default=1.6, help="loose if gap > this × median")
    ap.add_argument("--worst", type=int, default=10, help="how many worst lines to list")
    ap.add_argument("--first", type=int, help="first page (passed to pdftotext -f)")
    ap.add_argument("--last", type=int, help="last page (passed to pdftotext -l)")
    args = ap.parse_args(argv)

    try:
        xhtml = load(args.file, args.first, args.last)
    except OSError as e:
        print(f"wordspacing: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    lines = parse_bbox(xhtml, args.first or 1)
    r = analyse(lines, args)

    failures = []
    limits = args.max_p95 is not None or args.max_loose_pct is not None or args.max_hyphen_run is not None
    if r["justified_lines"]:
        if args.max_p95 is not None and r["p95_over_median"] > args.max_p95:
            failures.append(f"p95/median {r['p95_over_median']} > {args.max_p95}")
        if args.max_loose_pct is not None and r["loose_pct"] > args.max_loose_pct:
            failures.append(f"loose lines {r['loose_pct']}% > {args.max_loose_pct}%")
    if args.max_hyphen_run is not None and r["longest_hyphen_run"] > args.max_hyphen_run:
        failures.append(f"hyphen run {r['longest_hyphen_run']} > {args.max_hyphen_run}")
    r["failures"] = failures

    if args.json:
        print(json.dumps(r, ensure_ascii=False, indent=2))
    else:
        print(f"file:                      {args.file}")
        print(f"lines:                     {r['lines']}")
        print(f"lines with >= {args.min_words} words:     {r['lines_min_words']}")
        print(f"justified lines measured:  {r['justified_lines']}")
        print(f"median mean word gap:      {r['median_gap_pt']} pt")
        print(f"p95 mean word gap:         {r['p95_gap_pt']} pt")
        print(f"p95 / median:              {r['p95_over_median']}")
        print(f"loose lines (> {args.loose} x median): {r['loose_lines']}"
              f" ({r['loose_pct']} %)")
        print(f"longest hyphen run:        {r['longest_hyphen_run']}"
              + (f" (page {r['longest_hyphen_run_page']})" if r["longest_hyphen_run"] else ""))
        hang = r["protruding"]
        print(f"protruding line ends:      {sum(v['lines'] for v in hang.values())}"
              + "".join(f"  {ch!r} {v['lines']}×{v['median_pt']}pt" for ch, v in hang.items()))
        print(f"past the measure:          {len(r['past_measure'])}"
              + "".join(f"  p{o['page']} +{o['by_pt']}pt" for o in r["past_measure"][:5]))
        if r["worst"]:
            print(f"\nworst {len(r['worst'])} lines (page, mean gap pt, x median, text):")
            for w in r["worst"]:
                print(f"  p{w['page']:<4} {w['mean_gap_pt']:6.2f} {w['ratio'] or 0:5.2f}  {w['text']}")
        for f_ in failures:
            print(f"FAIL: {f_}")

    if limits and not r["justified_lines"]:
        print("wordspacing: no justified line found to measure", file=sys.stderr)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
