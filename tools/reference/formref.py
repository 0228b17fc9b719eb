#!/usr/bin/env python3
"""A second decoder of prompt method 2, the built-in form (spec/gcx.md Appendix D), written from the
spec alone.

    python3 tools/reference/formref.py < cases.json

reads a JSON array of {"payload" (hex), "length"} and prints a JSON array with, for each, {"text"}
or {"invalid": reason}. As a module, decode(payload, length) returns the text or raises Invalid;
parse(text) returns the choices of a text in the form (D.1) or None.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinyref import Coder, RATE  # noqa: E402  (B.5's decoder and C.5's rates)

# D.1, table D-1.
TYPE = ["photograph", "illustration"]
COLOURFULNESS = ["monochrome", "muted colours", "natural colours", "vivid saturated colours"]
CONTRAST = ["low contrast", "moderate contrast", "high contrast"]
KEY = ["", ", low-key", ", high-key"]
BRIGHTNESS = ["very dark", "dark", "mid-toned", "bright", "very bright"]
TEXTURE = ["smooth", "lightly textured", "textured", "highly detailed"]
EDGES = ["no strong edges", "a few sharp edges in mixed directions", "edges in mixed directions",
         "with a sharp vertical boundary", "with a sharp horizontal boundary",
         "with a sharp diagonal boundary rising to the right", "with a sharp diagonal boundary falling to the right",
         "mostly vertical edges", "mostly horizontal edges",
         "mostly diagonal edges rising to the right", "mostly diagonal edges falling to the right"]
COLOUR = ["black", "charcoal grey", "grey", "light grey", "white", "red", "dark red", "pink", "orange",
          "brown", "dark brown", "tan", "beige", "yellow", "olive", "green", "dark green", "yellow-green",
          "teal", "cyan", "sky blue", "blue", "navy blue", "grey-blue", "purple", "lavender", "magenta"]
LABEL = ["Top-left", "Top-center", "Top-right", "Middle-left", "Middle-center", "Middle-right",
         "Bottom-left", "Bottom-center", "Bottom-right"]
REGION = [label.lower() for label in LABEL]
ASPECT = [(1, 1), (5, 4), (4, 3), (3, 2), (16, 9), (2, 1)]
THIRD = ["upper third", "middle third", "lower third"]
LIMIT = 1 << 24

# D.2: field -> (K, C).
FIELDS = {
    "TYPE": (2, 1), "COLOURFULNESS": (4, 1), "CONTRAST": (3, 1), "KEY": (3, 1), "BRIGHTNESS": (5, 1),
    "VERTICAL": (3, 1), "HORIZONTAL": (3, 1), "HIGHLIGHTS": (2, 1), "SHADOWS": (2, 1),
    "PALETTE_COUNT": (5, 1), "PALETTE_COLOUR": (27, 1), "CONTINUES": (3, 4), "COLOUR_COUNT": (4, 1),
    "MOSTLY": (2, 1), "STRONG_SECOND": (2, 1), "COLOUR_SLOT": (6, 20), "OTHER_COLOUR": (27, 4),
    "REGION_BRIGHTNESS": (5, 6), "REGION_TEXTURE": (4, 5), "EDGES": (11, 4), "NUMBER_LENGTH": (25, 4),
    "ASPECT": (7, 1), "PORTRAIT": (2, 1), "DETAIL": (2, 1), "LIGHT": (2, 1), "BOUNDARY": (2, 1),
    "REGION_NAME": (9, 4), "THIRD": (3, 1), "BRIGHTER_ABOVE": (2, 1),
}


class Invalid(Exception):
    pass


def dec(n):
    return str(n)


def render(f):
    """D.1: the text of a set of choices (a dict as parse returns and decode builds)."""
    g = f["global"]
    if g["vertical"] == 0 and g["horizontal"] == 0:
        sides = ", evenly lit"
    else:
        words = ([["top", "bottom"][g["vertical"] - 1]] if g["vertical"] else []) + \
                ([["left", "right"][g["horizontal"] - 1]] if g["horizontal"] else [])
        sides = ", brighter toward the " + " ".join(words)
    lines = ["Type: " + TYPE[g["type"]] + ". Style: " + COLOURFULNESS[g["colourfulness"]] + ", "
             + CONTRAST[g["contrast"]] + KEY[g["key"]] + ". Lighting: " + BRIGHTNESS[g["brightness"]] + " overall"
             + sides + (", bright highlights" if g["highlights"] else "") + (", deep shadows" if g["shadows"] else "")
             + ". Palette: " + ", ".join(COLOUR[c] for c in g["palette"]) + "."]
    for i, r in enumerate(f["regions"]):
        e = EDGES[r["edges"]]
        details = TEXTURE[r["texture"]] + (" " if e.startswith("with") else ", ") + e
        if r["continues"] is not None:
            phrase = "continues the " + COLOUR[r["colours"][0]] + " area " + \
                     ("from the left" if r["continues"] == 0 else "from above") + "; " + details
        else:
            cs = r["colours"]
            colours = "mixed colours"
            if cs:
                colours = ("mostly " if r["mostly"] else "") + COLOUR[cs[0]]
                if len(cs) > 1:
                    colours += (" with " if r["strong_second"] else " with some ") + COLOUR[cs[1]]
                if len(cs) > 2:
                    colours += " and a little " + COLOUR[cs[2]]
            phrase = colours + "; " + BRIGHTNESS[r["brightness"]] + ", " + details
        lines.append(LABEL[i] + ": " + phrase + ".")
    c = f["composition"]
    w, h = c["width"], c["height"]
    shape = "landscape" if w > h else ("portrait" if w < h else "square")
    if c["aspect"] < 6:
        big, small = ASPECT[c["aspect"]]
        aspect = dec(big) + ":" + dec(small) if w >= h else dec(small) + ":" + dec(big)
    else:
        t = dec(c["hundredths"] // 100) + "." + "%02d" % (c["hundredths"] % 100)
        aspect = t + ":1" if w >= h else "1:" + t
    parts = [shape + " frame, " + aspect + " (" + dec(w) + "x" + dec(h) + ")"]
    if c["detail"] is not None:
        parts.append("most detail in the " + REGION[c["detail"][0]] + ", least in the " + REGION[c["detail"][1]])
    else:
        parts.append("detail spread evenly")
    if c["light"] is not None:
        parts.append("brightest area " + REGION[c["light"][0]] + ", darkest " + REGION[c["light"][1]])
    if c["boundary"] is not None:
        percent, third, above = c["boundary"]
        parts.append("sharpest horizontal change in brightness at " + dec(percent) + "% of the height ("
                     + THIRD[third] + "), " + ("brighter above" if above else "brighter below"))
    lines.append("Composition: " + "; ".join(parts) + ".")
    return "\n".join(lines)


def alternatives(words):
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)


COLOUR_RE = alternatives(COLOUR)
NUMBER_RE = r"0|[1-9][0-9]*"
GLOBAL_RE = re.compile(
    r"Type: (%s)\. Style: (%s), (%s)(, low-key|, high-key)?\. Lighting: (%s) overall"
    r"(?:, evenly lit|, brighter toward the (?:(top|bottom)(?: (left|right))?|(left|right)))"
    r"(, bright highlights)?(, deep shadows)?\. Palette: ((?:%s)(?:, (?:%s))*)\.$"
    % (alternatives(TYPE), alternatives(COLOURFULNESS), alternatives(CONTRAST), alternatives(BRIGHTNESS),
       COLOUR_RE, COLOUR_RE))
REGION_RE = re.compile(
    r"(?:continues the (%s) area from (the left|above); |(mixed colours|(mostly )?(%s)(?:( with some | with )(%s)"
    r"(?: and a little (%s))?)?); (%s), )(%s)(?:, | )(%s)\.$"
    % (COLOUR_RE, COLOUR_RE, COLOUR_RE, COLOUR_RE, alternatives(BRIGHTNESS), alternatives(TEXTURE), alternatives(EDGES)))
COMPOSITION_RE = re.compile(
    r"Composition: (?:landscape|portrait|square) frame, (?:(\d+):(\d+)|(\d+)\.(\d\d):1|1:(\d+)\.(\d\d)) "
    r"\((%s)x(%s)\); (?:detail spread evenly|most detail in the (%s), least in the (%s))"
    r"(?:; brightest area (%s), darkest (%s))?"
    r"(?:; sharpest horizontal change in brightness at (%s)%% of the height \((%s)\), brighter (above|below))?\.$"
    % (NUMBER_RE, NUMBER_RE, alternatives(REGION), alternatives(REGION), alternatives(REGION), alternatives(REGION),
       NUMBER_RE, alternatives(THIRD)))


def parse(text):
    """The choices of a text in the form, or None (the encoder's side; D.4's priming needs it)."""
    lines = text.split("\n")
    if len(lines) != 11:
        return None
    m = GLOBAL_RE.match(lines[0])
    if not m:
        return None
    g = {"type": TYPE.index(m[1]), "colourfulness": COLOURFULNESS.index(m[2]), "contrast": CONTRAST.index(m[3]),
         "key": KEY.index(m[4] or ""), "brightness": BRIGHTNESS.index(m[5]),
         "vertical": {None: 0, "top": 1, "bottom": 2}[m[6]],
         "horizontal": {None: 0, "left": 1, "right": 2}[m[7] or m[8]],
         "highlights": m[9] is not None, "shadows": m[10] is not None,
         "palette": [COLOUR.index(c) for c in m[11].split(", ")]}
    regions = []
    for i in range(9):
        prefix = LABEL[i] + ": "
        if not lines[1 + i].startswith(prefix):
            return None
        m = REGION_RE.match(lines[1 + i][len(prefix):])
        if not m:
            return None
        r = {"continues": None, "colours": [], "mostly": False, "strong_second": False, "brightness": 0,
             "texture": TEXTURE.index(m[10]), "edges": EDGES.index(m[11])}
        if m[1]:
            r["continues"] = 0 if m[2] == "the left" else 1
            r["colours"] = [COLOUR.index(m[1])]
        else:
            if m[3] != "mixed colours":
                r["mostly"] = m[4] is not None
                r["colours"] = [COLOUR.index(x) for x in (m[5], m[7], m[8]) if x]
                r["strong_second"] = m[6] == " with "
            r["brightness"] = BRIGHTNESS.index(m[9])
        regions.append(r)
    m = COMPOSITION_RE.match(lines[10])
    if not m:
        return None
    c = {"width": int(m[7]), "height": int(m[8]), "aspect": 6, "hundredths": 0,
         "detail": (REGION.index(m[9]), REGION.index(m[10])) if m[9] else None,
         "light": (REGION.index(m[11]), REGION.index(m[12])) if m[11] else None,
         "boundary": (int(m[13]), THIRD.index(m[14]), m[15] == "above") if m[13] else None}
    if m[1]:
        pair = tuple(sorted((int(m[1]), int(m[2])), reverse=True))
        if pair not in ASPECT:
            return None
        c["aspect"] = ASPECT.index(pair)
    else:
        whole, frac = (m[3], m[4]) if m[3] else (m[5], m[6])
        c["hundredths"] = int(whole) * 100 + int(frac)
    form = {"global": g, "regions": regions, "composition": c}
    numbers = [c["width"], c["height"], c["hundredths"]] + ([c["boundary"][0]] if c["boundary"] else [])
    if max(numbers) >= LIMIT:
        return None
    if len(set(g["palette"])) != len(g["palette"]) or len(g["palette"]) > 5:
        return None
    return form if render(form) == text else None


class Models:
    """D.2: per field, C trees of 2^d models (p, n), all starting at (32768, 0)."""

    def __init__(self):
        self.trees = {name: [[32768, 0] for _ in range(c << depth(k))] for name, (k, c) in FIELDS.items()}

    def copy(self):
        other = Models.__new__(Models)
        other.trees = {name: [list(m) for m in tree] for name, tree in self.trees.items()}
        return other


def depth(k):
    return (k - 1).bit_length()


def update(model, bit):
    rate = RATE[model[1]]
    if bit:
        model[0] += ((65536 - model[0]) * rate) >> 16
    else:
        model[0] -= (model[0] * rate) >> 16
    model[1] = min(model[1] + 1, 20)


class Reader:
    """Decodes fields from a payload (D.2)."""

    def __init__(self, payload, models):
        self.coder, self.models = Coder(payload), models

    def field(self, name, context, _value=None):
        k, _ = FIELDS[name]
        d = depth(k)
        node = 1
        for _ in range(d):
            model = self.models.trees[name][(context << d) + node]
            bit = self.coder.bit(min(4095, max(1, model[0] >> 4)))
            update(model, bit)
            node = 2 * node + bit
        v = node - (1 << d)
        if v >= k:
            raise Invalid("%s value %d of %d" % (name, v, k))
        return v

    def plain(self, bits, _value=None):
        v = 0
        for _ in range(bits):
            v = 2 * v + self.coder.bit(2048)
        return v


class Primer:
    """Updates the models with the bits of known choices, as an encoder would (D.4)."""

    def __init__(self, models):
        self.models = models

    def field(self, name, context, value):
        k, _ = FIELDS[name]
        d = depth(k)
        node = 1
        for i in range(d - 1, -1, -1):
            bit = (value >> i) & 1
            update(self.models.trees[name][(context << d) + node], bit)
            node = 2 * node + bit
        return value

    def plain(self, bits, value):
        return value


def number(io, context, value=None):
    length = None if value is None else (value + 1).bit_length() - 1
    length = io.field("NUMBER_LENGTH", context, length)
    low = io.plain(length, None if value is None else value + 1 - (1 << length))
    v = (1 << length) + low - 1
    if v >= LIMIT:
        raise Invalid("number %d" % v)
    return v


def colour(io, slot, palette, value=None):
    place = None if value is None else (palette.index(value) if value in palette else len(palette))
    place = io.field("COLOUR_SLOT", 5 * slot + len(palette) - 1, place)
    if place < len(palette):
        return palette[place]
    if place > len(palette):
        raise Invalid("colour slot %d with a palette of %d" % (place, len(palette)))
    c = io.field("OTHER_COLOUR", slot, value)
    if c in palette:
        raise Invalid("palette colour coded outside the palette")
    return c


def traverse(io, known=None):
    """D.3's order. `known` (priming) gives the values; otherwise they are read."""
    kg = known["global"] if known else None

    def get(d, key):
        return None if d is None else d[key]

    g = {}
    for name, key in [("TYPE", "type"), ("COLOURFULNESS", "colourfulness"), ("CONTRAST", "contrast"), ("KEY", "key"),
                      ("BRIGHTNESS", "brightness"), ("VERTICAL", "vertical"), ("HORIZONTAL", "horizontal")]:
        g[key] = io.field(name, 0, get(kg, key))
    g["highlights"] = io.field("HIGHLIGHTS", 0, None if kg is None else int(kg["highlights"])) == 1
    g["shadows"] = io.field("SHADOWS", 0, None if kg is None else int(kg["shadows"])) == 1
    count = io.field("PALETTE_COUNT", 0, None if kg is None else len(kg["palette"]) - 1) + 1
    palette = []
    for i in range(count):
        c = io.field("PALETTE_COLOUR", 0, None if kg is None else kg["palette"][i])
        if c in palette:
            raise Invalid("palette colour %d twice" % c)
        palette.append(c)
    g["palette"] = palette
    regions = []
    previous_brightness, previous_texture = 5, 4
    for i in range(9):
        kr = known["regions"][i] if known else None
        place = 0 if i == 0 else (1 if i < 3 else (2 if i % 3 == 0 else 3))
        cont = io.field("CONTINUES", place, None if kr is None else (0 if kr["continues"] is None else kr["continues"] + 1))
        r = {"continues": None if cont == 0 else cont - 1, "colours": [], "mostly": False, "strong_second": False,
             "brightness": 0}
        if r["continues"] is not None:
            r["colours"] = [colour(io, 3, palette, get(kr, "colours") and kr["colours"][0])]
        else:
            n = io.field("COLOUR_COUNT", 0, None if kr is None else len(kr["colours"]))
            for k in range(n):
                if k == 0:
                    r["mostly"] = io.field("MOSTLY", 0, None if kr is None else int(kr["mostly"])) == 1
                if k == 1:
                    r["strong_second"] = io.field("STRONG_SECOND", 0, None if kr is None else int(kr["strong_second"])) == 1
                r["colours"].append(colour(io, k, palette, None if kr is None else kr["colours"][k]))
            r["brightness"] = io.field("REGION_BRIGHTNESS", previous_brightness, get(kr, "brightness"))
            previous_brightness = r["brightness"]
        r["texture"] = io.field("REGION_TEXTURE", previous_texture, get(kr, "texture"))
        previous_texture = r["texture"]
        r["edges"] = io.field("EDGES", r["texture"], get(kr, "edges"))
        regions.append(r)
    kc = known["composition"] if known else None
    c = {"hundredths": 0}
    c["width"] = number(io, 0, get(kc, "width"))
    c["aspect"] = io.field("ASPECT", 0, get(kc, "aspect"))
    portrait = io.field("PORTRAIT", 0, None if kc is None else int(kc["width"] < kc["height"])) == 1
    if c["aspect"] == 6:
        c["hundredths"] = number(io, 2, get(kc, "hundredths"))
    big, small = ASPECT[c["aspect"]] if c["aspect"] < 6 else (c["hundredths"], 100)
    if big == 0:
        pred = c["width"]
    elif portrait:
        pred = (c["width"] * big + small // 2) // small
    else:
        pred = (c["width"] * small + big // 2) // big
    z = None
    if kc is not None:
        d = kc["height"] - pred
        z = 2 * d if d >= 0 else -2 * d - 1
    z = number(io, 1, z)
    c["height"] = pred + z // 2 if z % 2 == 0 else pred - (z + 1) // 2
    if not (0 <= c["height"] < LIMIT) or portrait != (c["width"] < c["height"]):
        raise Invalid("height %d for width %d" % (c["height"], c["width"]))
    for name, key, contexts in [("DETAIL", "detail", (0, 1)), ("LIGHT", "light", (2, 3))]:
        present = io.field(name, 0, None if kc is None else int(kc[key] is not None)) == 1
        c[key] = tuple(io.field("REGION_NAME", j, None if kc is None else kc[key][n])
                       for n, j in enumerate(contexts)) if present else None
    present = io.field("BOUNDARY", 0, None if kc is None else int(kc["boundary"] is not None)) == 1
    c["boundary"] = None
    if present:
        kb = kc["boundary"] if kc else None
        c["boundary"] = (number(io, 3, get_index(kb, 0)), io.field("THIRD", 0, get_index(kb, 1)),
                         io.field("BRIGHTER_ABOVE", 0, None if kb is None else int(kb[2])) == 1)
    return {"global": g, "regions": regions, "composition": c}


def get_index(t, i):
    return None if t is None else t[i]


def builtin_texts():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "spec", "prompt-model", "builtin-2.jsonl")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["prompt"] for line in f if line.strip()]


def primed_models():
    """D.4: the models after the choices of the 20 built-in descriptions."""
    models = Models()
    texts = builtin_texts()
    assert len(texts) == 20
    for text in texts:
        form = parse(text)
        assert form is not None, text
        traverse(Primer(models), form)
    return models


PRIMED = None


def decode(payload, length):
    global PRIMED
    if PRIMED is None:
        PRIMED = primed_models()
    reader = Reader(bytes(payload), PRIMED.copy())
    form = traverse(reader)
    if not reader.coder.canonical_end():
        raise Invalid("the coded stream does not end canonically (B.5)")
    text = render(form)
    if len(text.encode("utf-8")) != length:
        raise Invalid("renders %d bytes, not %d" % (len(text.encode("utf-8")), length))
    return text


def main():
    out = []
    for case in json.load(sys.stdin):
        try:
            out.append({"text": decode(bytes.fromhex(case["payload"]), case["length"])})
        except Invalid as error:
            out.append({"invalid": str(error)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
