#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs the whole test suite, as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
swift build --build-tests
swift test --skip-build
# The prompt coder's tables are reproduced from the corpus byte for byte, and the second decoder
# (Python, written from spec/gcx.md Appendix B) agrees with the Swift encoder.
CORPUS="$(pwd)/../shared/corpus" tools/promptcoder/check_ref.sh
