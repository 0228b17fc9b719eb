#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer,address).
#
#     tools/fuzz.sh [TARGET|all] [SECONDS]      (default: all, 60 s each)
#
# Targets: archive, validate, prompt, thumbnail, image, form (tools/fuzz/Harness.swift), one per core
# at a time (GCX_FUZZ_JOBS overrides). Each runs for SECONDS from its seed corpus (fixtures/conformance
# for archives, tools/fuzz/seeds for prompts and
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

# libFuzzer runs one process per target: run as many side by side as there are cores
# (GCX_FUZZ_JOBS overrides), each for the full SECONDS.
jobs=${GCX_FUZZ_JOBS:-$(nproc)}

fuzz_one() {
    local target=$1 seeds
    case $target in
        archive|validate) seeds="fixtures/conformance/valid fixtures/conformance/invalid" ;;
        prompt) seeds="tools/fuzz/seeds/prompt" ;;
        thumbnail) seeds="tools/fuzz/seeds/thumbnail" ;;
        image) seeds="Tests/GCXImageTests/Fixtures" ;;
        form) seeds="tools/fuzz/seeds/form" ;;
    esac
    local corpus=.build-fuzz/corpus/$target
    mkdir -p "$corpus"
    if ! LSAN_OPTIONS=suppressions=tools/fuzz/lsan.supp GCX_FUZZ_TARGET=$target "$fuzzer" "$corpus" $seeds -max_total_time="$seconds" -timeout=20 \
            -malloc_limit_mb=256 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
            -artifact_prefix=.build-fuzz/crashes/$target- > .build-fuzz/$target.log 2>&1; then
        for crash in .build-fuzz/crashes/$target-*; do
            case $crash in *.min) continue ;; esac
            [ -f "$crash" ] || continue
            LSAN_OPTIONS=suppressions=tools/fuzz/lsan.supp GCX_FUZZ_TARGET=$target "$fuzzer" -minimize_crash=1 -runs=20000 -malloc_limit_mb=256 \
                -exact_artifact_path="$crash.min" "$crash" > /dev/null 2>&1 || true
            echo "kept $crash (minimised: $crash.min)" >> .build-fuzz/$target.log
        done
        return 1
    fi
}

for target in $targets; do
    case $target in
        archive|validate|prompt|thumbnail|image|form) ;;
        *) echo "unknown target $target (archive validate prompt thumbnail image form)"; exit 2 ;;
    esac
done

declare -A pid_of
running=0
for target in $targets; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    echo "== $target: ${seconds}s"
    fuzz_one "$target" &
    pid_of[$target]=$!
    running=$((running + 1))
done

status=0
for target in $targets; do
    echo "== $target"
    if ! wait "${pid_of[$target]}"; then
        status=1
        tail -30 .build-fuzz/$target.log
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" .build-fuzz/$target.log | tr '\n' ' ' || true
    echo
done
exit $status
