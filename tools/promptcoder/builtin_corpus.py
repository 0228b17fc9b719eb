#!/usr/bin/env python3
"""Writes the built-in describer's descriptions that model 2 is primed with (spec B.3).

gcx's offline describer writes descriptions of one fixed form ("Top-left: olive with some grey;
mid-toned, lightly textured, ..."). Model 1 never saw that form, so it coded them at about
1 bit per character; model 2 is primed with 20 of them first. The photos are the 8 of CLIC and
the first 12 of the CID22 training half (the photos of prompts-clic.jsonl and prompts-cid22-a.jsonl,
in file order): none of the held-out half, none of Kodak.

The output is committed (spec/prompt-model/builtin-2.jsonl) and train.py reads it from there, so
model 2 stays the same when the describer changes; this script records where the texts came from.

    python3 tools/promptcoder/builtin_corpus.py [--gcx .build/release/gcx] [--out FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
# (prompt file whose photos are described, how many of them, in file order)
SOURCES = [("prompts-clic.jsonl", 8), ("prompts-cid22-a.jsonl", 12)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gcx", default=os.path.join(ROOT, ".build", "release", "gcx"))
    ap.add_argument("--out", default=os.path.join(ROOT, "spec", "prompt-model", "builtin-2.jsonl"))
    args = ap.parse_args()
    images = []
    for name, count in SOURCES:
        with open(os.path.join(SHARED, "corpus", name), encoding="utf-8") as f:
            images += [json.loads(l)["image"] for l in f if l.strip()][:count]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for image in images:
            photo = os.path.join(SHARED, "datasets", image)
            if not os.path.exists(photo):
                sys.exit("builtin_corpus: %s is missing (needs ../shared/datasets)" % photo)
            archive = os.path.join(tmp, "one.gcx")
            subprocess.run([args.gcx, "pack", "--mode", "text", "-o", archive, photo],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            text = subprocess.run([args.gcx, "cat", archive, os.path.basename(photo)],
                                  check=True, stdout=subprocess.PIPE).stdout.decode("utf-8")
            os.remove(archive)
            lines.append(json.dumps({"image": image, "prompt": text}, ensure_ascii=False))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s (%d descriptions)" % (os.path.relpath(args.out, ROOT), len(lines)))


if __name__ == "__main__":
    main()
