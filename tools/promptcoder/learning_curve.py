#!/usr/bin/env python3
"""How the prompt coder's ratio depends on what it is primed with.

Usage: learning_curve.py [--no-build] [--draws N] [--corpus DIR] [--leave-one-out-only]
Needs: pip install brotli (tools/promptcoder/requirements.txt); for the word-frequency row also
symspellpy (its English frequency list; the row is reported as skipped without it).

1. Learning curve: model 1's algorithm primed on random subsets of the training prompts (an eighth
   to all of prompts-cid22-a.jsonl + prompts-clic.jsonl, file order kept, `--draws` draws per
   size), each coding the held-out prompts-cid22-b.jsonl. A least-squares fit of bytes against
   log2(training bytes) says how much more training text a given ratio would need.
2. Knowledge besides the training prompts: the dictionary of spec 4.9 with other word lists or
   weights (the same training prompts).
3. Leave one out: model 3 is primed on every real description there is, the held-out half too, so
   it is measured by coding each description with model 3's file less that description (the
   others, the prelude, phrases and dictionary as they are): an estimate of how model 3 codes a
   description it has never seen, made for every corpus prompt.
Model files are built with train.py's writer and measured with `gcx-prompt-bench --model-file`
(sizes of payloads that decode back, never written into an archive).
"""
import argparse
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import brotli

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train  # noqa: E402  (the one writer of model files)

ROOT = train.ROOT
BENCH = os.path.join(ROOT, ".build", "release", "gcx-prompt-bench")
HELD_OUT = train.HELD_OUT
FRACTIONS = [0.125, 0.25, 0.5, 0.75, 1.0]
TARGET = 0.42  # issue 9, build 5: at most 0.42x brotli-11 on the held-out prompts


def coded_bytes(prompts, words, held_out, scratch, model_id=1):
    """Total payload bytes of the prompts of the JSONL file `held_out` under a model file primed
    on `prompts` (train.py's writer, `gcx-prompt-bench --model-file`)."""
    blob = train.build_model(prompts, words, model_id)
    path = os.path.join(scratch, "candidate.bin")
    with open(path, "wb") as f:
        f.write(blob)
    out = subprocess.run([BENCH, "--model-file", path, held_out], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["total"]


def leave_one_out(model_id, corpus, names, scratch):
    """Per prompt of the corpus files `names`: its payload size under model `model_id`'s training
    list with that prompt (its first occurrence) taken out. The phrases are chosen again from the
    list, as train.py would."""
    training = train.load_prompts(corpus, model_id)
    words = train.load_dictionary(os.path.join(ROOT, "spec", "prompt-model", train.DICT_FILE))
    one = os.path.join(scratch, "one.jsonl")
    sizes = []
    for name in names:
        for prompt in train.read_prompts(os.path.join(corpus, name)):
            rest = list(training)
            rest.remove(prompt)
            with open(one, "w", encoding="utf-8") as f:
                f.write(json.dumps({"image": name, "prompt": prompt}) + "\n")
            sizes.append(coded_bytes(rest, words, one, scratch, model_id))
    return sizes


def symspell_words():
    """a-z words of symspellpy's English list (Google Books Ngram counts intersected with SCOWL)
    with weights 1..127 from their frequency, or None when the package is missing."""
    spec = importlib.util.find_spec("symspellpy")
    if spec is None:
        return None
    path = os.path.join(os.path.dirname(spec.origin), "frequency_dictionary_en_82_765.txt")
    counts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            w, c = line.split()
            if train.WORD_RE.fullmatch(w.encode()):
                counts[w.encode()] = int(c)
    total = sum(counts.values())
    # Zipf value (log10 of occurrences per billion words) mapped to 1..127, doubling every 1/2 Zipf.
    weight = lambda c: max(1, min(127, round(2 ** (2.0 * (math.log10(c / total * 1e9) - 2.0)))))
    return sorted((w, weight(c)) for w, c in counts.items())


def curve_and_dictionaries(args, scratch):
    training = train.load_prompts(args.corpus, 1)
    held_out = os.path.join(args.corpus, HELD_OUT)
    reference = sum(len(brotli.compress(p.encode("utf-8"), quality=11)) for p in train.read_prompts(held_out))
    words = train.load_dictionary(os.path.join(ROOT, "spec", "prompt-model", train.DICT_FILE))

    print("Held-out %s: brotli -q 11 codes it in %d bytes (prompt by prompt); %.2fx = %d bytes.\n"
          % (HELD_OUT, reference, TARGET, TARGET * reference))
    print("| training prompts | training bytes (mean) | held-out bytes (mean, min-max) | vs brotli-11 |")
    print("|---:|---:|---:|---:|")
    points, means = [], []
    for fraction in FRACTIONS:
        count = round(fraction * len(training))
        draws = 1 if count == len(training) else args.draws
        sizes, lengths = [], []
        for seed in range(draws):
            chosen = sorted(random.Random(seed).sample(range(len(training)), count))
            subset = [training[k] for k in chosen]
            lengths.append(sum(len(p.encode("utf-8")) for p in subset))
            sizes.append(coded_bytes(subset, words, held_out, scratch))
            points.append((lengths[-1], sizes[-1]))
        mean = sum(sizes) / len(sizes)
        means.append((sum(lengths) / len(lengths), mean))
        print("| %d of %d | %d | %.0f (%d-%d) | %.3f |" % (count, len(training), sum(lengths) / len(lengths), mean,
                                                       min(sizes), max(sizes), mean / reference))
    # bytes = a + b log2(training bytes), least squares over every draw.
    xs = [math.log2(x) for x, _ in points]
    ys = [y for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    a = my - b * mx
    full = sum(len(p.encode("utf-8")) for p in training)
    needed = 2 ** ((TARGET * reference - a) / b)
    print("\nFit: bytes = %.0f %+.0f log2(training bytes): %.1f %% per doubling at the full set. %.2fx brotli-11 "
          "(%d bytes) would need about %.0f KB of training descriptions, %.1f times the %.1f KB there are."
          % (a, b, -100 * b / (a + b * math.log2(full)), TARGET, TARGET * reference, needed / 1000, needed / full,
             full / 1000))
    # The curve flattens: the last step alone gives a steeper estimate of what is needed.
    (x0, y0), (x1, y1) = means[-2], means[-1]
    slope = (y1 - y0) / math.log2(x1 / x0)
    print("Last step alone (%.1f -> %.1f KB): %.0f bytes per doubling, so %.2fx needs about %.1f times the training "
          "text." % (x0 / 1000, x1 / 1000, -slope, TARGET, 2 ** ((TARGET * reference - y1) / slope)))

    print("\n| dictionary (spec 4.9), same training prompts | held-out bytes | vs brotli-11 |")
    print("|---|---:|---:|")
    rows = [("SCOWL british-english, weight 8 for british-english-small (model 1's)", words),
            ("none", [])]
    frequent = symspell_words()
    if frequent is None:
        print("(symspellpy is not installed: the word-frequency row is skipped; pip install symspellpy)")
    else:
        rows.append(("symspellpy's 82,765 words (Google Books Ngram counts x SCOWL), weight by frequency",
                     frequent))
    for label, ws in rows:
        size = coded_bytes(training, ws, held_out, scratch)
        print("| %s | %d | %.3f |" % (label, size, size / reference))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--corpus", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus")))
    ap.add_argument("--leave-one-out-only", action="store_true", help="only part 3")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        sys.exit("corpus folder %s is missing (it is ../shared/corpus beside the repository)" % args.corpus)
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "gcx-prompt-bench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)

    with tempfile.TemporaryDirectory() as scratch:
        if not args.leave_one_out_only:
            curve_and_dictionaries(args, scratch)
        print("\nLeave one out (part 3): model 3's training list less the prompt coded, for every corpus prompt.\n")
        print("| prompts | count | brotli -q 11 | model 3, each left out of its own priming | vs brotli-11 |")
        print("|---|---:|---:|---:|---:|")
        for name in train.TRAIN_FILES[3]:
            sizes = leave_one_out(3, args.corpus, [name], scratch)
            reference = sum(len(brotli.compress(p.encode("utf-8"), quality=11))
                            for p in train.read_prompts(os.path.join(args.corpus, name)))
            print("| %s%s | %d | %d | %d | %.3f |" % (name, " (held out from models 1 and 2)" if name == HELD_OUT else "",
                                                     len(sizes), reference, sum(sizes), sum(sizes) / reference))


if __name__ == "__main__":
    main()
