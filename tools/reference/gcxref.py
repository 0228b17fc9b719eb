#!/usr/bin/env python3
"""A second reader of the .gcx container, written from spec/gcx.md alone (it shares no code with the
Swift implementation). It reads a file through its trailer and index, checks every record's CRC and
every entry against its index row, decodes each prompt (method 0 itself, method 1 through the
reference prompt decoder in tools/promptcoder when present) and prints one JSON array:

    python3 tools/reference/gcxref.py ARCHIVE.gcx

with the fields of `gcx list --json` plus "prompt". Exit 0 on success; 1 with a message naming the
offset when the file breaks a rule it checks.

It is a reader, not a validator: it reads only what the index points at, skips ancillary chunks
without checking their fields, and does not look inside PNG and JPEG thumbnails; tiny (codec 3)
thumbnails it decodes with tinyref.py, adding "thumbnail_sha256" of their RGB pixels.
"""
import hashlib
import json
import os
import sys
import unicodedata
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tinyref  # noqa: E402

SIGNATURE = bytes([0x89, 0x47, 0x43, 0x58, 0x0D, 0x0A, 0x1A, 0x0A])


class Invalid(Exception):
    def __init__(self, offset, message):
        super().__init__(f"offset {offset}: {message}")


class Cursor:
    """Reads fields from data[start:end]; `base` is the absolute file offset of data[0]."""

    def __init__(self, data, start, end, base=0):
        self.data, self.pos, self.end, self.base = data, start, end, base

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


def read_record(data, p, expected_kind=None):
    c = Cursor(data, p, len(data))
    kind = c.u8("record kind")
    limits = {0x45: 1 << 24, 0x49: 1 << 28, 0x54: 12}
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
    raise Invalid(offset, f"unknown prompt method {method}")


def read_entry(data, start, end):
    c = Cursor(data, start, end)
    order = "SMPT"
    seen, last = set(), -1
    e = {}
    while c.pos < end:
        at = c.offset()
        t = chr(c.u8("chunk type"))
        if not ("A" <= t <= "Z" or "a" <= t <= "z"):
            raise Invalid(at, "chunk type is not an ASCII letter")
        n = c.varint("chunk length")
        c.need(n, "chunk")
        d = Cursor(data, c.pos, c.pos + n)
        c.pos += n
        if not seen and t != "S":
            raise Invalid(at, "entry does not start with S")
        if t in "SMPTgckl":
            if t in seen:
                raise Invalid(at, f"chunk {t} twice")
            seen.add(t)
        if t in order:
            if order.index(t) <= last:
                raise Invalid(at, f"chunk {t} out of order")
            last = order.index(t)
        if t == "S":
            e["name"] = d.string("name", 1024)
            check_name(e["name"], at)
            e["width"] = d.varint("width", 65535)
            e["height"] = d.varint("height", 65535)
            if not e["width"] or not e["height"]:
                raise Invalid(at, "zero size")
            d.varint("original size", 1 << 48)
            if d.u8("hash algorithm") != 1:
                raise Invalid(at, "hash algorithm")
            d.raw(32, "hash")
            flags = d.u8("flags")
            if flags & ~7 or (flags & 2 and not flags & 1):
                raise Invalid(at, "source flags")
            if flags & 1:
                d.svarint("capture time")
            if flags & 2 and not -1440 <= d.svarint("utc offset") <= 1440:
                raise Invalid(at, "utc offset")
            if flags & 4 and not 1 <= d.u8("orientation") <= 8:
                raise Invalid(at, "orientation")
        elif t == "M":
            mode = d.u8("mode")
            if mode > 1:
                raise Invalid(at, "mode")
            e["mode"] = ["text", "multimodal"][mode]
        elif t == "P":
            method = d.varint("method")
            length = d.varint("decoded length", 1 << 20)
            payload = d.raw(d.end - d.pos, "payload")
            e["prompt_bytes"] = len(payload)
            e["prompt"] = decode_prompt(method, length, payload, at)
        elif t == "T":
            codec, scale = d.u8("codec"), d.u8("scale")
            tw, th = d.varint("thumbnail width", 65535), d.varint("thumbnail height", 65535)
            if codec not in (1, 2, 3) or scale == 0:
                raise Invalid(at, "thumbnail codec or scale")
            if (tw, th) != (-(-e["width"] // scale), -(-e["height"] // scale)):
                raise Invalid(at, "thumbnail size does not follow from the scale")
            payload = d.raw(d.end - d.pos, "thumbnail")
            e["thumbnail_bytes"] = len(payload)
            if codec == 3:  # Appendix C: decoded by the second codec 3 decoder
                try:
                    e["thumbnail_sha256"] = hashlib.sha256(tinyref.decode(payload, tw, th)).hexdigest()
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
        if t in "SMPTkl" and d.pos != d.end:
            raise Invalid(at, f"chunk {t} has trailing bytes")
    for t in "SMP":
        if t not in seen:
            raise Invalid(start, f"entry lacks chunk {t}")
    if (e["mode"] == "multimodal") != ("T" in seen):
        raise Invalid(start, "thumbnail presence does not match the mode")
    e.setdefault("thumbnail_bytes", 0)
    return e


def read(path):
    data = open(path, "rb").read()
    if data[:8] != SIGNATURE:
        raise Invalid(0, "signature")
    if len(data) < 16 or zlib.crc32(data[:12]) != int.from_bytes(data[12:16], "little"):
        raise Invalid(12, "header CRC")
    if data[8] != 1 or data[9] != 0 or data[11] != 0:
        raise Invalid(8, "version, required flags or reserved byte")
    t = len(data) - 18
    if t < 16 or data[t] != 0x54 or data[t + 1] != 12:
        raise Invalid(max(t, 0), "no trailer")
    _, body, _, end = read_record(data, t, 0x54)
    index_offset = int.from_bytes(data[body:body + 8], "little")
    index_length = int.from_bytes(data[body + 8:body + 12], "little")
    if index_offset < 16 or index_offset + index_length != t:
        raise Invalid(t, "index range")
    _, start, stop, after = read_record(data, index_offset, 0x49)
    if after != t:
        raise Invalid(index_offset, "index length")
    c = Cursor(data, start, stop)
    count = c.varint("entry count", 1_000_000)
    expected, previous, names, entries = 16, b"", set(), []
    for _ in range(count):
        row = c.offset()
        offset = expected + c.varint("gap")
        length = c.varint("record length")
        if length < 54 or offset + length > index_offset:
            raise Invalid(row, "index row out of range")
        prefix = c.varint("name prefix", len(previous))
        name_bytes = previous[:prefix] + c.raw(c.varint("name suffix length", 1024 - prefix), "name")
        summary = {
            "name": name_bytes.decode("utf-8"), "width": c.varint("width"), "height": c.varint("height"),
            "mode": ["text", "multimodal"][c.u8("mode")], "prompt_bytes": c.varint("prompt bytes"),
            "thumbnail_bytes": c.varint("thumbnail bytes"), "entry_bytes": length,
        }
        if summary["name"] in names:
            raise Invalid(row, "duplicate name")
        names.add(summary["name"])
        _, body_start, body_end, record_end = read_record(data, offset, 0x45)
        if record_end - offset != length:
            raise Invalid(row, "index length does not match the record")
        entry = read_entry(data, body_start, body_end)
        for key in ("name", "width", "height", "mode", "prompt_bytes", "thumbnail_bytes"):
            if entry[key] != summary[key]:
                raise Invalid(row, f"index {key} disagrees with the entry")
        summary["bpp"] = round(length * 8 / (summary["width"] * summary["height"]), 6)
        summary["prompt"] = entry["prompt"]
        summary["camera"] = entry.get("camera")
        summary["location"] = entry.get("location")
        entries.append(summary)
        expected, previous = offset + length, name_bytes
    if c.pos != stop:
        raise Invalid(c.offset(), "bytes after the last index row")
    return entries


def main():
    if len(sys.argv) != 2:
        print("usage: gcxref.py ARCHIVE.gcx", file=sys.stderr)
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
