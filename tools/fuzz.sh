#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer,address).
#
#     tools/fuzz.sh [TARGET|all] [SECONDS]      (default: all, 60 s each)
#
# Targets: archive, validate, prompt, thumbnail, image, form (tools/fuzz/Harness.swift). Each runs for
# SECONDS from its seed corpus (fixtures/conformance for archives, tools/fuzz/seeds for prompts and
# thumbnails, the image test fixtures and PngSuite for photos) plus what earlier runs found
# (.build-fuzz/corpus/TARGET). No single allocation may pass 256 MiB, whatever an input claims.
# A crash, leak, timeout or oversized allocation stops the run: the input is kept and minimised
# under .build-fuzz/crashes/, and the script exits 1. Replay one with
# `swift run gcx-fuzz TARGET FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=${1:-all}
seconds=${2:-60}
[ "$targets" = all ] && targets="archive validate prompt thumbnail image form"

swift build --product gcx-fuzz --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | tail -1
fuzzer=.build-fuzz/debug/gcx-fuzz
mkdir -p .build-fuzz/crashes

status=0
for target in $targets; do
    case $target in
        archive|validate) seeds="fixtures/conformance/valid fixtures/conformance/invalid" ;;
        prompt) seeds="tools/fuzz/seeds/prompt" ;;
        thumbnail) seeds="tools/fuzz/seeds/thumbnail" ;;
        image) seeds="Tests/GCXImageTests/Fixtures" ;;
        form) seeds="tools/fuzz/seeds/form" ;;
        *) echo "unknown target $target (archive validate prompt thumbnail image form)"; exit 2 ;;
    esac
    corpus=.build-fuzz/corpus/$target
    mkdir -p "$corpus"
    echo "== $target: ${seconds}s"
    if ! LSAN_OPTIONS=suppressions=tools/fuzz/lsan.supp GCX_FUZZ_TARGET=$target "$fuzzer" "$corpus" $seeds -max_total_time="$seconds" -timeout=20 \
            -malloc_limit_mb=256 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
            -artifact_prefix=.build-fuzz/crashes/$target- > .build-fuzz/$target.log 2>&1; then
        status=1
        tail -30 .build-fuzz/$target.log
        for crash in .build-fuzz/crashes/$target-*; do
            case $crash in *.min) continue ;; esac
            [ -f "$crash" ] || continue
            LSAN_OPTIONS=suppressions=tools/fuzz/lsan.supp GCX_FUZZ_TARGET=$target "$fuzzer" -minimize_crash=1 -runs=20000 -malloc_limit_mb=256 \
                -exact_artifact_path="$crash.min" "$crash" > /dev/null 2>&1 || true
            echo "kept $crash (minimised: $crash.min)"
        done
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" .build-fuzz/$target.log | tr '\n' ' '
    echo
done
exit $status
