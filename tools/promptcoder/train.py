#!/usr/bin/env python3
"""Train the prompt-coder model tables and write them byte for byte.

Usage: train.py [--corpus DIR] [--out-spec DIR] [--out-swift FILE] [--check]

Training is deterministic. For each model id it reads the training prompts (models 2 and 3 first
the built-in describer's 20 descriptions of spec/prompt-model/builtin-2.jsonl; then
prompts-cid22-a.jsonl and prompts-clic.jsonl, and for model 3 also prompts-cid22-b.jsonl, lines in
file order), picks the phrase vocabulary by counting, appends the dictionary
(spec/prompt-model/words-en-gb.txt.xz, front-coded), and writes spec/prompt-model/model-<id>.bin
plus the Swift source that embeds the same bytes.
With --check it writes nothing and exits 1 if a committed file differs.
See spec/gcx.md §B.3 for the file layout.
"""
import argparse
import collections
import hashlib
import json
import lzma
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import embed_model  # noqa: E402  (the one writer of the Swift table file)

# Per model id: the corpus prompts it is primed with, in order. Models 1 and 2 leave out
# prompts-cid22-b.jsonl, the held-out half they are measured on; model 3 is primed on every real
# description there is, and measured by leaving each prompt out of its own priming
# (learning_curve.py, part 3).
TRAIN_FILES = {1: ["prompts-cid22-a.jsonl", "prompts-clic.jsonl"],
               2: ["prompts-cid22-a.jsonl", "prompts-clic.jsonl"],
               3: ["prompts-cid22-a.jsonl", "prompts-clic.jsonl", "prompts-cid22-b.jsonl"]}
HELD_OUT = "prompts-cid22-b.jsonl"
# Per model id: the committed texts primed before the corpus prompts (spec B.3). Models 2 and 3
# add the built-in describer's form, which model 1 codes at about 1 bit per character.
MODEL_PRELUDES = {1: [], 2: ["builtin-2.jsonl"], 3: ["builtin-2.jsonl"]}
# Byte values that never occur in valid UTF-8; each stands for one phrase.
TOKEN_BYTES = [0xC0, 0xC1] + list(range(0xF5, 0x100))
# Field labels of the raster-scan form: at text start, after a newline or after ". ".
LABEL_RE = re.compile(r"(?:^|\n|\. )[A-Z][A-Za-z-]*: ")

# Dictionary of the model (spec 3, 4.9): lines "word weight", words of a-z only, from the SCOWL
# British lists: weight 8 for the words of british-english-small, 1 for the other words of
# british-english (see spec/prompt-model/words-en-gb.NOTICE).
DICT_FILE = "words-en-gb.txt.xz"
WORD_RE = re.compile(rb"[a-z]+")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_prompts(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["prompt"] for line in f if line.strip()]


def load_prompts(corpus, model_id=1):
    """The training prompts of `model_id`, in priming order."""
    prompts = []
    for name in MODEL_PRELUDES[model_id]:
        prompts += read_prompts(os.path.join(ROOT, "spec", "prompt-model", name))
    for name in TRAIN_FILES[model_id]:
        prompts += read_prompts(os.path.join(corpus, name))
    return prompts


def choose_phrases(prompts):
    """Labels ranked by bytes saved (count * (len - 1)), ties by the phrase bytes."""
    counts = collections.Counter()
    for p in prompts:
        for m in LABEL_RE.finditer(p):
            counts[m.group().encode("utf-8")] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1] * (len(kv[0]) - 1), kv[0]))
    return [ph for ph, c in ranked if c >= 2][: len(TOKEN_BYTES)]


def load_dictionary(path):
    """(word, weight) pairs, sorted by word, words unique."""
    entries = {}
    with lzma.open(path) as f:
        for line in f.read().split(b"\n"):
            if line:
                w, weight = line.split(b" ")
                assert WORD_RE.fullmatch(w) and w not in entries and 1 <= int(weight) <= 127
                entries[w] = int(weight)
    return sorted(entries.items())


def build_model(prompts, words, model_id=1):
    phrases = choose_phrases(prompts)
    out = bytearray(b"GCXM")
    out.append(model_id)
    out += varint(len(phrases))
    for ph in phrases:
        out += varint(len(ph)) + ph
    out += varint(len(prompts))
    for p in prompts:
        b = p.encode("utf-8")
        out += varint(len(b)) + b
    # Dictionary: sorted unique words, front-coded (shared prefix with the previous word, suffix),
    # each with its weight.
    out += varint(len(words))
    prev = b""
    for w, weight in words:
        k = 0
        while k < min(len(w), len(prev)) and w[k] == prev[k]:
            k += 1
        out += varint(k) + varint(len(w) - k) + w[k:] + varint(weight)
        prev = w
    return bytes(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus")))
    ap.add_argument("--out-spec", default=os.path.join(ROOT, "spec", "prompt-model"))
    ap.add_argument("--out-swift", default=os.path.join(ROOT, "Sources", "GCXPromptCoder"),
                    help="folder of the generated ModelTables+ModelN.swift files")
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = ap.parse_args()

    words = load_dictionary(os.path.join(ROOT, "spec", "prompt-model", DICT_FILE))
    outputs = {}
    blobs = {}
    for model_id in sorted(MODEL_PRELUDES):
        blob = build_model(load_prompts(args.corpus, model_id), words, model_id)
        blobs[model_id] = blob
        outputs[os.path.join(args.out_spec, "model-%d.bin" % model_id)] = blob
        swift = os.path.join(args.out_swift, os.path.basename(embed_model.swift_path(model_id)))
        outputs[swift] = embed_model.swift_source(blob, model_id).encode("utf-8")
    status = 0
    for path, data in outputs.items():
        status |= embed_model.write_or_check(path, data, args.check)
    for model_id, blob in blobs.items():
        print("model-%d.bin %d bytes, sha256 %s" % (model_id, len(blob), hashlib.sha256(blob).hexdigest()))
    sys.exit(status)


if __name__ == "__main__":
    main()
