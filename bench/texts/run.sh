#!/usr/bin/env bash
# The whole texts bench, in order: sources, manuscripts, word check, quire's PDFs,
# LaTeX's PDFs, figures. Everything is written under target/bench-texts/ (or
# $QUIRE_BENCH_TEXTS; a relative path is taken from the repository root).
#
#   cargo build --release          # first: the bench measures target/release/quire
#   bench/texts/run.sh             # about 3 minutes, most of it lualatex
#   bench/texts/run.sh --no-latex  # quire's side only: about a minute
#   bench/texts/run.sh [--no-latex] KEY...   # some texts: moby-dick parents-assistant manifesto
#
# QUIRE=PATH (from the repository root) or QUIRE=COMMAND measures another quire
# binary. The table is printed at the end and kept in
# target/bench-texts/measure/table.md. See bench/texts/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/../.."

die() {
    printf 'run: ERROR: %s\n' "$*" >&2
    exit 1
}

latex=1
keys=()
for a in "$@"; do
    case "$a" in
        --no-latex) latex=0 ;;
        -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $a (see --help)" ;;
        moby-dick | parents-assistant | manifesto) keys+=("$a") ;;
        *) die "unknown text $a (moby-dick, parents-assistant, manifesto)" ;;
    esac
done

BENCH="${QUIRE_BENCH_TEXTS:-target/bench-texts}"
mkdir -p "$BENCH"
BENCH="$(cd "$BENCH" && pwd)"
export QUIRE_BENCH_TEXTS="$BENCH"
QUIRE="${QUIRE:-target/release/quire}"
command -v "$QUIRE" >/dev/null || die "no quire binary at $QUIRE: build it first with cargo build --release (or set QUIRE)"
command -v python3 >/dev/null || die "python3 is required"
for tool in pdftotext pdfinfo; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install poppler-utils)"
done

"$HERE/fetch-texts.sh"
if [[ ${#keys[@]} -eq 0 ]]; then
    for k in moby-dick parents-assistant manifesto; do
        if [[ -f "$BENCH/sources/$k.src.txt" ]]; then
            keys+=("$k")
        fi
    done
fi
[[ ${#keys[@]} -gt 0 ]] || die "no source text was fetched"
echo "run: texts: ${keys[*]}"

"$HERE/to-quire.py" "${keys[@]}"
"$HERE/check-words.py" "${keys[@]}"

mkdir -p "$BENCH/quire"
for k in "${keys[@]}"; do
    log="$BENCH/quire/$k.log"
    "$QUIRE" build "$BENCH/manuscripts/$k.md" -o "$BENCH/quire" --format pdf >"$log" 2>&1 \
        || { cat "$log" >&2; die "quire build failed on $k"; }
    kinds="$(grep -o 'warning\[[a-z-]*\]' "$log" | sort | uniq -c | awk '{printf " %s %s", $2, $1}' || true)"
    echo "run: $(tail -n 1 "$log")${kinds:+;$kinds}"
done

if [[ $latex == 1 ]]; then
    "$HERE/to-latex.py" "${keys[@]}"
    names=()
    for k in "${keys[@]}"; do
        names+=("$k-strict" "$k-default")
    done
    "$HERE/build-latex.sh" "${names[@]}"
else
    echo "run: --no-latex: LaTeX's editions not built; measure.py takes any an earlier run left" \
        "(they do not depend on quire)"
fi

"$HERE/measure.py" "${keys[@]}"
