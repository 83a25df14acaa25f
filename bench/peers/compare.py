#!/usr/bin/env python3
"""quire beside typst and pandoc: whole processes, side by side, medians of five.

    cargo build --release
    pip install typst==0.15.0 pypandoc-binary==1.17
    bench/peers/compare.py            # both comparisons, about a minute
    bench/peers/compare.py --runs 9   # more runs

Two comparisons, as the speed goals state them:

1. The 235k-word book (the sample's body fifty times, each under `# Part N`):
   `quire build` of all four editions against typst 0.15 setting the same text
   as one PDF on the same page (A5, 103 mm measure, EB Garamond 11.5/15 pt,
   justified and hyphenated, each part on a right-hand page). pandoc writes the
   typst markup from the manuscript once, before timing.
2. The sample: `quire build` of all four editions against pandoc 3.9 writing the
   EPUB alone.

Each run is a fresh process; wall time and peak memory (the child's maxrss) are
taken with os.wait4, runs alternate between the tools so that a busy machine
hurts both alike. Writes nothing into the source tree: everything goes under
target/bench-peers/.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "bench-peers"
QUIRE = ROOT / "target" / "release" / "quire"
SAMPLE = ROOT / "manuscript" / "lessons-of-the-paris-commune.md"

# The print edition's page as quire sets it by default.
TYPST_HEAD = """\
#set page(width: 148mm, height: 210mm, margin: (inside: 20mm, outside: 25mm, top: 20mm, bottom: 25mm), numbering: "1")
#set text(font: "EB Garamond", size: 11.5pt, lang: "en", hyphenate: true, top-edge: 1em, bottom-edge: 0pt)
#set par(justify: true, leading: 15pt - 1em, spacing: 15pt - 1em, first-line-indent: 1em)
#show heading.where(level: 1): it => pagebreak(weak: true, to: "odd") + it
#let horizontalrule = align(center, text[⁂])
"""

TYPST_RUN = "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]])"


def die(msg):
    sys.exit(f"compare: {msg}")


def pandoc():
    try:
        import pypandoc  # noqa: PLC0415
    except ImportError:
        die("pandoc not found: pip install pypandoc-binary==1.17")
    return pypandoc.get_pandoc_path()


def run(cmd, cwd):
    """Runs a command; returns (seconds, peak MiB)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        die(f"{' '.join(map(str, cmd))} failed:\n{err}")
    return dt, usage.ru_maxrss / 1024


def book_of_fifty():
    text = SAMPLE.read_text()
    end = text.index("\n---\n", 3) + 5
    front, body = text[:end], text[end:]
    book = front + "".join(f"\n# Part {n}\n\n{body}\n" for n in range(1, 51))
    # The sample's cover is relative to the manuscript folder; the copy lives
    # elsewhere, so it draws its own.
    return "\n".join(l for l in book.splitlines() if not l.startswith("cover:")) + "\n"


def compare(name, a, b, runs):
    """Alternates the two commands; prints medians and ratios."""
    ta, tb = [], []
    for _ in range(runs):
        ta.append(run(*a[1:]))
        tb.append(run(*b[1:]))
    med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
    (sa, ma), (sb, mb) = (med(ta, 0), med(ta, 1)), (med(tb, 0), med(tb, 1))
    print(f"\n{name} (medians of {runs})")
    print(f"  {a[0]:<40} {sa:7.3f} s {ma:7.0f} MiB")
    print(f"  {b[0]:<40} {sb:7.3f} s {mb:7.0f} MiB")
    print(f"  ratio                                    {sa / sb:7.2f}×  {ma / mb:6.2f}×")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    if not QUIRE.exists():
        die(f"no {QUIRE}: cargo build --release")
    try:
        import typst  # noqa: F401, PLC0415
    except ImportError:
        die("typst not found: pip install typst==0.15.0")
    pd = pandoc()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "book235.md").write_text(book_of_fifty())
    subprocess.run([pd, "book235.md", "-t", "typst", "-o", "body.typ"], cwd=OUT, check=True)
    (OUT / "book235.typ").write_text(TYPST_HEAD + (OUT / "body.typ").read_text())
    fonts = ROOT / "fonts" / "EBGaramond"
    print(f"quire {subprocess.run([QUIRE, '--version'], capture_output=True, text=True).stdout.strip()}, "
          f"typst 0.15 (PyPI), {subprocess.run([pd, '--version'], capture_output=True, text=True).stdout.splitlines()[0]}; "
          f"{os.cpu_count()} cores")
    compare(
        "235k-word book",
        ("quire build, all four editions", [QUIRE, "build", "book235.md", "-o", "quire"], OUT),
        ("typst compile, PDF only", [sys.executable, "-c", TYPST_RUN, "book235.typ", "typst.pdf", fonts], OUT),
        a.runs,
    )
    compare(
        "the sample",
        ("quire build, all four editions", [QUIRE, "build", SAMPLE, "-o", OUT / "sample"], ROOT),
        ("pandoc, EPUB only", [pd, SAMPLE, "-o", OUT / "sample-pandoc.epub"], ROOT),
        a.runs,
    )


if __name__ == "__main__":
    main()
