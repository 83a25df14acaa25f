#!/usr/bin/env bash
# Typesets the bench's LaTeX editions: every target/bench-texts/latex/*.tex that
# to-latex.py wrote (or those named), with lualatex, twice each (the second run puts
# the page numbers into the contents), one after another. About two minutes for all
# six files on a 2-core machine (Moby-Dick: 13-25 s a run, depending on the load).
#
#   bench/texts/build-latex.sh                      # every .tex
#   bench/texts/build-latex.sh manifesto-strict     # KEY-VARIANT ...
#
# Needs lualatex (texlive-luatex), fontspec and microtype (texlive-latex-recommended;
# geometry, fancyhdr and babel's English come with it in texlive-latex-base) and
# pdfinfo (poppler-utils). The fonts are the repository's, copied by to-latex.py.
# Prints, per file, its pages and the overfull/underfull boxes of its log; lualatex's
# own output is in latex/NAME.out, its log in latex/NAME.log.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BENCH="${QUIRE_BENCH_TEXTS:-target/bench-texts}"

die() {
    printf 'build-latex: ERROR: %s\n' "$*" >&2
    exit 1
}

for tool in lualatex pdfinfo; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install texlive-luatex texlive-latex-recommended poppler-utils)"
done
[[ -d "$BENCH/latex" ]] || die "no $BENCH/latex: run bench/texts/to-latex.py first"
cd "$BENCH/latex"

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
    shopt -s nullglob
    for f in *.tex; do
        names+=("${f%.tex}")
    done
    [[ ${#names[@]} -gt 0 ]] || die "no .tex file in $BENCH/latex: run bench/texts/to-latex.py first"
fi

for n in "${names[@]}"; do
    [[ -f "$n.tex" ]] || die "no $BENCH/latex/$n.tex (names are KEY-strict or KEY-default)"
    for run in 1 2; do
        lualatex -interaction=nonstopmode -halt-on-error "$n.tex" >"$n.out" 2>&1 \
            || die "lualatex failed on $n (run $run; see $BENCH/latex/$n.log)"
    done
    pages="$(pdfinfo "$n.pdf" | awk '/^Pages:/{print $2}')"
    over="$(grep -c '^Overfull \\hbox' "$n.log" || true)"
    under="$(grep -c '^Underfull \\hbox' "$n.log" || true)"
    vbox="$(grep -c '^Underfull \\vbox' "$n.log" || true)"
    echo "build-latex: $n.pdf $pages pages, $over overfull hbox, $under underfull hbox," \
        "$vbox underfull vbox (pages stretched beyond \\vbadness)"
done
