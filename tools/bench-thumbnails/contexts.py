#!/usr/bin/env python3
"""Where a tiny thumbnail's bytes go, and what other contexts would save: an analysis for codec design.

    python3 tools/bench-thumbnails/contexts.py ARCHIVE.gcx

Decodes every tiny thumbnail (codecs 3, 4 and 5) of the archive with the second decoder
(tools/reference/tinyref.py), takes the quantised detail values, and prints for the zero flags and
the signs the empirical conditional entropy (bytes per photo) under the contexts codecs 3 and 4 use
(spec C.5: zero flags by `near` and `parent`, signs by channel and band class only) and under
alternatives:
  - along: the neighbour along the band's edges: above in HL (vertical edges), left in LH
    (horizontal edges), above-left in HH. For signs, its sign; for zero flags, its magnitude (0-2).
  - across: the neighbour across the edges (left in HL, above in LH, above-right in HH).
  - left+up: the left and upper neighbours whatever the band (what EXPERIMENTS.md tried first).
  - parent: the value at the same place one level coarser (its sign; for zero flags `parent` is
    already in the context).
  - sibling: for LH and HH, the magnitude (0-2) of HL's value at the same place (coded before).
  - luma: for chroma, the magnitude (0-2) of the luma value at the same place.
Codec 5 (spec C.10) took along and sibling/luma into its zero flags and their signs into its signs.
Static entropies (each context's frequencies over the whole archive) flatter contexts with many
values; what a coder gains is less, by about the cost of learning each context. Needs nothing
beyond the standard library.
"""
import collections
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import gcxref  # noqa: E402
import tinyref  # noqa: E402


def thumbnails(path):
    """(channel planes of quantised values, levels, bands) of every tiny thumbnail, as gcxref reads them."""
    found = []
    plain = tinyref.decode

    def decode(payload, width, height, codec=3):
        planes = []
        pixels = plain(payload, width, height, codec, values=planes)
        levels, _, bands = tinyref.bands_of(width, height)
        found.append((planes, levels, bands, len(payload)))
        return pixels

    gcxref.tinyref.decode = decode
    try:
        gcxref.read(path)
    finally:
        gcxref.tinyref.decode = plain
    return found


def sign(v):
    return (v > 0) - (v < 0)


def entropy(counts):
    """Sum over contexts of n·H(bit | context), in bits, from {(context, bit): n}."""
    by_context = collections.defaultdict(lambda: [0, 0])
    for (context, bit), n in counts.items():
        by_context[context][bit] += n
    total = 0.0
    for zeros, ones in by_context.values():
        n = zeros + ones
        for k in (zeros, ones):
            if k:
                total -= k * math.log2(k / n)
    return total, len(by_context)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    found = thumbnails(sys.argv[1])
    if not found:
        sys.exit("%s has no tiny thumbnails" % sys.argv[1])
    zero = collections.defaultdict(collections.Counter)
    signs = collections.defaultdict(collections.Counter)
    for planes, levels, bands, _ in found:
        for channel, plane in enumerate(planes):
            for band in bands:
                if band["kind"] == 0:
                    continue
                parent = None
                if band["level"] < levels:
                    parent = next(b for b in bands if b["kind"] == band["kind"] and b["level"] == band["level"] + 1)
                sibling = None
                if band["kind"] != 1:
                    sibling = next(b for b in bands if b["kind"] == 1 and b["level"] == band["level"])
                for by in range(band["h"]):
                    for bx in range(band["w"]):
                        def at(dx, dy, b=band, p=plane):
                            x, y = bx + dx, by + dy
                            if x < 0 or y < 0 or x >= b["w"] or y >= b["h"]:
                                return 0
                            return p[b["y0"] + y][b["x0"] + x]
                        v = at(0, 0)
                        near = min(4, min(2, abs(at(-1, 0))) + min(2, abs(at(0, -1)))
                                   + min(1, abs(at(-1, -1))) + min(1, abs(at(1, -1))))
                        up_value = 0
                        if parent is not None:
                            px, py = min(bx >> 1, parent["w"] - 1), min(by >> 1, parent["h"] - 1)
                            up_value = plane[parent["y0"] + py][parent["x0"] + px]
                        if band["kind"] == 1:
                            along, across = at(0, -1), at(-1, 0)
                        elif band["kind"] == 2:
                            along, across = at(-1, 0), at(0, -1)
                        else:
                            along, across = at(-1, -1), at(1, -1)
                        sib = min(2, abs(at(0, 0, sibling))) if sibling else 0
                        luma = min(2, abs(at(0, 0, band, planes[0]))) if channel else 0
                        group = ("Y" if channel == 0 else "chroma",
                                 "HH" if band["kind"] == 3 else "HL/LH", "level %d" % band["level"])
                        current = (near, min(2, abs(up_value)))
                        for name, context in [("current", current),
                                              ("+along", current + (min(2, abs(along)),)),
                                              ("+sibling", current + (sib,)),
                                              ("+luma", current + (luma,)),
                                              ("+along+sibling+luma", current + (min(2, abs(along)), sib, luma))]:
                            zero[name][(group, context), int(v != 0)] += 1
                        if v == 0:
                            continue
                        for name, context in [("current", ()), ("along", (sign(along),)), ("across", (sign(across),)),
                                              ("left+up", (sign(at(-1, 0)), sign(at(0, -1)))),
                                              ("parent", (sign(up_value),)),
                                              ("along+across+parent", (sign(along), sign(across), sign(up_value)))]:
                            signs[name][(group[:2], context), int(v < 0)] += 1
    photos = len(found)
    payload = sum(f[3] for f in found) / photos
    print("%d tiny thumbnails, %.1f payload bytes each" % (photos, payload))
    print()
    print("| what | contexts | bytes per photo | vs current |")
    print("|---|---|---:|---:|")
    for label, table in (("zero flags", zero), ("signs", signs)):
        base, _ = entropy(table["current"])
        for name, counts in table.items():
            bits, contexts = entropy(counts)
            print("| %s | %s (%d) | %.1f | %+.1f |" % (label, name, contexts, bits / 8 / photos, (bits - base) / 8 / photos))


if __name__ == "__main__":
    main()
