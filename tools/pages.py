#!/usr/bin/env python3
"""Measure how full and level the pages of a book PDF are.

Usage:
    tools/pages.py BOOK.pdf            # human-readable report
    tools/pages.py BOOK.pdf --json     # one JSON object on stdout
    tools/pages.py BOOK.pdf --first 7  # start at page 7 (after the front matter)

Needs python3 (stdlib only) and poppler's `pdftotext` (Debian: poppler-utils).
It reads only the PDF, so it measures quire's PDF and, say, LuaLaTeX's alike.

Method (from `pdftotext -bbox-layout`: every line with its box)
  * A line's size is its height; the body size is the most common one. Lines
    clearly smaller (running heads, folios, notes) or larger (headings) are told
    apart by it. The folio is the lowest line when it is a lone number.
  * The leading is the most common distance between two body baselines in a row;
    the foot of a full page is the most common lowest baseline (body or notes) of
    the pages that hold text. Notes count: a page whose notes end lower than a
    full page's text is as unlevel as one that ends higher.
  * A page is *short* when its lowest baseline stands at least half a leading
    above that foot; it is *mid-chapter* unless the next page opens a chapter
    (its first line is larger than the body), is blank, or it is the last page.
    It is *long* when that baseline stands half a leading or more below the foot
    (a spread run a line long to fill it, a compositor's remedy: counted, not
    faulted).
  * A *spread* is a left-hand page and the right-hand page after it (an even
    page number in the file, then an odd one). It is *unlevel*
    when both are mid-chapter and their lowest baselines differ by more than
    1.5 pt (a baseline is estimated from the box: see `Line.base`).
  * A *widow* is a page whose first body line is a paragraph's last: shorter
    than the column by more than two ems and not indented (an indented one is a
    paragraph of one line), while the page before ended in a full line. An
    *orphan* is a page whose last body line is a paragraph's first: indented,
    full, and followed on the next page by an unindented line of text (one a
    leading above the line after it: not a heading set at the body's size). A
    page that opens with a heading has neither.

Exit status: 0 ok; 2 usage error or pdftotext failed.
"""

from __future__ import annotations

import argparse
import collections
import html
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

TOKEN = re.compile(
    r"<(/?)(page|line|word)\b([^>]*)>(?:([^<]*)</word>)?", re.IGNORECASE
)
ATTR = re.compile(r'(\w+)="([^"]*)"')
FOLIO = re.compile(r"^([0-9]+|[ivxlcdm]+)$", re.IGNORECASE)


@dataclass
class Line:
    x0: float = 1e9
    x1: float = 0.0
    y0: float = 1e9
    y1: float = 0.0
    words: list[str] = field(default_factory=list)

    @property
    def height(self) -> float:
        return round(self.y1 - self.y0, 1)

    @property
    def base(self) -> float:
        """Its baseline, about: pdftotext's box runs from the face's ascender to
        its descender, and text faces descend about a fifth of that below the
        baseline (EB Garamond 0.23, Literata 0.22, Times 0.22)."""
        return self.y1 - 0.22 * (self.y1 - self.y0)

    @property
    def text(self) -> str:
        return " ".join(self.words)


def parse(xhtml: str) -> list[list[Line]]:
    """Each page's lines, top to bottom."""
    pages: list[list[Line]] = []
    cur: Line | None = None
    for m in TOKEN.finditer(xhtml):
        closing, tag, attrs, text = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        if tag == "page" and not closing:
            pages.append([])
        elif tag == "line":
            if closing:
                if cur is not None and cur.words and pages:
                    pages[-1].append(cur)
                cur = None
            else:
                cur = Line()
        elif tag == "word" and not closing and cur is not None:
            a = dict(ATTR.findall(attrs))
            try:
                x0, x1 = float(a["xMin"]), float(a["xMax"])
                y0, y1 = float(a["yMin"]), float(a["yMax"])
            except (KeyError, ValueError):
                continue
            cur.x0, cur.x1 = min(cur.x0, x0), max(cur.x1, x1)
            cur.y0, cur.y1 = min(cur.y0, y0), max(cur.y1, y1)
            cur.words.append(html.unescape(text or ""))
    for p in pages:
        p.sort(key=lambda l: (l.y1, l.x0))
    return pages


def mode(values, default=0.0):
    c = collections.Counter(values)
    return c.most_common(1)[0][0] if c else default


def measure(pages: list[list[Line]], first: int) -> dict:
    pages = pages[first - 1 :]
    body_h = mode(l.height for p in pages for l in p)
    is_body = lambda l: abs(l.height - body_h) <= 0.12 * body_h  # noqa: E731
    is_big = lambda l: l.height > 1.2 * body_h  # noqa: E731

    def content(p: list[Line]) -> list[Line]:
        # Without the folio (a lone number at the foot).
        if p and FOLIO.match(p[-1].text.strip()) and len(p[-1].words) == 1:
            return p[:-1]
        return p

    gaps = []
    for p in pages:
        body = [l for l in content(p) if is_body(l)]
        gaps += [round(b.base - a.base, 1) for a, b in zip(body, body[1:])]
    leading = mode((g for g in gaps if g > 0), default=body_h * 1.3)
    lows = [round(max(l.base for l in content(p)), 1) for p in pages if content(p)]
    foot = mode(lows)
    # The column's edges, on left-hand and right-hand pages apart (their margins
    # mirror).
    def edges(parity):
        ls = [l for k, p in enumerate(pages) if k % 2 == parity for l in content(p) if is_body(l)]
        return mode(round(l.x0, 1) for l in ls), mode(round(l.x1, 1) for l in ls)

    cols = [edges(0), edges(1)]
    em = body_h

    def low(p):
        c = content(p)
        return max(l.base for l in c) if c else None

    def opens(p):
        c = content(p)
        return not c or is_big(c[0]) or (len(c) > 1 and is_big(c[1]))

    # The text block's first baseline: what stands above it is a running head.
    text_top = mode(round(b[0].base, 1) for b in ([l for l in content(p) if is_body(l)] for p in pages) if b)

    def opens_with_heading(p):
        # Its first line of text (below any running head) is not at the body's
        # size, or stands apart from the next by more than a leading and a half.
        t = [l for l in content(p) if l.base >= text_top - 1]
        if not t:
            return False
        return not is_body(t[0]) or (len(t) > 1 and t[1].base - t[0].base > 1.5 * leading)

    short, long, mid_pages, unlevel, widows, orphans = [], [], 0, [], [], []
    ends = []
    for k, p in enumerate(pages):
        c = content(p)
        nxt = pages[k + 1] if k + 1 < len(pages) else None
        chapter_end = nxt is None or opens(nxt) or not c
        ends.append(chapter_end)
        if not c or chapter_end:
            continue
        mid_pages += 1
        if low(p) < foot - leading / 2:
            short.append(first + k)
        elif low(p) > foot + leading / 2:
            long.append(first + k)
    # Spreads: an even page of the file (left-hand) and the odd one after it.
    for k in range(first % 2, len(pages) - 1, 2):
        a, b = pages[k], pages[k + 1]
        if ends[k] or ends[k + 1] or not content(a) or not content(b):
            continue
        if abs(low(a) - low(b)) > 1.5:
            unlevel.append((first + k, first + k + 1))
    for k in range(1, len(pages)):
        prev = [l for l in content(pages[k - 1]) if is_body(l)]
        cur = [l for l in content(pages[k]) if is_body(l)]
        if not prev or not cur:
            continue
        # A page that opens with a heading starts a section: its first lines
        # neither end nor continue a paragraph.
        if opens_with_heading(pages[k]):
            continue
        (pl, pr), (cl, cr) = cols[(k - 1) % 2], cols[k % 2]
        prev_full = prev[-1].x1 >= pr - 1.5
        top = cur[0]
        starts_next = len(cur) == 1 or cur[1].x0 > cl + em / 2
        # An indented top line opens a paragraph: a paragraph of one line, not a
        # widow.
        top_indented = top.x0 > cl + em / 2
        if prev_full and top.x1 < cr - 2 * em and starts_next and not top_indented:
            widows.append(first + k)
        last = prev[-1]
        # The line that would carry the paragraph on must be text: flush with the
        # column and a leading above the next line (a heading at the body's size,
        # such as "Scene II" or "Chapter 82.", stands apart).
        runs_on = cur[0].x0 <= cl + 0.5 and (
            len(cur) == 1 or abs(cur[1].base - cur[0].base - leading) <= 1.0
        )
        if last.x0 > pl + em / 2 and prev_full and runs_on:
            orphans.append(first + k - 1)
    return {
        "pages": len(pages),
        "line_box_pt": body_h,
        "leading_pt": leading,
        "mid_chapter_pages": mid_pages,
        "short_mid_chapter": short,
        "short_pct": round(100 * len(short) / mid_pages, 2) if mid_pages else 0.0,
        "long_pages": long,
        "unlevel_spreads": unlevel,
        "widows": widows,
        "orphans": orphans,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pdf")
    ap.add_argument("--first", type=int, default=1, help="first page to measure")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not shutil.which("pdftotext"):
        print("pages.py: pdftotext not found (poppler-utils)", file=sys.stderr)
        return 2
    r = subprocess.run(
        ["pdftotext", "-bbox-layout", a.pdf, "-"], capture_output=True, text=True
    )
    if r.returncode != 0:
        print(f"pages.py: pdftotext failed: {r.stderr.strip()}", file=sys.stderr)
        return 2
    m = measure(parse(r.stdout), a.first)
    if a.json:
        print(json.dumps(m))
        return 0
    print(f"file:                     {a.pdf}")
    print(f"pages measured:           {m['pages']} (from page {a.first})")
    print(f"line box, leading:        {m['line_box_pt']} pt, {m['leading_pt']} pt")
    print(
        f"short mid-chapter pages:  {len(m['short_mid_chapter'])} of {m['mid_chapter_pages']}"
        f" ({m['short_pct']} %) {m['short_mid_chapter'][:20]}"
    )
    print(f"pages run a line long:    {len(m['long_pages'])} {m['long_pages'][:20]}")
    print(f"unlevel spreads:          {len(m['unlevel_spreads'])} {m['unlevel_spreads'][:10]}")
    print(f"widows:                   {len(m['widows'])} {m['widows'][:20]}")
    print(f"orphans:                  {len(m['orphans'])} {m['orphans'][:20]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
