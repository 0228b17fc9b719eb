#!/bin/sh
# CI check: the Python reference decoder (written from the spec) must decode every payload the
# Swift encoder writes with each model, for all corpus prompts and 30 seeded adversarial strings + the empty one;
# and train.py must reproduce the committed tables byte for byte.
set -eu
cd "$(dirname "$0")/../.."
CORPUS="${CORPUS:-../shared/corpus}"
python3 tools/promptcoder/embed_model.py --check
python3 tools/promptcoder/train.py --corpus "$CORPUS" --check
swift build -c release --product gcx-prompt-bench
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Every model this build writes or reads (3 is the default; 1 and 2 are still read). The reference
# decoder decodes every payload, then checks the test vectors of spec B.8 (the Swift decoder's first
# 128 bits, probabilities and intervals) step by step; one process per model, so each model is primed
# once, and the three run side by side (the Python decoder is single-threaded and takes about a minute
# per model).
pids=""
for MODEL in 1 2 3; do
    .build/release/gcx-prompt-bench --model "$MODEL" --dump --adversarial 30 "$CORPUS"/prompts-*.jsonl > "$work/$MODEL.jsonl"
    python3 tools/promptcoder/decode_ref.py --jsonl "$work/$MODEL.jsonl" --vectors spec/prompt-model/vectors-"$MODEL".json \
        > "$work/$MODEL.log" 2>&1 &
    pids="$pids $!"
done
status=0
MODEL=1
for pid in $pids; do
    wait "$pid" || status=1
    echo "model $MODEL:"
    cat "$work/$MODEL.log"
    MODEL=$((MODEL + 1))
done
exit $status
