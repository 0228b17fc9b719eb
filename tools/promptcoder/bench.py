#!/usr/bin/env python3
"""Compare the gcx prompt coder with general-purpose compressors, one prompt at a time.

Usage: bench.py [--no-build] [--repeat N] [FILE.jsonl ...]   (default: the held-out prompts-cid22-b.jsonl)
Needs: pip install brotli zstandard.  gcx sizes and timings come from the Swift release build
(`gcx-prompt-bench`); the others are computed here, each prompt compressed on its own with the
headers the command-line tools write (brotli: raw stream; zstd: frame with content size and
checksum; xz: .xz container with CRC64; gzip: 18-byte header/trailer, no file name).
"""
import argparse
import gzip
import json
import lzma
import os
import subprocess
import sys

import brotli
import zstandard

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
TRAIN = ["prompts-cid22-a.jsonl", "prompts-clic.jsonl"]


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
    out = subprocess.run([os.path.join(ROOT, ".build", "release", "gcx-prompt-bench"), "--repeat", str(args.repeat)]
                         + args.files, check=True, capture_output=True, text=True).stdout
    gcx = json.loads(out)
    if gcx["mismatches"]:
        sys.exit("gcx round trip failed on %d prompts" % gcx["mismatches"])

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
    rows = [
        ("gcx (model 1)", sum(p["coded"] for p in gcx["prompts"])),
        ("brotli -q 11", sum(len(brotli.compress(b, quality=11)) for b in raw)),
        ("zstd -19", sum(len(z19.compress(b)) for b in raw)),
        ("zstd -19 + dict (%s)" % dict_kind, sum(len(z19d.compress(b)) for b in raw)),
        ("xz -9", sum(len(lzma.compress(b, preset=9)) for b in raw)),
        ("gzip -9", sum(len(gzip.compress(b, compresslevel=9, mtime=0)) for b in raw)),
        ("stored (UTF-8)", nbytes),
    ]
    brotli_total = rows[1][1]
    print("%d prompts from %s: %d bytes, %d characters" % (
        len(prompts), ", ".join(os.path.basename(f) for f in args.files), nbytes, chars))
    print("| coder | total bytes | bits/char | vs brotli-11 |")
    print("|---|---:|---:|---:|")
    for name, total in rows:
        print("| %s | %d | %.3f | %.3f |" % (name, total, total * 8 / chars, total / brotli_total))
    print()
    print("gcx throughput (release, one thread, CPU time, %d passes): encode %.2f MB/s, decode %.2f MB/s; "
          "model priming %.0f ms once per process; peak RSS of the bench process %.1f MiB" % (
              args.repeat, gcx["encode_MBps"], gcx["decode_MBps"], gcx["prime_ms"], gcx["peak_rss_MiB"]))


if __name__ == "__main__":
    main()
