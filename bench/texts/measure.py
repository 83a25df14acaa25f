#!/usr/bin/env python3
"""Measure every edition with the repository's tools and print the figures table.

    bench/texts/measure.py              # every fetched text
    bench/texts/measure.py manifesto    # one

Writes target/bench-texts/measure/: one JSON per PDF and tool, figures.json (all
rows) and table.md (the table it prints). An edition whose PDF is not there (say,
the LaTeX side was not built) is left out with a message.

For each PDF, the first text page is found by a phrase of the text's opening
(firstpage.py), so the front matter — half-title, title, colophon, contents — is
skipped the same way in quire's and LaTeX's editions; then
  tools/wordspacing.py PDF --json --first N --worst 15
  tools/pages.py PDF --json --first N
are run on it. Needs pdftotext and pdfinfo (poppler-utils).
"""
import json
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import textmodel as T  # noqa: E402
from firstpage import first_page  # noqa: E402

TOOLS = T.ROOT / "tools"
M = T.BENCH / "measure"

# key -> (name in the table, a phrase of the first text page)
TEXTS = {
    "moby-dick": ("Moby-Dick", "Supplied by a Late Consumptive Usher"),
    "parents-assistant": ("The Parent's Assistant", "Near the ruins of the castle of Rossmore"),
    "manifesto": ("Communist Manifesto", "published as the platform"),
}
# (edition, tag for the JSON files, PDF path under target/bench-texts/)
EDITIONS = [
    ("quire", "quire", "quire/{k}.pdf"),
    ("LaTeX strict (10000)", "latex-strict", "latex/{k}-strict.pdf"),
    ("LaTeX default (150)", "latex-default", "latex/{k}-default.pdf"),
]


def npages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")))


def run(tool, pdf, first, *extra):
    r = subprocess.run([sys.executable, str(TOOLS / tool), str(pdf), "--json", "--first", str(first), *extra],
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"measure: {tool} {pdf}: exit {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)


def main(asked):
    M.mkdir(parents=True, exist_ok=True)
    rows = []
    for k in T.keys(asked, "measure"):
        name, phrase = TEXTS[k]
        for ed, tag, pat in EDITIONS:
            pdf = T.BENCH / pat.format(k=k)
            if not pdf.exists():
                print(f"measure: {name}, {ed}: no {T.show(pdf)}, left out", file=sys.stderr)
                continue
            f = first_page(pdf, phrase)
            if f is None:
                sys.exit(f"measure: {phrase!r} not found in {pdf}")
            ws = run("wordspacing.py", pdf, f, "--worst", "15")
            pg = run("pages.py", pdf, f)
            (M / f"{k}--{tag}.wordspacing.json").write_text(json.dumps(ws, indent=1, ensure_ascii=False))
            (M / f"{k}--{tag}.pages.json").write_text(json.dumps(pg, indent=1))
            total = npages(pdf)
            rows.append({
                "text": name, "edition": ed, "pdf": str(pdf.relative_to(T.BENCH)), "first": f,
                "pages_total": total, "pages_text": total - f + 1,
                "median_gap": ws["median_gap_pt"], "p95_over_median": ws["p95_over_median"],
                "justified": ws["justified_lines"], "loose": ws["loose_lines"], "loose_pct": ws["loose_pct"],
                "hyphen_run": ws["longest_hyphen_run"],
                "mid": pg["mid_chapter_pages"], "short": len(pg["short_mid_chapter"]), "short_pct": pg["short_pct"],
                "long": len(pg["long_pages"]), "unlevel": len(pg["unlevel_spreads"]), "widows": len(pg["widows"]), "orphans": len(pg["orphans"]),
                "widow_pages": pg["widows"], "orphan_pages": pg["orphans"],
            })
    (M / "figures.json").write_text(json.dumps(rows, indent=1))
    head = ("| text | edition | pages (text/total) | median gap pt | p95/median | loose >1.6× (of justified) "
            "| max hyphen run | short mid-chapter pages | pages a line long | unlevel spreads | widows | orphans |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        lines.append(f"| {r['text']} | {r['edition']} | {r['pages_text']} / {r['pages_total']} | {r['median_gap']:.2f} | "
                     f"{r['p95_over_median']:.3f} | {r['loose']} ({r['loose_pct']:.2f} % of {r['justified']}) | "
                     f"{r['hyphen_run']} | {r['short']} of {r['mid']} ({r['short_pct']:.1f} %) | {r['long']} | {r['unlevel']} | "
                     f"{r['widows']} | {r['orphans']} |")
    (M / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"measure: {T.show(M / 'table.md')}, {T.show(M / 'figures.json')}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
