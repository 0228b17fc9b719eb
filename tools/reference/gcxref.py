#!/usr/bin/env python3
"""A second reader of the .gcx container, written from spec/gcx.md alone (it shares no code with the
Swift implementation). It reads a file through its trailer and index, checks every record's CRC and
every entry against its index row, decodes each prompt (method 0 itself, method 1 through the
reference prompt decoder in tools/promptcoder when present, method 2 with formref.py) and prints one JSON array:

    python3 tools/reference/gcxref.py ARCHIVE.gcx
    python3 tools/reference/gcxref.py --overhead ARCHIVE.gcx...   # bytes per entry, field by field

with the fields of `gcx list --json` plus "prompt". It reads versions 1 and 2 (spec §3.1). Exit 0 on success; 1 with a message naming the
offset when the file breaks a rule it checks.

It is a reader, not a validator: it reads only what the index points at, skips ancillary chunks
without checking their fields, and does not look inside PNG and JPEG thumbnails; tiny (codecs 3,
4 and 5) thumbnails it decodes with tinyref.py, adding "thumbnail_sha256" of their RGB pixels.
"""
import hashlib
import json
import os
import sys
import unicodedata
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tinyref  # noqa: E402
import formref  # noqa: E402

SIGNATURE = bytes([0x89, 0x47, 0x43, 0x58, 0x0D, 0x0A, 0x1A, 0x0A])


class Invalid(Exception):
    def __init__(self, offset, message):
        super().__init__(f"offset {offset}: {message}")


# When set (overhead mode), bytes read are counted here under the field they belong to.
TALLY = None


def tally(field, n):
    if TALLY is not None:
        TALLY[field] = TALLY.get(field, 0) + n


class Cursor:
    """Reads fields from data[start:end]; `base` is the absolute file offset of data[0]."""

    def __init__(self, data, start, end, base=0):
        self.data, self.pos, self.end, self.base = data, start, end, base

    def counted(self, field, read):
        """Runs read() and tallies the bytes it consumed under `field`."""
        before = self.pos
        value = read()
        tally(field, self.pos - before)
        return value

    def offset(self):
        return self.base + self.pos

    def need(self, n, what):
        if n < 0 or self.pos + n > self.end:
            raise Invalid(self.offset(), f"{what} runs past its structure")

    def u8(self, what):
        self.need(1, what)
        self.pos += 1
        return self.data[self.pos - 1]

    def fixed(self, n, what):
        self.need(n, what)
        self.pos += n
        return int.from_bytes(self.data[self.pos - n:self.pos], "little")

    def raw(self, n, what):
        self.need(n, what)
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def varint(self, what, maximum=(1 << 64) - 1):
        start = self.offset()
        value = 0
        for i in range(10):
            b = self.u8(what)
            if i == 9 and b > 1:
                raise Invalid(start, f"{what}: varint over 64 bits")
            value |= (b & 0x7F) << (7 * i)
            if b & 0x80 == 0:
                if b == 0 and i > 0:
                    raise Invalid(start, f"{what}: varint not in shortest form")
                if value > maximum:
                    raise Invalid(start, f"{what} {value} over the limit {maximum}")
                return value
        raise Invalid(start, f"{what}: varint too long")

    def svarint(self, what):
        u = self.varint(what)
        return (u >> 1) ^ -(u & 1)

    def string(self, what, maximum):
        n = self.varint(what + " length", maximum)
        raw = self.raw(n, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(self.offset() - n, f"{what} is not UTF-8")


def check_name(name, offset):
    raw = name.encode("utf-8")
    if not raw or len(raw) > 1024:
        raise Invalid(offset, "name empty or over 1024 bytes")
    if any(ord(c) < 0x20 or ord(c) == 0x7F or 0x80 <= ord(c) < 0xA0 for c in name) or "\\" in name:
        raise Invalid(offset, f"name {name!r} has a control character or backslash")
    if name.startswith("/") or (len(raw) >= 2 and raw[1:2] == b":" and chr(raw[0]).isascii() and chr(raw[0]).isalpha()):
        raise Invalid(offset, f"name {name!r} is absolute")
    for part in name.split("/"):
        if part in ("", ".", "..") or len(part.encode("utf-8")) > 255:
            raise Invalid(offset, f"name {name!r} has a bad component {part!r}")
    if unicodedata.normalize("NFC", name) != name:
        raise Invalid(offset, f"name {name!r} is not NFC")


def read_record(data, p, expected_kind=None, version=1):
    c = Cursor(data, p, len(data))
    kind = c.u8("record kind")
    limits = {0x45: 1 << 24, 0x49: 1 << 28, 0x54: 12}
    if version == 2:
        limits[0x44] = 1 << 20  # the defaults record, §7.1
    if not (0x41 <= kind <= 0x5A or 0x61 <= kind <= 0x7A) or (kind <= 0x5A and kind not in limits):
        raise Invalid(p, f"record kind 0x{kind:02x}")
    length = c.varint("record length", limits.get(kind, 1 << 24))
    body_start = c.pos
    c.need(length + 4, "record")
    crc = int.from_bytes(data[body_start + length:body_start + length + 4], "little")
    if zlib.crc32(data[p:body_start + length]) != crc:
        raise Invalid(p, "record CRC-32 mismatch")
    if expected_kind is not None and kind != expected_kind:
        raise Invalid(p, f"expected record {chr(expected_kind)}, found {chr(kind)}")
    return kind, body_start, body_start + length, body_start + length + 4


def decode_prompt(method, length, payload, offset):
    if method == 0:
        if len(payload) != length:
            raise Invalid(offset, "stored prompt length mismatch")
        return payload.decode("utf-8")
    if method == 1:
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path.insert(0, os.path.join(here, "..", "promptcoder"))
        import decode_ref  # the reference prompt decoder, written from spec/gcx.md Appendix B
        try:
            text = decode_ref.decode(bytes(payload), length)
        except Exception as error:  # DecodeError, invalid UTF-8: the payload is damaged
            raise Invalid(offset, f"model-coded prompt does not decode: {error}")
        if len(text.encode("utf-8")) != length:
            raise Invalid(offset, "decoded prompt length mismatch")
        return text
    if method == 2:
        try:
            return formref.decode(payload, length)  # the built-in form, Appendix D
        except formref.Invalid as error:
            raise Invalid(offset, f"built-in form prompt does not decode: {error}")
    raise Invalid(offset, f"unknown prompt method {method}")


def read_other_chunk(t, d, at, e):
    """The chunks both versions share: T, k, l; g, c and unknown ancillary ones are skipped."""
    if t == "T":
        codec, scale = d.counted("thumbnail chunk fields", lambda: (d.u8("codec"), d.u8("scale")))
        tw, th = d.counted("thumbnail chunk fields", lambda: (d.varint("thumbnail width", 65535), d.varint("thumbnail height", 65535)))
        if codec not in (1, 2, 3, 4, 5) or scale == 0:
            raise Invalid(at, "thumbnail codec or scale")
        if (tw, th) != (-(-e["width"] // scale), -(-e["height"] // scale)):
            raise Invalid(at, "thumbnail size does not follow from the scale")
        payload = d.counted("thumbnail payload", lambda: d.raw(d.end - d.pos, "thumbnail"))
        e["thumbnail_bytes"] = len(payload)
        if codec in (3, 4, 5):  # Appendix C (C.9, C.10): decoded by the second tiny decoder
            try:
                e["thumbnail_sha256"] = hashlib.sha256(tinyref.decode(payload, tw, th, codec)).hexdigest()
            except tinyref.Invalid as exc:
                raise Invalid(at, "tiny thumbnail: %s" % exc)
    elif t == "k":  # §6.7 camera
        make, model = d.string("camera make", 256), d.string("camera model", 256)
        if not make and not model:
            raise Invalid(at, "camera chunk with neither make nor model")
        e["camera"] = {"make": make, "model": model}
    elif t == "l":  # §6.8 location
        lat, lon = d.svarint("latitude"), d.svarint("longitude")
        flags = d.u8("location flags")
        alt = d.svarint("altitude") if flags & 1 else None
        if not -90_000_000 <= lat <= 90_000_000 or not -180_000_000 <= lon <= 180_000_000 or flags & ~1 \
                or (alt is not None and not -100_000 <= alt <= 1_000_000):
            raise Invalid(at, "location out of range")
        e["location"] = {"latitude": lat / 1e6, "longitude": lon / 1e6,
                         "altitude_m": None if alt is None else alt / 10}
    elif t.isupper():
        raise Invalid(at, f"unknown critical chunk {t}")
    else:
        d.pos = d.end  # ancillary: g, c and unknown ones are skipped here
    if t in "Tkl" and d.pos != d.end:
        raise Invalid(at, f"chunk {t} has trailing bytes")


# The field under which overhead mode counts each chunk's data (the prompt and thumbnail
# payloads are counted apart, as the values the container carries).
CHUNK_FIELD = {"T": "thumbnail chunk fields", "g": "generator chunk (g)", "c": "captioner chunk (c)",
               "k": "camera chunk (k)", "l": "location chunk (l)"}


def read_chunk(c, seen, at_start=False):
    """One chunk's type and a cursor over its data."""
    at = c.offset()
    t = chr(c.counted("chunk framing", lambda: c.u8("chunk type")))
    if not ("A" <= t <= "Z" or "a" <= t <= "z"):
        raise Invalid(at, "chunk type is not an ASCII letter")
    n = c.counted("chunk framing", lambda: c.varint("chunk length"))
    c.need(n, "chunk")
    d = Cursor(c.data, c.pos, c.pos + n, c.base)
    c.pos += n
    if t in "SMPTgckl":
        if t in seen:
            raise Invalid(at, f"chunk {t} twice")
        seen.add(t)
    return at, t, n, d


def read_entry_v1(data, start, end):
    c = Cursor(data, start, end)
    order = "SMPT"
    seen, last = set(), -1
    e = {}
    while c.pos < end:
        at, t, n, d = read_chunk(c, seen)
        if "S" not in seen:
            raise Invalid(at, "entry does not start with S")
        if t in order:
            if order.index(t) <= last:
                raise Invalid(at, f"chunk {t} out of order")
            last = order.index(t)
        if t == "S":
            e["name"] = d.counted("name", lambda: d.string("name", 1024))
            check_name(e["name"], at)
            e["width"] = d.counted("width, height", lambda: d.varint("width", 65535))
            e["height"] = d.counted("width, height", lambda: d.varint("height", 65535))
            if not e["width"] or not e["height"]:
                raise Invalid(at, "zero size")
            d.counted("original size", lambda: d.varint("original size", 1 << 48))
            if d.counted("flags", lambda: d.u8("hash algorithm")) != 1:
                raise Invalid(at, "hash algorithm")
            d.counted("content hash", lambda: d.raw(32, "hash"))
            flags = d.counted("flags", lambda: d.u8("flags"))
            if flags & ~7 or (flags & 2 and not flags & 1):
                raise Invalid(at, "source flags")
            read_times(d, flags & 1, flags & 2, flags & 4, at)
        elif t == "M":
            mode = d.counted("mode", lambda: d.u8("mode"))
            if mode > 1:
                raise Invalid(at, "mode")
            e["mode"] = ["text", "multimodal"][mode]
        elif t == "P":
            method = d.counted("prompt method, length", lambda: d.varint("method"))
            length = d.counted("prompt method, length", lambda: d.varint("decoded length", 1 << 20))
            payload = d.counted("prompt payload", lambda: d.raw(d.end - d.pos, "payload"))
            e["prompt_bytes"] = len(payload)
            e["prompt"] = decode_prompt(method, length, payload, at)
        else:
            tally(CHUNK_FIELD.get(t, "other chunks"), n if t != "T" else 0)
            read_other_chunk(t, d, at, e)
        if t in "SMP" and d.pos != d.end:
            raise Invalid(at, f"chunk {t} has trailing bytes")
    for t in "SMP":
        if t not in seen:
            raise Invalid(start, f"entry lacks chunk {t}")
    if (e["mode"] == "multimodal") != ("T" in seen):
        raise Invalid(start, "thumbnail presence does not match the mode")
    e.setdefault("thumbnail_bytes", 0)
    return e


def read_times(d, has_time, has_offset, has_orientation, at):
    if has_offset and not has_time:
        raise Invalid(at, "a UTC offset without a capture time")
    if has_time:
        d.counted("capture time, offset, orientation", lambda: d.svarint("capture time"))
    if has_offset and not -1440 <= d.counted("capture time, offset, orientation", lambda: d.svarint("utc offset")) <= 1440:
        raise Invalid(at, "utc offset")
    if has_orientation and not 1 <= d.counted("capture time, offset, orientation", lambda: d.u8("orientation")) <= 8:
        raise Invalid(at, "orientation")


def read_entry_v2(data, start, end):
    """§5.3: name, entry_flags, width, height, original_size, 8 or 32 hash bytes, the optional
    times, prompt method and decoded length, [chunks_length and chunks], the prompt payload."""
    c = Cursor(data, start, end)
    e = {"name": c.counted("name", lambda: c.string("name", 1024))}
    check_name(e["name"], start)
    flags = c.counted("flags", lambda: c.u8("entry flags"))
    if flags & ~0x3F:
        raise Invalid(start, "undefined entry flags")
    e["mode"] = "multimodal" if flags & 1 else "text"
    e["width"] = c.counted("width, height", lambda: c.varint("width", 65535))
    e["height"] = c.counted("width, height", lambda: c.varint("height", 65535))
    if not e["width"] or not e["height"]:
        raise Invalid(start, "zero size")
    c.counted("original size", lambda: c.varint("original size", 1 << 48))
    c.counted("content hash", lambda: c.raw(32 if flags & 0x10 else 8, "hash"))
    read_times(c, flags & 2, flags & 4, flags & 8, start)
    at = c.offset()
    method = c.counted("prompt method, length", lambda: c.varint("method"))
    length = c.counted("prompt method, length", lambda: c.varint("decoded length", 1 << 20))
    seen = set()
    if flags & 0x20:
        n = c.counted("chunk framing", lambda: c.varint("chunks length", c.end - c.pos))
        if n == 0:
            raise Invalid(at, "chunks flagged with length 0")
        chunks = Cursor(data, c.pos, c.pos + n)
        c.pos += n
        while chunks.pos < chunks.end:
            cat, t, size, d = read_chunk(chunks, seen)
            if t.isupper() and t != "T":
                raise Invalid(cat, f"critical chunk {t} in a version 2 entry")
            tally(CHUNK_FIELD.get(t, "other chunks"), size if t != "T" else 0)
            read_other_chunk(t, d, cat, e)
    payload = c.counted("prompt payload", lambda: c.raw(c.end - c.pos, "payload"))
    e["prompt_bytes"] = len(payload)
    e["prompt"] = decode_prompt(method, length, payload, at)
    if (e["mode"] == "multimodal") != ("T" in seen):
        raise Invalid(start, "thumbnail presence does not match the mode")
    e.setdefault("thumbnail_bytes", 0)
    return e


def read_defaults(data, start, end):
    """§7.1: the defaults record holds g and c chunks only, each at most once."""
    c = Cursor(data, start, end)
    seen = set()
    while c.pos < end:
        at, t, n, d = read_chunk(c, seen)
        if t in "SMPTkl" or t.isupper():
            raise Invalid(at, f"chunk {t} in a defaults record")
        tally(CHUNK_FIELD.get(t, "other chunks"), n)


def read(path):
    data = open(path, "rb").read()
    if data[:8] != SIGNATURE:
        raise Invalid(0, "signature")
    if len(data) < 16 or zlib.crc32(data[:12]) != int.from_bytes(data[12:16], "little"):
        raise Invalid(12, "header CRC")
    version = data[8]
    if version not in (1, 2) or data[9] != 0 or data[11] != 0:
        raise Invalid(8, "version, required flags or reserved byte")
    tally("file: header", 16)
    t = len(data) - 18
    if t < 16 or data[t] != 0x54 or data[t + 1] != 12:
        raise Invalid(max(t, 0), "no trailer")
    _, body, _, end = read_record(data, t, 0x54)
    tally("file: trailer", 18)
    index_offset = int.from_bytes(data[body:body + 8], "little")
    index_length = int.from_bytes(data[body + 8:body + 12], "little")
    if index_offset < 16 or index_offset + index_length != t:
        raise Invalid(t, "index range")
    if version == 2 and data[16] == 0x44 and index_offset > 16:  # §7.1: the defaults record
        _, d_start, d_stop, d_end = read_record(data, 16, 0x44, version)
        global TALLY
        saved, TALLY = TALLY, None
        read_defaults(data, d_start, d_stop)
        TALLY = saved
        tally("file: defaults record", d_end - 16)
    _, start, stop, after = read_record(data, index_offset, 0x49, version)
    if after != t:
        raise Invalid(index_offset, "index length")
    tally("file: index framing and count", (start - index_offset) + 4)
    c = Cursor(data, start, stop)
    count = c.counted("file: index framing and count", lambda: c.varint("entry count", 1_000_000))
    expected, previous, names, entries = 16, b"", set(), []
    size, previous_length = None, 0
    for number in range(count):
        row = c.offset()
        flags = 0
        if version == 2:
            flags = c.counted("index: flags, gap, length", lambda: c.u8("row flags"))
            if size is None and not flags & 2:
                raise Invalid(row, "row flags")
        gap = c.counted("index: flags, gap, length", lambda: c.varint("gap")) if version == 1 or flags & 4 else 0
        if version == 2 and flags & 4 and gap == 0:
            raise Invalid(row, "a flagged gap of 0")
        offset = expected + gap
        if version == 1:
            length = c.counted("index: flags, gap, length", lambda: c.varint("record length"))
        else:  # the change from the previous row's record length
            length = previous_length + c.counted("index: flags, gap, length", lambda: c.svarint("record length change"))
        if length < (54 if version == 1 else 22) or offset + length > index_offset:
            raise Invalid(row, "index row out of range")
        prefix = c.counted("index: name coding", lambda: c.varint("name prefix", len(previous)))
        kept = flags >> 3 if version == 2 else 0  # bits 3-7; 31 escapes to a varint of 31 or more
        if kept == 31:
            kept = c.counted("index: name coding", lambda: c.varint("name suffix kept", 1024))
            if kept < 31:
                raise Invalid(row, "an escaped kept length that fits the flags")
        if kept > len(previous) - prefix:
            raise Invalid(row, "kept suffix longer than the previous name leaves")
        middle = c.counted("index: name coding", lambda: c.varint("name bytes", 1024 - prefix - kept))
        name_bytes = previous[:prefix] + c.counted("index: name bytes", lambda: c.raw(middle, "name")) + (previous[len(previous) - kept:] if kept else b"")
        if version == 1:
            width = c.counted("index: summary", lambda: c.varint("width"))
            height = c.counted("index: summary", lambda: c.varint("height"))
            mode = c.counted("index: summary", lambda: c.u8("mode"))
            if mode > 1:
                raise Invalid(row, "mode")
        else:
            mode = flags & 1
            if flags & 2:
                width = c.counted("index: summary", lambda: c.varint("width"))
                height = c.counted("index: summary", lambda: c.varint("height"))
                if size == (width, height):
                    raise Invalid(row, "a size repeated instead of left out")
            else:
                width, height = size
        size = (width, height)
        if version == 1:
            prompt_bytes = c.counted("index: summary", lambda: c.varint("prompt bytes"))
            thumbnail_bytes = c.counted("index: summary", lambda: c.varint("thumbnail bytes"))
        else:  # the thumbnail's bytes, then the record's bytes outside the two payloads
            thumbnail_bytes = c.counted("index: summary", lambda: c.varint("thumbnail bytes")) if mode else 0
            prompt_bytes = length - thumbnail_bytes - c.counted("index: summary", lambda: c.varint("other bytes"))
            if prompt_bytes < 0:
                raise Invalid(row, "other and thumbnail bytes exceed the record")
        summary = {
            "name": name_bytes.decode("utf-8"), "width": width, "height": height,
            "mode": ["text", "multimodal"][mode], "prompt_bytes": prompt_bytes,
            "thumbnail_bytes": thumbnail_bytes, "entry_bytes": length,
        }
        if summary["name"] in names:
            raise Invalid(row, "duplicate name")
        names.add(summary["name"])
        _, body_start, body_end, record_end = read_record(data, offset, 0x45, version)
        if record_end - offset != length:
            raise Invalid(row, "index length does not match the record")
        tally("entry: record framing", (body_start - offset) + 4)
        entry = (read_entry_v1 if version == 1 else read_entry_v2)(data, body_start, body_end)
        for key in ("name", "width", "height", "mode", "prompt_bytes", "thumbnail_bytes"):
            if entry[key] != summary[key]:
                raise Invalid(row, f"index {key} disagrees with the entry")
        summary["bpp"] = round(length * 8 / (summary["width"] * summary["height"]), 6)
        summary["prompt"] = entry["prompt"]
        summary["camera"] = entry.get("camera")
        summary["location"] = entry.get("location")
        entries.append(summary)
        expected, previous, previous_length = offset + length, name_bytes, length
    if c.pos != stop:
        raise Invalid(c.offset(), "bytes after the last index row")
    return entries


def overhead(paths):
    """Per field, the bytes per entry a set of archives spends, and what is container overhead:
    everything but the coded prompt payloads (the issue's measure) and thumbnail payloads."""
    global TALLY
    TALLY = {}
    entries = 0
    total = 0
    for path in paths:
        entries += len(read(path))
        total += os.path.getsize(path)
    counted = sum(TALLY.values())
    if counted != total:
        raise Invalid(0, f"overhead accounting covers {counted} of {total} bytes")
    payloads = TALLY.get("prompt payload", 0) + TALLY.get("thumbnail payload", 0)
    rows = sorted(TALLY.items(), key=lambda item: item[0])
    print(f"{len(paths)} archive(s), {entries} entries, {total} bytes")
    print("| field | bytes | per entry |")
    print("|---|---:|---:|")
    for field, n in rows:
        print(f"| {field} | {n} | {n / entries:.2f} |")
    print(f"| **container overhead** (all but prompt and thumbnail payloads) | {total - payloads} | **{(total - payloads) / entries:.2f}** |")
    TALLY = None


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--overhead":
        try:
            overhead(sys.argv[2:])
        except Invalid as error:
            print(f"gcxref: {error}", file=sys.stderr)
            return 1
        return 0
    if len(sys.argv) != 2:
        print("usage: gcxref.py ARCHIVE.gcx | gcxref.py --overhead ARCHIVE.gcx...", file=sys.stderr)
        return 2
    try:
        entries = read(sys.argv[1])
    except Invalid as error:
        print(f"gcxref: {sys.argv[1]}: {error}", file=sys.stderr)
        return 1
    except (UnicodeDecodeError, IndexError, ValueError) as error:
        print(f"gcxref: {sys.argv[1]}: {error}", file=sys.stderr)
        return 1
    json.dump(entries, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
