#!/usr/bin/env python3
"""Train the prompt-coder model tables and write them byte for byte.

Usage: train.py [--corpus DIR] [--out-spec DIR] [--out-swift FILE] [--check]

Training is deterministic: it reads the training prompts (prompts-cid22-a.jsonl, then
prompts-clic.jsonl, lines in file order), picks the phrase vocabulary by counting, and
appends the dictionary (spec/prompt-model/words-en-gb.txt.xz, front-coded), and
writes spec/prompt-model/model-<id>.bin plus the Swift source that embeds the same bytes.
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

MODEL_ID = 1
TRAIN_FILES = ["prompts-cid22-a.jsonl", "prompts-clic.jsonl"]
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


def load_prompts(corpus):
    prompts = []
    for name in TRAIN_FILES:
        with open(os.path.join(corpus, name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    prompts.append(json.loads(line)["prompt"])
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


def build_model(prompts, words):
    phrases = choose_phrases(prompts)
    out = bytearray(b"GCXM")
    out.append(MODEL_ID)
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
    ap.add_argument("--out-swift", default=os.path.join(ROOT, "Sources", "GCXPromptCoder", "ModelTables+Data.swift"))
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = ap.parse_args()

    blob = build_model(load_prompts(args.corpus), load_dictionary(os.path.join(ROOT, "spec", "prompt-model", DICT_FILE)))
    outputs = {
        os.path.join(args.out_spec, "model-%d.bin" % MODEL_ID): blob,
        args.out_swift: embed_model.swift_source(blob, MODEL_ID).encode("utf-8"),
    }
    status = 0
    for path, data in outputs.items():
        if args.check:
            try:
                with open(path, "rb") as f:
                    same = f.read() == data
            except FileNotFoundError:
                same = False
            print("%s %s" % ("OK  " if same else "DIFF", path))
            status |= 0 if same else 1
        else:
            with open(path, "wb") as f:
                f.write(data)
            print("wrote %s (%d bytes)" % (path, len(data)))
    print("model-%d.bin sha256 %s" % (MODEL_ID, hashlib.sha256(blob).hexdigest()))
    sys.exit(status)


if __name__ == "__main__":
    main()
