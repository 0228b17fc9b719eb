#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs the whole test suite, as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
# Warnings are errors here, so none creeps in unseen.
swift build --build-tests -Xswiftc -warnings-as-errors
# The end-to-end tests drive a release gcx: the binary users run, and 5-15x faster than debug.
swift build -c release --product gcx
GCX_BINARY="$(swift build -c release --show-bin-path)/gcx" swift test --skip-build
# The evaluation harness: every figure it reports recomputed from the files it names.
GCX_BINARY="$(swift build -c release --show-bin-path)/gcx" python3 -m pytest -q tools/eval
# The prompt coder's tables are reproduced from the corpus byte for byte, and the second decoder
# (Python, written from spec/gcx.md Appendix B) agrees with the Swift encoder.
CORPUS="$(pwd)/../shared/corpus" tools/promptcoder/check_ref.sh
# Thumbnail codec 3's trained table is reproduced from CLIC and CID22 byte for byte.
tools/thumb-bench/check_priors.sh
# The public API of GCXBytes and GCX: every declaration documented, every DocC link resolved.
tools/docs/check.sh
# Brief coverage-guided fuzzing of every harness (tools/fuzz.sh); locally, run it for longer.
tools/fuzz.sh all 30
