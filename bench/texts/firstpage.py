#!/usr/bin/env python3
"""The 1-based index of the first page of a PDF whose text holds a phrase.

    bench/texts/firstpage.py PDF PHRASE

measure.py uses it to skip the front matter (half-title, title, colophon,
contents) of quire's and LaTeX's editions alike. Needs pdftotext and pdfinfo
(poppler-utils).
"""
import subprocess
import sys


def first_page(pdf, phrase):
    """The page number, or None when no page holds the phrase."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(next(l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout.split("\f")
    for i, t in enumerate(text[:n], 1):
        if phrase in " ".join(t.split()):
            return i
    return None


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__.strip())
    page = first_page(argv[0], argv[1])
    if page is None:
        sys.exit(f"firstpage: {argv[1]!r} not found in {argv[0]}")
    print(page)


if __name__ == "__main__":
    main(sys.argv[1:])
