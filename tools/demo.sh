#!/usr/bin/env bash
# The main job on a fresh Debian machine, offline, with the built-in defaults: set up, build, pack
# the sample photos in fixtures/photos, validate the archive, extract prompts, thumbnails and
# reconstructions, and report the archive's size, bits per pixel and ratio against the originals.
#
#     tools/demo.sh [OUTPUT_FOLDER]      (default /tmp/gcx-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
swift build -c release --product gcx
gcx=.build/release/gcx
out=${1:-/tmp/gcx-demo}
rm -rf "$out"
mkdir -p "$out"

$gcx pack fixtures/photos -o "$out/photos.gcx"
$gcx validate "$out/photos.gcx"
$gcx list "$out/photos.gcx"
$gcx extract "$out/photos.gcx" -o "$out/extracted" --what all

archive=$(stat -c %s "$out/photos.gcx")
originals=$(cat fixtures/photos/*.jpg | wc -c)
pixels=$($gcx list --json "$out/photos.gcx" | python3 -c 'import json,sys; print(sum(e["width"]*e["height"] for e in json.load(sys.stdin)))')
awk -v a="$archive" -v o="$originals" -v p="$pixels" -v dir="$out" 'BEGIN {
    printf "\narchive: %d bytes for %d pixels = %.4f bits per pixel\n", a, p, a * 8 / p
    printf "originals (JPEG q90): %d bytes = %.3f bits per pixel; the archive is 1/%.0f of them\n", o, o * 8 / p, o / a
    printf "as 24-bit RGB: %d bytes; the archive is 1/%.0f of it\n", p * 3, p * 3 / a
    printf "reconstructions, thumbnails and prompts: %s/extracted\n", dir
}'
