#!/usr/bin/env python3
"""Check that every word of each source text reaches its manuscript, and no other
word does; count the manuscripts' words.

    bench/texts/check-words.py              # every manuscript to-quire.py wrote
    bench/texts/check-words.py manifesto    # one

Words are runs of letters/digits (apostrophes inside kept), compared as a
multiset, case-folded. The source is cut where textmodel.py cuts it (Moby-Dick
and Edgeworth: the bracketed NLTK title line; the Manifesto: its title page and
the publisher's advertisements after THE END.). Reported: words only in the
source (lost) and only in the manuscript (added). Exit status 1 when any word is
lost or added.
Word counts: "body" = words of the manuscript after its front matter, Markdown
syntax removed (headings, paragraphs, notes); "wc" = `wc -w` of that body.
"""
import collections
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import textmodel as T  # noqa: E402

WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['\u2019][A-Za-z]+)*")


def words(t):
    t = t.replace("\u2019", "'").replace("\u2018", "'")
    return collections.Counter(w.lower() for w in WORD.findall(t))


def source_text(key):
    t = T.source(key).read_text(encoding="utf-8").replace("\r", "")
    lines = t.split("\n")
    if key == "manifesto":
        end = next(i for i, l in enumerate(lines) if l.strip() == "THE END.")
        lines = lines[31:end]
        t = "\n".join(lines)
        t = re.sub(r"\(([a-d])\)", " ", t)      # note marks and labels
    else:
        t = "\n".join(lines[1:])
    return t


def body(md):
    t = md.split("\n---\n", 1)[1]
    t = re.sub(r"\[\^\d+\]:?", " ", t)
    t = re.sub(r"^#+ ", "", t, flags=re.M)
    t = re.sub(r"^\s*\| ?", "", t, flags=re.M)
    t = t.replace("\\", "")
    return t


def main(asked):
    bad = 0
    for k in T.keys(asked, "check-words"):
        path = T.MANUSCRIPTS / f"{k}.md"
        if not path.is_file():
            sys.exit(f"check-words: {T.show(path)} is missing: run bench/texts/to-quire.py")
        b = body(path.read_text(encoding="utf-8"))
        src, got = words(source_text(k)), words(b)
        lost, added = src - got, got - src
        bad += sum(lost.values()) + sum(added.values())
        print(f"check-words: {k}: manuscript body {sum(got.values())} words (wc -w {len(b.split())}), "
              f"source {sum(src.values())}; lost {sum(lost.values())} {dict(lost.most_common(8))}; "
              f"added {sum(added.values())} {dict(added.most_common(8))}")
    if bad:
        sys.exit("check-words: FAILED: the manuscripts do not hold exactly the sources' words")


if __name__ == "__main__":
    main(sys.argv[1:])
