#!/usr/bin/env python3
"""Write the bench's quire manuscripts: one Markdown file per source text.

    bench/texts/to-quire.py              # every fetched text: manuscripts/{KEY}.md
    bench/texts/to-quire.py manifesto    # one (moby-dick, parents-assistant, manifesto)

The texts are parsed by textmodel.py (shared with to-latex.py), which also says
where the files are (target/bench-texts/ of the repository). Front matter: title,
author (a list), date, lang, source. Chapters are `#` headings (so quire sets a
book: front matter, contents, chapters opening on right-hand pages), sections
`##`, notes GFM footnotes `[^n]` with `[^n]: text` definitions after the
paragraph that first refers to them (continuation paragraphs indented), emphasis
`*…*`, verse and other line-kept passages Pandoc line blocks (`| `). Everything
else that Markdown would read as markup is escaped.
"""
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import textmodel as T  # noqa: E402

ESC = re.compile(r"([\\`*_\[\]<>#|~&])")


def inline(t: str) -> str:
    t = ESC.sub(r"\\\1", t)
    t = t.replace(T.EM_OPEN, "*").replace(T.EM_CLOSE, "*")
    t = re.sub(T.NOTE_OPEN + r"(\d+)" + T.NOTE_CLOSE, r"[^\1]", t)
    return t


def para_start(t: str) -> str:
    """Escape what would open a list, a heading or a thematic break."""
    t = re.sub(r"^(\d+)([.)])(\s|$)", r"\1\\\2\3", t)
    t = re.sub(r"^([-+=])", r"\\\1", t)
    return t


def block(b, indent=""):
    if b[0] == "p":
        return indent + para_start(inline(b[1]))
    if b[0] == "lines":
        return "\n".join(indent + "| " + " " * ind + inline(t) for ind, t in b[1])
    if b[0] == "h2":
        return "## " + inline(b[1])
    raise ValueError(b)


def note_refs(t: str):
    return [int(n) for n in re.findall(T.NOTE_OPEN + r"(\d+)" + T.NOTE_CLOSE, t)]


def block_text(b):
    return " ".join(t for _, t in b[1]) if b[0] == "lines" else b[1]


def manuscript(book: T.Book) -> str:
    out = ["---", f"title: \"{book.title}\"", "author:"]
    out += [f"  - {a}" for a in book.author]
    out += [f"date: {book.date}", "lang: en", f"source: \"{book.source}\"", "---", ""]
    for ch in book.chapters:
        out.append("# " + inline(ch.title))
        out.append("")
        pend = note_refs(ch.title)
        for b in ch.blocks:
            out.append(block(b))
            out.append("")
            for n in pend + note_refs(block_text(b)):
                nb = book.notes[n]
                first = block(nb[0])
                if nb[0][0] == "lines":
                    # a note that opens with kept lines: its first line on the label line
                    first = first.replace("\n", "\n    ")
                out.append(f"[^{n}]: " + first)
                for more in nb[1:]:
                    out.append("")
                    if more[0] == "lines":
                        out.append(block(more, indent="    ").replace("\n", "\n    "))
                    else:
                        out.append(block(more, indent="    "))
                out.append("")
            pend = []
    return "\n".join(out).rstrip() + "\n"


def main(asked):
    T.MANUSCRIPTS.mkdir(parents=True, exist_ok=True)
    for k in T.keys(asked, "to-quire"):
        book = T.load(k)
        path = T.MANUSCRIPTS / f"{k}.md"
        path.write_text(manuscript(book), encoding="utf-8")
        print(f"to-quire: {T.show(path)}: "
              f"{len(book.chapters)} chapters, {len(book.notes)} notes"
              f" ({book.unmatched_markers} reference marks without a note left as printed)")


if __name__ == "__main__":
    main(sys.argv[1:])
