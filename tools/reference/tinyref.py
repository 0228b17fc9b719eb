#!/usr/bin/env python3
"""A second decoder of thumbnail codecs 3, 4 and 5 (spec/gcx.md Appendix C, C.9 and C.10), written
from the spec alone.

    python3 tools/reference/tinyref.py < cases.json

reads a JSON array of {"width", "height", "payload" (hex), "codec" (3, 4 or 5; 3 if absent)} and prints
a JSON array with, for each, {"sha256": hex digest of the decoded RGB bytes} or {"invalid": reason}.
As a module, decode(payload, width, height, codec=3) returns the RGB bytes or raises Invalid.
"""
import hashlib
import json
import os
import sys

STEP = [16, 18, 20, 23, 25, 29, 32, 36, 40, 45, 51, 57, 64, 72, 81, 91, 102, 114, 128, 144, 161, 181,
        203, 228, 256, 287, 323, 362, 406, 456, 512, 575, 645, 724, 813, 912, 1024, 1149, 1290, 1448,
        1625, 1825, 2048, 2299, 2580, 2896, 3251, 3649, 4096, 4598, 5161, 5793, 6502, 7298, 8192, 9195,
        10321, 11585, 13004, 14596, 16384, 18390, 20643, 23170]
DETAIL = {3: [(247, 356), (161, 278), (88, 161), (45, 84), (23, 42)],
          4: [(1013, 1301), (776, 1059), (560, 745), (415, 545), (312, 408)]}
DETAIL[5] = DETAIL[4]  # C.10: codec 5 is codec 4 but for its contexts
LOW = {3: [256, 171, 93, 48, 24, 12], 4: [1024, 788, 568, 421, 317, 239]}
LOW[5] = LOW[4]
FRACTION_BITS = {3: 0, 4: 2, 5: 2}
LIFT97 = [-6497, -217, 3616, 1817]  # C.9: alpha, beta, gamma, delta in 1/4096
FACTOR = [16, 39, 32]
RATE = [131072 // (2 * n + 3) for n in range(21)]
MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "spec", "tiny-model")


def load_priors(name, count):
    """C.5's PRIOR (840 integers) or C.10's PRIOR5 (4,488), from the spec's table file."""
    values = []
    with open(os.path.join(MODEL_DIR, name)) as f:
        for line in f:
            if not line.startswith("#"):
                values += [int(v) for v in line.split()]
    assert len(values) == count, len(values)
    return values


PRIOR = load_priors("priors-1.txt", 840)
PRIOR5 = load_priors("priors-2.txt", 4488)
MAX_PIXELS = 1 << 20


class Invalid(Exception):
    pass


class Coder:
    """B.5's decoder."""

    def __init__(self, data):
        self.data, self.pos = data, 0
        self.low, self.high, self.x = 0, 0xFFFFFFFF, 0
        for _ in range(4):
            self.x = (self.x << 8) | self.byte()

    def byte(self):
        self.pos += 1
        return self.data[self.pos - 1] if self.pos <= len(self.data) else 0

    def canonical_end(self):
        """B.5: the payload is exactly what the encoder writes for the bits decoded."""
        shifts = self.pos - 4
        final = (self.low >> 24) + (0 if self.low & 0xFFFFFF == 0 else 1)
        expected = bytes(self.data[:shifts]) + bytes(max(0, shifts - len(self.data))) + bytes([final])
        return expected.rstrip(b"\x00") == bytes(self.data)

    def bit(self, p1):
        r = self.high - self.low
        mid = self.low + (r >> 12) * p1 + (((r & 0xFFF) * p1) >> 12)
        if self.x <= mid:
            y, self.high = 1, mid
        else:
            y, self.low = 0, mid + 1
        while (self.low ^ self.high) & 0xFF000000 == 0:
            self.low = (self.low << 8) & 0xFFFFFFFF
            self.high = ((self.high << 8) & 0xFFFFFFFF) | 0xFF
            self.x = ((self.x << 8) & 0xFFFFFFFF) | self.byte()
        return y


class Model:
    """C.5."""
    __slots__ = ("p", "n")

    def __init__(self, p):
        self.p, self.n = p, 8

    def read(self, coder):
        bit = coder.bit(min(4095, max(1, self.p >> 4)))
        rate = RATE[self.n]
        if bit:
            self.p += ((65536 - self.p) * rate) >> 16
        else:
            self.p -= (self.p * rate) >> 16
        self.n = min(self.n + 1, 20)
        return bit


def sign_class(v):
    """C.10: 0 for a zero value, 1 for a positive, 2 for a negative one."""
    return 0 if v == 0 else (1 if v > 0 else 2)


def bands_of(width, height):
    """C.3: the number of levels, the region sizes and the bands in coding order."""
    levels = 0
    while levels < 5 and (1 << (levels + 1)) <= min(width, height):
        levels += 1
    sizes = [(width, height)]
    for _ in range(levels):
        w, h = sizes[-1]
        sizes.append(((w + 1) // 2, (h + 1) // 2))
    bands = [dict(kind=0, level=levels, x0=0, y0=0, w=sizes[levels][0], h=sizes[levels][1])]
    for level in range(levels, 0, -1):
        (W, H), (w, h) = sizes[level - 1], sizes[level]
        bands.append(dict(kind=1, level=level, x0=w, y0=0, w=W - w, h=h))
        bands.append(dict(kind=2, level=level, x0=0, y0=h, w=w, h=H - h))
        bands.append(dict(kind=3, level=level, x0=w, y0=h, w=W - w, h=H - h))
    return levels, sizes, bands


def interleaved(a):
    """C.4: ceil(n/2) lows then floor(n/2) highs, back to even and odd places."""
    n, m = len(a), (len(a) + 1) // 2
    x = [0] * n
    for k in range(m):
        x[2 * k] = a[k]
    for k in range(n - m):
        x[2 * k + 1] = a[m + k]
    return x


def neighbours(x, i):
    """C.4's left and right of place i, mirrored at the ends."""
    return (x[i - 1] if i > 0 else x[i + 1]), (x[i + 1] if i + 1 < len(x) else x[i - 1])


def inverse1d(a):
    n = len(a)
    if n < 2:
        return a
    x = interleaved(a)
    for i in range(0, n, 2):
        left, right = neighbours(x, i)
        x[i] -= (left + right + 2) >> 2
    for i in range(1, n, 2):
        x[i] += (x[i - 1] + neighbours(x, i)[1]) >> 1
    return x


def inverse1d_97(a):
    """C.9: the inverse 9/7 lifting, each result clamped to 32 bits."""
    n = len(a)
    if n < 2:
        return a
    x = interleaved(a)
    for parity, c in ((0, LIFT97[3]), (1, LIFT97[2]), (0, LIFT97[1]), (1, LIFT97[0])):
        for i in range(parity, n, 2):
            left, right = neighbours(x, i)
            x[i] = max(-(1 << 31), min((1 << 31) - 1, x[i] - ((c * (left + right) + 2048) >> 12)))
    return x


def decode(payload, width, height, codec=3, values=None):
    """The RGB bytes of a payload. `values`, a list, receives each channel's quantised values (rows
    of the plane as C.6 step 2 leaves it, before dequantisation), for analyses."""
    if codec not in (3, 4, 5):
        raise ValueError("codec %r" % codec)
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise Invalid("limit.exceeded: %dx%d" % (width, height))
    coder = Coder(payload)
    q = 0
    for _ in range(6):
        q = (q << 1) | coder.bit(2048)
    levels, sizes, bands = bands_of(width, height)
    oriented = codec == 5
    if oriented:  # C.10: ZERO5, SIGN5, LENGTH, MANTISSA
        models = [Model(p) for p in PRIOR5]
        zero, sign, length, mantissa = models[0:4050], models[4050:4104], models[4104:4392], models[4392:4488]
    else:
        models = [Model(p) for p in PRIOR]
        zero, sign, length, mantissa = models[0:450], models[450:456], models[456:744], models[744:840]
    luma = None  # channel 0's values as step 2 decoded them (C.10's across for chroma)
    planes = []
    for channel in range(3):
        c = 0 if channel == 0 else 1
        plane = [[0] * width for _ in range(height)]
        for band in bands:
            # C.10: where along and across are read.
            along_dx, along_dy = {1: (0, -1), 2: (-1, 0), 3: (1, -1)}.get(band["kind"], (0, 0))
            hl = None
            if channel == 0 and band["kind"] in (2, 3):
                hl = next(b for b in bands if b["kind"] == 1 and b["level"] == band["level"])
            k = 0 if band["kind"] == 0 else (2 if band["kind"] == 3 else 1)
            lev = max(1, band["level"]) - 1
            parent = None
            if band["kind"] != 0 and band["level"] < levels:
                parent = next(b for b in bands if b["kind"] == band["kind"] and b["level"] == band["level"] + 1)
            residual = {}
            x0, y0 = band["x0"], band["y0"]
            for by in range(band["h"]):
                for bx in range(band["w"]):
                    def near_value(dx, dy):
                        x, y = bx + dx, by + dy
                        if x < 0 or y < 0 or x >= band["w"]:
                            return 0
                        if band["kind"] == 0:
                            return abs(residual[(x, y)])
                        return abs(plane[y0 + y][x0 + x])
                    near = min(4, min(2, near_value(-1, 0)) + min(2, near_value(0, -1))
                               + min(1, near_value(-1, -1)) + min(1, near_value(1, -1)))
                    par = 0
                    if parent is not None:
                        px, py = min(bx >> 1, parent["w"] - 1), min(by >> 1, parent["h"] - 1)
                        par = min(2, abs(plane[parent["y0"] + py][parent["x0"] + px]))
                    s = c * 3 + k
                    if oriented and band["kind"] != 0:
                        ax, ay = bx + along_dx, by + along_dy
                        along = plane[y0 + ay][x0 + ax] if 0 <= ax < band["w"] and ay >= 0 else 0
                        if channel > 0:
                            across = luma[y0 + by][x0 + bx]
                        elif hl is not None:
                            across = plane[hl["y0"] + min(by, hl["h"] - 1)][hl["x0"] + min(bx, hl["w"] - 1)]
                        else:
                            across = 0
                    else:
                        along = across = 0
                    if oriented:
                        zero_context = (((((s * 5 + lev) * 5 + near) * 3 + par) * 3 + min(2, abs(along))) * 3
                                        + min(2, abs(across)))
                        sign_context = (s * 3 + sign_class(along)) * 3 + sign_class(across)
                    else:
                        zero_context, sign_context = (s * 5 + lev) * 15 + near * 3 + par, s
                    v = 0
                    if zero[zero_context].read(coder):
                        negative = sign[sign_context].read(coder)
                        g = 0 if near == 0 else (1 if near <= 2 else 2)
                        b = 1
                        while length[(s * 16 + b - 1) * 3 + g].read(coder):
                            b += 1
                            if b > 15:
                                raise Invalid("thumbnail.invalid: a magnitude longer than 15 bits")
                        m = 1
                        if b >= 2:
                            m = 2 * m + mantissa[s * 16 + b].read(coder)
                            for _ in range(b - 2):
                                m = 2 * m + coder.bit(2048)
                        v = -m if negative else m
                    if band["kind"] == 0:
                        residual[(bx, by)] = v
                        if bx == 0 and by == 0:
                            pred = 0
                        elif by == 0:
                            pred = plane[y0][x0 + bx - 1]
                        elif bx == 0:
                            pred = plane[y0 + by - 1][x0]
                        else:
                            a, b_, cc = plane[y0 + by][x0 + bx - 1], plane[y0 + by - 1][x0 + bx], plane[y0 + by - 1][x0 + bx - 1]
                            if cc >= max(a, b_):
                                pred = min(a, b_)
                            elif cc <= min(a, b_):
                                pred = max(a, b_)
                            else:
                                pred = a + b_ - cc
                        v = pred + v
                    plane[y0 + by][x0 + bx] = v
        if values is not None:
            values.append([row[:] for row in plane])
        if channel == 0:
            luma = [row[:] for row in plane]
        # Dequantise (C.6 step 3).
        for band in bands:
            weight = LOW[codec][levels] if band["kind"] == 0 else DETAIL[codec][band["level"] - 1][1 if band["kind"] == 3 else 0]
            s = max(1, (STEP[q] * weight * FACTOR[channel] + 2048) >> 12)
            for y in range(band["y0"], band["y0"] + band["h"]):
                row = plane[y]
                for x in range(band["x0"], band["x0"] + band["w"]):
                    v = row[x]
                    m = (abs(v) * s + 8) >> 4
                    row[x] = -m if v < 0 else m
        # Inverse wavelet (C.4; C.9 for codecs 4 and 5): columns, then rows, from the coarsest level.
        inverse = inverse1d if codec == 3 else inverse1d_97
        for level in range(levels, 0, -1):
            W, H = sizes[level - 1]
            for x in range(W):
                column = inverse([plane[y][x] for y in range(H)])
                for y in range(H):
                    plane[y][x] = column[y]
            for y in range(H):
                plane[y][:W] = inverse(plane[y][:W])
        planes.append(plane)
    if not coder.canonical_end():
        raise Invalid("thumbnail.invalid: the payload does not end as the encoder ends it")
    out = bytearray()
    f = FRACTION_BITS[codec]
    half = (1 << f) >> 1
    for y in range(height):
        for x in range(width):
            Y, Co, Cg = ((planes[c][y][x] + half) >> f for c in range(3))
            t = Y - (Cg >> 1)
            G = Cg + t
            B = t - (Co >> 1)
            R = B + Co
            out += bytes(max(0, min(255, v)) for v in (R, G, B))
    return bytes(out)


def main():
    results = []
    for case in json.load(sys.stdin):
        try:
            pixels = decode(bytes.fromhex(case["payload"]), case["width"], case["height"], case.get("codec", 3))
            results.append({"sha256": hashlib.sha256(pixels).hexdigest()})
        except Invalid as exc:
            results.append({"invalid": str(exc)})
    json.dump(results, sys.stdout)
    print()


if __name__ == "__main__":
    main()
