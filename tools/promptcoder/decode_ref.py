#!/usr/bin/env python3
"""Reference prompt decoder written from spec/gcx.md Appendix B alone (no code shared with Swift).

Usage:
  decode_ref.py PAYLOAD_HEX DECODED_LENGTH          prints the decoded text
  decode_ref.py --jsonl FILE                        lines {"payload": hex, "length": n, "text": s};
                                                    decodes each and reports mismatches (exit 1)
  decode_ref.py --vectors spec/prompt-model/vectors-N.json
                                                    checks the test vectors of spec B.8 bit by bit
  decode_ref.py --jsonl FILE --vectors FILE ...     several checks, each model primed once
Slow (pure Python, about 20 us per coded bit) but bit-exact.
"""
import bisect
import hashlib
import json
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "spec", "prompt-model"))
M32 = 0xFFFFFFFF
MAX_LENGTH = 1 << 16
MAX_RATIO, RATIO_ALLOWANCE = 32, 2048

# --- 2. Tokens ---------------------------------------------------------------------------
TOKEN_BYTES = [0xC0, 0xC1] + list(range(0xF5, 0x100))
TOKEN_SET = frozenset(TOKEN_BYTES)


class DecodeError(Exception):
    pass


# --- 3. Model file --------------------------------------------------------------------------
def load_model(model_id):
    path = os.path.join(MODEL_DIR, "model-%d.bin" % model_id)
    if not os.path.exists(path):
        raise DecodeError("unknown model id %d" % model_id)
    data = open(path, "rb").read()
    pos = 0

    def varint():
        nonlocal pos
        v = 0
        for i in range(4):
            b = data[pos]
            pos += 1
            v |= (b & 0x7F) << (7 * i)
            if b < 0x80:
                return v
        raise DecodeError("bad varint in model file")

    assert data[:4] == b"GCXM" and data[4] == model_id
    pos = 5
    phrases = []
    for _ in range(varint()):
        n = varint()
        phrases.append(data[pos:pos + n])
        pos += n
    prompts = []
    for _ in range(varint()):
        n = varint()
        prompts.append(data[pos:pos + n])
        pos += n
    words = []
    prev = b""
    for _ in range(varint()):
        shared = varint()
        n = varint()
        assert shared <= len(prev)
        w = prev[:shared] + data[pos:pos + n]
        pos += n
        weight = varint()
        assert w and all(0x61 <= c <= 0x7A for c in w) and (not words or prev < w) and 1 <= weight <= 127
        words.append((w, weight))
        prev = w
    assert pos == len(data)
    return phrases, prompts, words


def tokenize(text, phrases):
    """Spec 2.2: greedy, longest phrase first, at each position."""
    order = sorted(range(len(phrases)), key=lambda k: -len(phrases[k]))
    out = bytearray()
    i = 0
    while i < len(text):
        for k in order:
            if text.startswith(phrases[k], i):
                out.append(TOKEN_BYTES[k])
                i += len(phrases[k])
                break
        else:
            out.append(text[i])
            i += 1
    return bytes(out)


# --- 4.1 Logistic functions -----------------------------------------------------------------
SQUASH_POINTS = [1, 2, 3, 6, 10, 16, 27, 45, 73, 120, 194, 310, 488, 747, 1101, 1546, 2047, 2549,
                 2994, 3348, 3607, 3785, 3901, 3975, 4022, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094]


def squash(d):
    if d > 2047:
        return 4095
    if d < -2047:
        return 0
    w = d & 127
    i = (d >> 7) + 16
    return (SQUASH_POINTS[i] * (128 - w) + SQUASH_POINTS[i + 1] * w + 64) >> 7


STRETCH = [2047] * 4096
_next = 0
for _d in range(-2047, 2048):
    _v = squash(_d)
    for _j in range(_next, _v + 1):
        STRETCH[_j] = _d
    _next = max(_next, _v + 1)


# --- 4.3 Hashing ------------------------------------------------------------------------------
def mix(x):
    x &= M32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & M32
    x ^= x >> 16
    return x


def H(*values):
    x = 0
    for v in values:
        x = mix(x + v)
    return x


def letter(s):
    if 0x41 <= s <= 0x5A:
        return s + 32
    if 0x61 <= s <= 0x7A or 0x30 <= s <= 0x39:
        return s
    if 0x80 <= s <= 0xBF or 0xC2 <= s <= 0xF4:
        return s
    return 0


# --- 4. The model -------------------------------------------------------------------------------
# Table 0 is direct (17 buckets); 1..9 hashed with 2^B buckets; >= LOCAL_FIRST local.
TABLE_BITS = [0, 12, 14, 16, 15, 16, 16, 15, 11, 11]
LOCAL_FIRST = 8
N = len(TABLE_BITS)
MI = N + 3  # tables, match model (4.8), dictionary (4.9), bias
COUNT_LIMIT = 127
RATE = [min(65535, 655360 // (10 * n + 12)) for n in range(256)]
CLASS = [n if n < 4 else 4 if n < 6 else 5 if n < 10 else 6 if n < 20 else 7 for n in range(256)]
W_LIMIT = 1 << 24
MIXER_RATE = 64
FINAL_RATE = 6
EMPTY_BUCKET = [0] + [0x8000] * 15
SEPARATORS = (0x2C, 0x2E, 0x3B)  # , . ;


def clamp(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


def wrap32(v):
    """Signed 32-bit wrap-around (spec 4.6: first-layer weights are 32-bit two's complement)."""
    return ((v + 0x80000000) & M32) - 0x80000000


def bucket_count(i):
    return 17 if i == 0 else 1 << TABLE_BITS[i]


class Model:
    def __init__(self, phrases, prompts, words):
        # 4.9: entries = words + 0x20, sorted (0x20 sorts before every letter); wsum[i] = total
        # weight of entries[:i].
        self.entries = [w + b" " for w, _ in words]
        self.wsum = [0]
        for _, weight in words:
            self.wsum.append(self.wsum[-1] + weight)
        self.hist = bytearray()
        self.MT = [0] * 65536
        self.SM = [0x8000] * 32
        self.T = [EMPTY_BUCKET * bucket_count(i) for i in range(N)]
        init = [squash((j * 4096) // 23 - 2048) * 16 for j in range(24)]
        self.A = init * 65536
        self.W0 = [1 << 13] * (256 * MI * 16)
        self.W1 = [1 << 13] * (8 * 256 * MI)
        self.W2 = [1 << 13] * (16 * 256 * MI)
        self.WF = [65536 // 3] * (14 * 256 * 3)
        for p in prompts:
            self.start_prompt()
            for s in tokenize(p, phrases):
                for k in range(7, -1, -1):
                    self.predict()
                    self.update((s >> k) & 1)

    def snapshot(self):
        return ([list(t) for t in self.T[:LOCAL_FIRST]], list(self.A), list(self.W0), list(self.W1),
                list(self.W2), list(self.WF), list(self.MT), list(self.SM), bytearray(self.hist))

    def restore(self, snap):
        self.T[:LOCAL_FIRST] = [list(t) for t in snap[0]]
        self.A, self.W0, self.W1, self.W2, self.WF, self.MT, self.SM = (list(x) for x in snap[1:8])
        self.hist = bytearray(snap[8])

    def start_prompt(self):
        for i in range(LOCAL_FIRST, N):
            self.T[i] = EMPTY_BUCKET * bucket_count(i)
        self.c0, self.c4, self.c8, self.word, self.word1 = 1, 0, 0, 0, 0
        self.word_len, self.field, self.field_index, self.clause, self.word_in_clause = 0, 0, 0, 0, 0
        self.mlen, self.mptr, self.mexp, self.dpre = 0, 0, None, None
        self.hashes()
        self.select_buckets()

    def hashes(self):
        c4, c8, w, w1, f = self.c4, self.c8, self.word, self.word1, self.field
        c1 = c4 & 0xFF
        self.h = [0,
                  H(2, c4 & 0xFFFF), H(3, c4 & 0xFFFFFF), H(6, c4, c8 & 0xFFFF),
                  H(7, w, c1), H(8, w, w1), H(10, f, w),
                  H(41, self.field_index, self.clause, self.word_in_clause),
                  H(17, w, c1), H(14, c4)]

    def select_buckets(self):
        """Spec 4.3: at the start of each nibble, one bucket per table."""
        c0 = self.c0
        nb = 0 if c0 == 1 else c0 - 15
        self.b = [nb * 16]
        k = (c0 * 0x9E3779B1) & M32
        hits = 0
        for i in range(1, N):
            x = self.h[i] ^ k
            idx = x >> (32 - TABLE_BITS[i])
            chk = (x & 0xFFFF) | 0x10000
            T = self.T[i]
            at = -1
            for w in range(4):
                if T[(idx ^ w) * 16] == chk:
                    at = idx ^ w
                    hits += 1
                    break
            if at < 0:
                at, best = idx, (T[idx * 16 + 1] >> 16) & 0xFF
                for w in range(1, 4):
                    nw = (T[(idx ^ w) * 16 + 1] >> 16) & 0xFF
                    if nw < best:
                        at, best = idx ^ w, nw
                T[at * 16:at * 16 + 16] = [chk] + [0x8000] * 15
            self.b.append(at * 16)
        self.hits = hits
        self.nib = 1

    def predict(self):
        c0, nib = self.c0, self.nib
        st, co = [], []
        for i in range(N):
            slot = self.T[i][self.b[i] + nib]
            st.append(STRETCH[(slot & 0xFFFF) >> 4])
            co.append(i * 16 + CLASS[(slot >> 16) & 0xFF] + (0 if slot >> 24 == 3 else 8))
        k = c0.bit_length() - 1  # bits of the current symbol coded so far
        # 4.8 match model
        self.sm_at = None
        if self.mexp is not None:
            mb = min(self.mlen, 15)
            eb = (self.mexp >> (7 - k)) & 1
            self.sm_at, self.eb = mb * 2 + eb, eb
            st.append(STRETCH[(self.SM[self.sm_at] & 0xFFFF) >> 4])
            co.append(N * 16 + mb)
        else:
            st.append(0)
            co.append(N * 16)
        # 4.9 dictionary
        n = 0
        if self.dpre is not None:
            lo_v = (c0 << (8 - k)) - 256          # byte values v with (v | 256) >> (8 - k) == c0
            hi_v = ((c0 + 1) << (8 - k)) - 256     # ... are lo_v <= v < hi_v
            mid_v = lo_v + (1 << (7 - k))          # and bit (7 - k) is 1 for v >= mid_v
            E, P = self.entries, self.dpre

            def first(v):  # index of the first entry >= P + [v] (v = 256: past all entries with prefix P)
                return bisect.bisect_left(E, P + (bytes([v]) if v < 256 else b"\xff"))
            a, m, b = first(lo_v), first(mid_v), first(hi_v)
            n, n1 = self.wsum[b] - self.wsum[a], self.wsum[b] - self.wsum[m]
        if n > 0:
            st.append(STRETCH[clamp(((32 * n1 + 1) * 4096) // (32 * n + 2), 1, 4095)])
            co.append((N + 1) * 16 + min(n.bit_length(), 15))
        else:
            st.append(0)
            co.append((N + 1) * 16)
        st.append(256)
        co.append((N + 2) * 16)
        b0 = c0 * MI * 16
        b1 = (min(self.word_len, 7) * 256 + c0) * MI
        b2 = (min(self.hits, 15) * 256 + c0) * MI
        bf = (self.field_index * 256 + c0) * 3
        W0, W1, W2, WF = self.W0, self.W1, self.W2, self.WF
        e0 = clamp(sum(st[j] * W0[b0 + co[j]] for j in range(MI)) >> 16, -2047, 2047)
        e1 = clamp(sum(st[j] * W1[b1 + j] for j in range(MI)) >> 16, -2047, 2047)
        e2 = clamp(sum(st[j] * W2[b2 + j] for j in range(MI)) >> 16, -2047, 2047)
        pm = squash((e0 * WF[bf] + e1 * WF[bf + 1] + e2 * WF[bf + 2]) >> 16)
        row = c0 | ((self.c4 & 0xFF) << 8)
        v = (STRETCH[pm] + 2048) * 23
        wt = v & 0xFFF
        ab = row * 24 + (v >> 12)
        a = (self.A[ab] * (4096 - wt) + self.A[ab + 1] * wt) >> 16
        self.state = (st, co, b0, b1, b2, bf, (e0, e1, e2), (squash(e0), squash(e1), squash(e2)), pm,
                      ab + (wt >> 11))
        return clamp((pm + 3 * a + 2) >> 2, 1, 4095)

    def update(self, bit):
        st, co, b0, b1, b2, bf, e, pe, pm, ai = self.state
        target = 65535 if bit else 0
        seen = 1 << (24 + bit)
        nib = self.nib
        for i in range(N):
            T, at = self.T[i], self.b[i] + nib
            slot = T[at]
            p, n = slot & 0xFFFF, (slot >> 16) & 0xFF
            p += ((target - p) * RATE[n]) >> 16
            n = min(n + 1, COUNT_LIMIT)
            T[at] = (slot & 0x03000000) | seen | (n << 16) | p
        if self.sm_at is not None:
            slot = self.SM[self.sm_at]
            p, n = slot & 0xFFFF, (slot >> 16) & 0xFF
            p += ((target - p) * RATE[n]) >> 16
            self.SM[self.sm_at] = (min(n + 1, COUNT_LIMIT) << 16) | p
            if self.eb != bit:
                self.mlen, self.mexp = 0, None
        y12 = bit << 12
        err0, err1, err2 = ((y12 - q) * MIXER_RATE for q in pe)
        W0, W1, W2, WF = self.W0, self.W1, self.W2, self.WF
        for j in range(MI):
            x = st[j]
            o = b0 + co[j]
            W0[o] = wrap32(W0[o] + ((x * err0) >> 16))
            W1[b1 + j] = wrap32(W1[b1 + j] + ((x * err1) >> 16))
            W2[b2 + j] = wrap32(W2[b2 + j] + ((x * err2) >> 16))
        ferr = (y12 - pm) * FINAL_RATE
        for m in range(3):
            WF[bf + m] = clamp(WF[bf + m] + ((e[m] * ferr) >> 16), -W_LIMIT, W_LIMIT)
        g = (bit << 16) + (bit << 7) - bit - bit
        self.A[ai] += (g - self.A[ai]) >> 7
        self.c0 = (self.c0 << 1) | bit
        self.nib = (nib << 1) | bit
        if self.c0 >= 256:
            self.end_symbol(self.c0 & 0xFF)
            self.c0 = 1
            self.select_buckets()
        elif 16 <= self.c0 < 32:
            self.select_buckets()

    def end_symbol(self, s):
        self.c8 = ((self.c8 << 8) | (self.c4 >> 24)) & M32
        self.c4 = ((self.c4 << 8) | s) & M32
        if s in TOKEN_SET:
            self.field, self.field_index = s, TOKEN_BYTES.index(s) + 1
            self.word1, self.word, self.word_len = s, 0, 0
            self.clause, self.word_in_clause = 0, 0
        else:
            l = letter(s)
            if l:
                if self.word == 0:
                    self.word, self.word_len = 0x811C9DC5, 0
                self.word = ((self.word ^ l) * 0x01000193) & M32
                self.word_len += 1
            elif self.word:
                self.word1, self.word, self.word_len = self.word, 0, 0
                self.word_in_clause += 1
            if s in SEPARATORS:
                self.clause += 1
                self.word_in_clause = 0
        self.hashes()
        # 4.8 match model
        hist = self.hist
        if self.mlen > 0 and hist[self.mptr] == s:
            self.mlen, self.mptr = min(self.mlen + 1, 65535), self.mptr + 1
        else:
            self.mlen = 0
        hist.append(s)
        pos = len(hist)
        e = self.h[3] >> 16
        if self.mlen == 0 and self.MT[e] > 0:
            cand, l = self.MT[e], 0
            while l < 32 and l < cand and hist[cand - 1 - l] == hist[pos - 1 - l]:
                l += 1
            if l > 0:
                self.mlen, self.mptr = l, cand
        self.MT[e] = pos
        self.mexp = hist[self.mptr] if self.mlen > 0 else None
        # 4.9 dictionary prefix
        if self.word_len == 0:
            self.dpre = None
        else:
            if self.word_len == 1:
                self.dpre = b""
            if self.dpre is not None:
                d = self.dpre + bytes([letter(s)])
                i = bisect.bisect_left(self.entries, d)
                self.dpre = d if i < len(self.entries) and self.entries[i].startswith(d) else None


# --- 5. Arithmetic decoder -----------------------------------------------------------------------
class BitDecoder:
    def __init__(self, data):
        self.data, self.pos = data, 0
        self.low, self.high, self.x = 0, M32, 0
        for _ in range(4):
            self.x = (self.x << 8) | self.byte()

    def byte(self):
        b = self.data[self.pos] if self.pos < len(self.data) else 0
        self.pos += 1
        return b

    def bit(self, p1):
        r = self.high - self.low
        mid = self.low + (r >> 12) * p1 + (((r & 0xFFF) * p1) >> 12)
        if self.x <= mid:
            bit, self.high = 1, mid
        else:
            bit, self.low = 0, mid + 1
        while ((self.low ^ self.high) & 0xFF000000) == 0:
            self.low = (self.low << 8) & M32
            self.high = ((self.high << 8) & M32) | 0xFF
            self.x = ((self.x << 8) & M32) | self.byte()
        return bit

    def canonical_end(self):
        """B.5: the input is exactly the encoder's bytes for the bits decoded: one per shift, the
        final byte, trailing zeros removed."""
        shifts = self.pos - 4
        final = (self.low >> 24) + (0 if self.low & 0xFFFFFF == 0 else 1)
        expected = bytearray(self.data[:shifts]) + bytes(max(0, shifts - len(self.data))) + bytes([final])
        return bytes(expected).rstrip(b"\x00") == bytes(self.data)


# --- 1. Payload and 6. decoding procedure --------------------------------------------------------
_models = {}


def decode(payload, length, trace=None):
    if not 0 <= length <= MAX_LENGTH or length > MAX_RATIO * len(payload) + RATIO_ALLOWANCE:
        raise DecodeError("decoded length out of range")
    model_id, pos = 0, 0
    while True:
        if pos >= len(payload) or pos >= 4:
            raise DecodeError("payload too short or bad model id")
        b = payload[pos]
        model_id |= (b & 0x7F) << (7 * pos)
        pos += 1
        if b < 0x80:
            if b == 0 and pos > 1:
                raise DecodeError("model id varint is not in its shortest form")
            break
    if len(payload) < pos + 2:
        raise DecodeError("payload too short")
    check = int.from_bytes(payload[pos:pos + 2], "little")
    if model_id not in _models:
        phrases, prompts, words = load_model(model_id)
        m = Model(phrases, prompts, words)
        _models[model_id] = (phrases, m, m.snapshot())
    phrases, model, snap = _models[model_id]
    model.restore(snap)
    model.start_prompt()
    dec = BitDecoder(payload[pos + 2:])
    out = bytearray()
    while len(out) < length:
        s = 0
        for _ in range(8):
            p1 = model.predict()
            bit = dec.bit(p1)
            if trace is not None:
                trace.append([p1, bit, dec.low, dec.high])
            model.update(bit)
            s = (s << 1) | bit
        if s in TOKEN_SET:
            k = TOKEN_BYTES.index(s)
            if k >= len(phrases):
                raise DecodeError("undefined token 0x%02x" % s)
            if len(out) + len(phrases[k]) > length:
                raise DecodeError("length overrun")
            out += phrases[k]
        else:
            out.append(s)
    if not dec.canonical_end():
        raise DecodeError("the code does not end as the encoder ends it")
    if zlib.crc32(bytes(out)) & 0xFFFF != check:
        raise DecodeError("checksum mismatch")
    return bytes(out).decode("utf-8")  # raises UnicodeDecodeError on invalid UTF-8


def primed_digests(model):
    """B.8: SHA-256 of each part of the primed state, little-endian words in the spec's order."""
    def le(values, size, signed=False):
        return b"".join(v.to_bytes(size, "little", signed=signed) for v in values)
    parts = {}
    for i in range(LOCAL_FIRST):
        parts["T%d" % i] = le(model.T[i], 4)
    parts["A"] = le(model.A, 2)
    for name in ("W0", "W1", "W2", "WF"):
        parts[name] = le(getattr(model, name), 4, signed=True)
    parts["MT"] = le(model.MT, 4)
    parts["SM"] = le(model.SM, 4)
    parts["hist"] = bytes(model.hist)
    return {name: hashlib.sha256(data).hexdigest() for name, data in parts.items()}


def check_vectors(path):
    """B.8: compare the primed state's digests, then decode the test vector's payload and compare
    every traced step."""
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    model_id = bytes.fromhex(vectors["payload"])[0]  # every model id so far is one varint byte
    decode(bytes([model_id, 0, 0]), 0)  # primes the model (and checks the empty text)
    phrases, model, snap = _models[model_id]
    model.restore(snap)
    digests = primed_digests(model)
    for part, digest in vectors["primed"].items():
        if digests.get(part) != digest:
            print("vectors: the primed state's %s differs: ours %s, the file's %s" % (part, digests.get(part), digest))
            return 1
    if set(digests) != set(vectors["primed"]):
        print("vectors: parts %s vs the file's %s" % (sorted(digests), sorted(vectors["primed"])))
        return 1
    trace = []
    text = decode(bytes.fromhex(vectors["payload"]), vectors["decoded_length"], trace)
    if text != vectors["text"]:
        print("vectors: decoded %r, expected %r" % (text, vectors["text"]))
        return 1
    for k, (ours, theirs) in enumerate(zip(trace, vectors["steps"])):
        if ours != theirs:
            print("vectors: bit %d differs: ours %s, the file's %s" % (k, ours, theirs))
            return 1
    print("decode_ref: the %d primed-state digests and the %d steps of %s agree" % (len(digests), len(vectors["steps"]), path))
    return 0


def check_jsonl(path):
    """Decodes every payload of a --dump file and compares it with the text the encoder was given."""
    bad = total = 0
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        rec = json.loads(line)
        total += 1
        try:
            got = decode(bytes.fromhex(rec["payload"]), rec["length"])
        except (DecodeError, UnicodeDecodeError) as e:
            got = "<error %s>" % e
        if got != rec["text"]:
            bad += 1
            print("MISMATCH #%d (%d bytes): %r" % (total, rec["length"], got[:80]))
    print("decode_ref: %d/%d payloads agree with the Swift encoder" % (total - bad, total))
    return 1 if bad else 0


def main():
    args = sys.argv[1:]
    if len(args) == 2 and not args[0].startswith("--"):
        print(decode(bytes.fromhex(args[0]), int(args[1])), end="")
        return 0
    # Checks in one process share each model's priming (the slow part).
    if not args or len(args) % 2 or any(option not in ("--jsonl", "--vectors") for option in args[::2]):
        print(__doc__)
        return 64
    status = 0
    for option, path in zip(args[::2], args[1::2]):
        status |= check_jsonl(path) if option == "--jsonl" else check_vectors(path)
    return status


if __name__ == "__main__":
    sys.exit(main())
