#!/usr/bin/env bash
# The PRIOR tables of the tiny codecs (spec/tiny-model/priors-1.txt for codecs 3 and 4, priors-2.txt for
# codec 5, and their Swift copies) are reproduced byte for byte by the trainer from the CLIC and CID22
# photos in ../shared/datasets.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d ../shared/datasets/clic ] || { echo "check_priors: ../shared/datasets is missing"; exit 1; }
swift build -c release --product gcx-thumb-bench > /dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench="$(swift build -c release --show-bin-path)/gcx-thumb-bench"
"$bench" --train ../shared/datasets/clic,../shared/datasets/cid22 \
    --confidence 8 --spec-out "$work/priors-1.txt" --swift-out "$work/TinyImagePriors.swift" unused > /dev/null
"$bench" --train ../shared/datasets/clic,../shared/datasets/cid22 --codec 5 \
    --confidence 8 --spec-out "$work/priors-2.txt" --swift-out "$work/TinyImagePriors+Codec5.swift" unused > /dev/null
# The generated files name where they were written; compare the tables.
diff <(grep -v '^#' spec/tiny-model/priors-1.txt) <(grep -v '^#' "$work/priors-1.txt")
diff <(grep -v '^//' Sources/GCXThumbnailCodec/TinyImagePriors.swift) <(grep -v '^//' "$work/TinyImagePriors.swift")
diff <(grep -v '^#' spec/tiny-model/priors-2.txt) <(grep -v '^#' "$work/priors-2.txt")
diff <(grep -v '^//' Sources/GCXThumbnailCodec/TinyImagePriors+Codec5.swift) <(grep -v '^//' "$work/TinyImagePriors+Codec5.swift")
echo "check_priors: the PRIOR tables of codecs 3 and 4 and of codec 5 reproduced from CLIC and CID22"
