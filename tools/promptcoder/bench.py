#!/usr/bin/env python3
"""Compare the gcx prompt coder with general-purpose compressors, one prompt at a time.

Usage: bench.py [--no-build] [--repeat N] [FILE.jsonl ...]   (default: the held-out prompts-cid22-b.jsonl)
Needs: pip install brotli zstandard.  gcx sizes and timings come from the Swift release build
(`gcx-prompt-bench`; model 3, primed on every corpus prompt, is sized on a corpus file by leaving
each prompt out of its own priming); the others are computed here, each prompt compressed on its
own with the headers the command-line tools write (brotli: raw stream; zstd: frame with content
size and checksum; xz: .xz container with CRC64; gzip: 18-byte header/trailer, no file name).
"""
import argparse
import gzip
import json
import lzma
import os
import subprocess
import sys
import tempfile
import time

import brotli
import zstandard

import learning_curve  # noqa: E402  (leave-one-out sizes for the model primed on every corpus prompt)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
# zstd's dictionary is trained on what models 1 and 2 were primed on (never the held-out half).
TRAIN = learning_curve.train.TRAIN_FILES[2]
MODELS = [1, 2, 3]  # every model gcx reads; the last is the one it writes
# Model 3 is primed on every corpus prompt, so on a corpus file it is measured leaving each prompt
# out of its own priming (learning_curve.leave_one_out); models 1 and 2 never saw prompts-cid22-b.
PRIMED_ON_CORPUS = {3}


def prompts_of(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l)["prompt"] for l in f if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", default=[os.path.join(CORPUS, "prompts-cid22-b.jsonl")])
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "gcx-prompt-bench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    runs = {}
    for model in MODELS:
        out = subprocess.run([os.path.join(ROOT, ".build", "release", "gcx-prompt-bench"), "--model", str(model),
                              "--repeat", str(args.repeat)] + args.files, check=True, capture_output=True, text=True).stdout
        runs[model] = json.loads(out)
        if runs[model]["mismatches"]:
            sys.exit("gcx round trip failed on %d prompts with model %d" % (runs[model]["mismatches"], model))

    prompts = [p for f in args.files for p in prompts_of(f)]
    raw = [p.encode("utf-8") for p in prompts]
    train = [p.encode("utf-8") for f in TRAIN for p in prompts_of(os.path.join(CORPUS, f))]
    try:
        zdict = zstandard.train_dictionary(16384, train)
        dict_kind = "trained 16 KB"
    except zstandard.ZstdError:
        zdict = zstandard.ZstdCompressionDict(b"".join(train), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        dict_kind = "raw training text"
    z19 = zstandard.ZstdCompressor(level=19, write_checksum=True, write_content_size=True)
    z19d = zstandard.ZstdCompressor(level=19, dict_data=zdict, write_checksum=True, write_content_size=True)

    chars = sum(len(p) for p in prompts)
    nbytes = sum(len(b) for b in raw)
    # brotli in the same run, timed like gcx (CPU time, all prompts, `repeat` passes), for reference.
    start = time.process_time()
    for _ in range(args.repeat):
        packed = [brotli.compress(b, quality=11) for b in raw]
    brotli_encode = args.repeat * nbytes / (time.process_time() - start) / 1e6
    start = time.process_time()
    for _ in range(args.repeat):
        for b in packed:
            brotli.decompress(b)
    brotli_decode = args.repeat * nbytes / (time.process_time() - start) / 1e6
    rows = []
    for m, r in runs.items():
        label = "gcx (model %d%s)" % (m, ", what gcx writes" if m == MODELS[-1] else "")
        total = sum(p["coded"] for p in r["prompts"])
        corpus_files = [f for f in args.files if os.path.dirname(os.path.abspath(f)) == os.path.abspath(CORPUS)
                        and os.path.basename(f) in learning_curve.train.TRAIN_FILES[m]]
        if m in PRIMED_ON_CORPUS and corpus_files:
            if len(corpus_files) != len(args.files):
                sys.exit("model %d: give only corpus files or only other files" % m)
            with tempfile.TemporaryDirectory() as scratch:
                names = [os.path.basename(f) for f in corpus_files]
                total = sum(learning_curve.leave_one_out(m, CORPUS, names, scratch))
            label += ", each prompt left out of its own priming"
        rows.append((label, total))
    brotli_row = len(rows)
    rows += [
        ("brotli -q 11", sum(len(b) for b in packed)),
        ("zstd -19", sum(len(z19.compress(b)) for b in raw)),
        ("zstd -19 + dict (%s)" % dict_kind, sum(len(z19d.compress(b)) for b in raw)),
        ("xz -9", sum(len(lzma.compress(b, preset=9)) for b in raw)),
        ("gzip -9", sum(len(gzip.compress(b, compresslevel=9, mtime=0)) for b in raw)),
        ("stored (UTF-8)", nbytes),
    ]
    brotli_total = rows[brotli_row][1]
    print("%d prompts from %s: %d bytes, %d characters" % (
        len(prompts), ", ".join(os.path.basename(f) for f in args.files), nbytes, chars))
    print("| coder | total bytes | bits/char | vs brotli-11 |")
    print("|---|---:|---:|---:|")
    for name, total in rows:
        print("| %s | %d | %.3f | %.3f |" % (name, total, total * 8 / chars, total / brotli_total))
    print()
    print("Throughput (release, one thread, CPU time, %d passes over the prompts, one at a time):" % args.repeat)
    for model, gcx in runs.items():
        seen = " (timed on prompts it was primed on)" if model in PRIMED_ON_CORPUS else ""
        print("- gcx model %d%s: encode %.2f MB/s, decode %.2f MB/s; model priming %.0f ms once per process; "
              "peak RSS of the bench process %.1f MiB" % (
                  model, seen, gcx["encode_MBps"], gcx["decode_MBps"], gcx["prime_ms"], gcx["peak_rss_MiB"]))
    print("- brotli -q 11 (Python binding, same run): compress %.2f MB/s, decompress %.1f MB/s" % (brotli_encode, brotli_decode))


if __name__ == "__main__":
    main()
