#!/usr/bin/env python3
"""Write the bench's LaTeX editions of the same texts (LuaLaTeX + microtype).

    bench/texts/to-latex.py              # every fetched text: latex/{KEY}-strict.tex, {KEY}-default.tex
    bench/texts/to-latex.py manifesto    # one

The files go to target/bench-texts/latex/ (see textmodel.py), with a copy of the
repository's fonts/EBGaramond/ in latex/fonts/; build-latex.sh typesets them.
The text comes from textmodel.py, shared with to-quire.py, so both editions set
the same characters and notes. The page is quire's: A5 (148 x 210 mm), margins
inner 17, top 20, outer 28 mm (measure 103 mm); the same EB Garamond files quire
ships, at 11.5/15 pt with old-style figures; justified; microtype with its
LuaLaTeX defaults (protrusion and expansion); US English hyphenation (babel),
2/3 letter minima as quire; \\footnote for notes at 9.2/11.2 pt; book class,
openright, \\chapter* for each chapter (with contents line and running heads),
\\section* for sections, verse for kept lines; flush bottom (the class's default
with twoside; \\raggedbottom not used) on a text block of exactly 29 lines, as
quire's page: textheight = \\topskip 11pt + 28 x 15pt = 431pt, so the last
baseline stands where quire's does, about 37.7 mm above the foot (quire's
nominal 34 mm bottom margin would leave LaTeX 13 pt for every page to stretch);
the blank verso before a chapter carries no running head or folio (as quire's).
\\emergencystretch=3em (quire's emergency stretch; LaTeX's default 0 leaves
overfull lines).
Two variants that differ only in the widow and orphan penalties:
  -strict:  \\widowpenalty=10000 \\clubpenalty=10000 (quire's rule: never a widow or orphan)
  -default: the class's own 150/150
Running heads as quire's: author centred on versos, title on rectos, in italics;
folio centred at the foot; none on chapter openings.
"""
import re
import shutil
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import textmodel as T  # noqa: E402

OUT = T.BENCH / "latex"
FONTS = T.ROOT / "fonts" / "EBGaramond"
FACES = ["EBGaramond-Regular.ttf", "EBGaramond-Italic.ttf", "EBGaramond-Bold.ttf",
         "EBGaramond-BoldItalic.ttf", "OFL.txt"]

SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
           "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def esc(t: str) -> str:
    return "".join(SPECIAL.get(c, c) for c in t)


def inline(t: str, book: T.Book, notes=True) -> str:
    parts = re.split("(" + T.NOTE_OPEN + r"\d+" + T.NOTE_CLOSE + ")", t)
    out = []
    for p in parts:
        m = re.fullmatch(T.NOTE_OPEN + r"(\d+)" + T.NOTE_CLOSE, p)
        if m:
            if notes:
                out.append(r"\footnote{" + note(book, int(m.group(1))) + "}")
            continue
        s = esc(p)
        s = s.replace(T.EM_OPEN, r"\emph{").replace(T.EM_CLOSE, "}")
        # a line may end after an em dash between words, as in quire
        s = re.sub("\u2014(?=[A-Za-z\u2018\u201c])", "\u2014\\\\hspace{0pt}", s)
        out.append(s)
    return "".join(out)


def lines_env(lines, book):
    rows = []
    for ind, t in lines:
        pre = rf"\hspace*{{{ind * 0.5:g}em}}" if ind else ""
        rows.append(pre + inline(t, book))
    return "\\begin{verse}\n" + " \\\\\n".join(rows) + "\n\\end{verse}"


def note(book, n):
    parts = []
    for b in book.notes[n]:
        if b[0] == "p":
            parts.append(inline(b[1], book))
        else:
            parts.append("\\par\\noindent " + " \\\\\n".join(
                (rf"\hspace*{{{ind * 0.5:g}em}}" if ind else "") + inline(t, book) for ind, t in b[1]) + "\\par")
    return "\\par ".join(parts)


def block(b, book):
    if b[0] == "p":
        return inline(b[1], book)
    if b[0] == "lines":
        return lines_env(b[1], book)
    if b[0] == "h2":
        return r"\section*{" + inline(b[1], book) + "}"
    raise ValueError(b)


PREAMBLE = r"""\documentclass[11pt,twoside,openright]{book}
\usepackage[paperwidth=148mm,paperheight=210mm,inner=17mm,outer=28mm,top=20mm,textheight=431pt,
  headheight=14pt,headsep=8mm,footskip=14mm]{geometry}
\usepackage{fontspec}
\setmainfont{EBGaramond}[Path=./fonts/, Extension=.ttf, UprightFont=*-Regular,
  ItalicFont=*-Italic, BoldFont=*-Bold, BoldItalicFont=*-BoldItalic, Numbers=OldStyle]
\usepackage[english]{babel}
\usepackage{microtype}
\makeatletter
\renewcommand\normalsize{\@setfontsize\normalsize{11.5pt}{15pt}%
  \abovedisplayskip 11pt plus3pt minus6pt \belowdisplayskip\abovedisplayskip
  \abovedisplayshortskip\z@ plus3pt \belowdisplayshortskip 6.5pt plus3.5pt minus3pt}
\renewcommand\footnotesize{\@setfontsize\footnotesize{9.2pt}{11.2pt}}
\makeatother
\normalsize
\setlength\parindent{1em}
\usepackage{fancyhdr}
\pagestyle{fancy}
\fancyhf{}
\fancyhead[CE]{\small\itshape AUTHOR}
\fancyhead[CO]{\small\itshape TITLE}
\fancyfoot[C]{\small\thepage}
\renewcommand\headrulewidth{0pt}
\fancypagestyle{plain}{\fancyhf{}\fancyfoot[C]{\small\thepage}\renewcommand\headrulewidth{0pt}}
\lefthyphenmin=2 \righthyphenmin=3
\emergencystretch=3em % as quire's emergency pass; without it LaTeX leaves overfull lines
% the blank verso before a right-hand chapter opening is blank: no head, no folio
\makeatletter
\renewcommand\cleardoublepage{\clearpage\if@twoside\ifodd\c@page\else
  \hbox{}\thispagestyle{empty}\newpage\fi\fi}
\makeatother
PENALTIES
\begin{document}
\frontmatter
\begin{titlepage}
\centering\vspace*{30mm}
{\Huge TITLE\par}\vspace{12mm}
{\large\scshape AUTHOR\par}
\end{titlepage}
\cleardoublepage
\tableofcontents
\mainmatter
"""


def document(book: T.Book, strict: bool) -> str:
    authors = " and ".join(book.author)
    pen = (r"\widowpenalty=10000 \clubpenalty=10000" if strict
           else r"% widow and orphan penalties: the class's defaults (150, 150)")
    out = [PREAMBLE.replace("AUTHOR", esc(authors))
           .replace("TITLE", esc(book.title)).replace("PENALTIES", pen)]
    for ch in book.chapters:
        plain = inline(ch.title, book, notes=False)
        out.append(r"\chapter*{" + inline(ch.title, book) + "}")
        out.append(r"\addcontentsline{toc}{chapter}{" + plain + "}")
        out.append(r"\markboth{" + plain + "}{" + plain + "}")
        out.append("")
        for b in ch.blocks:
            out.append(block(b, book))
            out.append("")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def copy_fonts():
    """The faces quire ships, beside the .tex files (lualatex runs in OUT)."""
    (OUT / "fonts").mkdir(parents=True, exist_ok=True)
    for f in FACES:
        if not (FONTS / f).is_file():
            sys.exit(f"to-latex: {T.show(FONTS / f)} is missing")
        shutil.copyfile(FONTS / f, OUT / "fonts" / f)


def main(asked):
    keys = T.keys(asked, "to-latex")
    copy_fonts()
    for k in keys:
        book = T.load(k)
        for variant, strict in (("strict", True), ("default", False)):
            path = OUT / f"{k}-{variant}.tex"
            path.write_text(document(book, strict), encoding="utf-8")
            print(f"to-latex: {T.show(path)}")


if __name__ == "__main__":
    main(sys.argv[1:])
