#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs the whole test suite, as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
swift build --build-tests
swift test --skip-build
