#!/usr/bin/env python3
"""How gcx's tiny codec compares with the cores of AV1 and VP8 once their containers are taken away.

    python3 tools/bench-thumbnails/codec_cores.py DIR [--scale 8] [--budgets 150,300,480,600]
        [--codecs av1-420,av1-444,vp8] [--aom KEY=VALUE,...]

A study for the next thumbnail codec. run.py compares whole files, where AVIF's ~275-byte container
and WebP's 20-byte RIFF framing count; here each codec is charged only what its decoder needs beyond
the image size: gcx the tiny payload; AV1 the AVIF file's mdat (sequence header and frame OBUs,
avifenc -s 0, 4:2:0 and 4:4:4); VP8 the WebP file less its 20 bytes of RIFF framing (cwebp -m 6).
--aom passes options to libaom (avifenc -a), to see what AV1's tools are each worth, such as
enable-cdef=0, enable-cfl-intra=0, enable-smooth-intra=0, enable-paeth-intra=0, enable-angle-delta=0,
enable-intra-edge-filter=0, enable-tx64=0, enable-rect-partitions=0, enable-filter-intra=0,
enable-palette=0, disable-trellis-quant=1. For every photo of DIR, the 1/scale thumbnail (block means, as gcx makes them) is coded at a sweep of
qualities (gcx: `gcx pack --thumbnail-scale S --thumbnail-quality Q`); each codec's PSNR (RGB,
against the thumbnail) at each budget is interpolated on its own rate curve (PSNR linear in
log bytes between the two qualities around the budget). Prints mean thumbnail PSNR at each budget
and, per codec, how many bytes it needs on average for gcx's PSNR at that budget.

Needs the release gcx (or GCX_BINARY), avifenc/avifdec (libavif-bin), cwebp/dwebp (webp), numpy and
Pillow.
"""
import argparse
import glob
import json
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GCX = os.environ.get("GCX_BINARY", os.path.join(ROOT, ".build", "release", "gcx"))
from run import area_downsample, psnr  # noqa: E402


def run(args):
    return subprocess.run(args, capture_output=True, check=True)


def mdat_bytes(path):
    """The payload size of an ISOBMFF file's mdat box (the AV1 OBUs of an AVIF still)."""
    data = open(path, "rb").read()
    at = 0
    while at + 8 <= len(data):
        size, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        header = 8
        if size == 1:
            size, header = int.from_bytes(data[at + 8:at + 16], "big"), 16
        elif size == 0:
            size = len(data) - at
        if kind == b"mdat":
            return size - header
        at += size
    raise ValueError("%s: no mdat box" % path)


def gcx_curves(folder, names, thumbs, scale, work):
    """{name: [(bytes, psnr)]} for gcx's tiny codec (what pack writes: codec 5) over a sweep of qualities."""
    curves = {n: [] for n in names}
    for quality in range(100, 0, -3):
        archive = os.path.join(work, "q.gcx")
        out = os.path.join(work, "q")
        run([GCX, "pack", folder, "-o", archive, "-q", "--force", "--thumbnail-scale", str(scale),
             "--thumbnail-quality", str(quality)])
        run([GCX, "extract", archive, "-o", out, "-q", "--what", "thumbnail", "--force"])
        entries = json.loads(run([GCX, "list", archive, "--json"]).stdout)
        for entry in entries:
            name = os.path.splitext(entry["name"])[0]
            if name not in curves:
                continue
            decoded = np.asarray(Image.open(os.path.join(out, name + ".thumb.png")).convert("RGB"))
            curves[name].append((entry["thumbnail_bytes"], psnr(decoded, thumbs[name])))
    return curves


def sweep_curve(small, work, codec, aom=()):
    src = os.path.join(work, "in.png")
    Image.fromarray(small).save(src)
    points = []
    if codec.startswith("av1"):
        for q in range(63, -1, -3):
            out = os.path.join(work, "o.avif")
            options = [a for option in aom for a in ("-a", option)]
            run(["avifenc", "-s", "0", "-y", codec[-3:], "--min", str(q), "--max", str(q)] + options + [src, out])
            run(["avifdec", out, os.path.join(work, "d.png")])
            decoded = np.asarray(Image.open(os.path.join(work, "d.png")).convert("RGB"))
            points.append((mdat_bytes(out), psnr(decoded, small)))
    else:
        for q in range(0, 101, 4):
            out = os.path.join(work, "o.webp")
            run(["cwebp", "-quiet", "-m", "6", "-q", str(q), src, "-o", out])
            run(["dwebp", "-quiet", out, "-o", os.path.join(work, "d.png")])
            decoded = np.asarray(Image.open(os.path.join(work, "d.png")).convert("RGB"))
            points.append((os.path.getsize(out) - 20, psnr(decoded, small)))
    return points


def psnr_at(curve, budget):
    """PSNR at `budget` bytes, linear in log bytes between the nearest points around it; None outside."""
    points = sorted(set(curve))
    below = [p for p in points if p[0] <= budget]
    above = [p for p in points if p[0] >= budget]
    if not below or not above:
        return None
    (b0, q0), (b1, q1) = max(below), min(above)
    if b1 == b0:
        return max(q0, q1)
    t = (np.log(budget) - np.log(b0)) / (np.log(b1) - np.log(b0))
    return q0 + t * (q1 - q0)


def bytes_for(curve, target):
    """Bytes for `target` PSNR, log bytes linear in PSNR between the points around it; None outside."""
    points = sorted(curve, key=lambda p: p[1])
    for (b0, q0), (b1, q1) in zip(points, points[1:]):
        if q0 <= target <= q1 and q1 > q0:
            t = (target - q0) / (q1 - q0)
            return float(np.exp(np.log(b0) + t * (np.log(b1) - np.log(b0))))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--scale", type=int, default=8)
    ap.add_argument("--budgets", default="150,300,480,600")
    ap.add_argument("--codecs", default="av1-420,av1-444,vp8")
    ap.add_argument("--aom", default="", help="libaom options, comma-separated KEY=VALUE")
    args = ap.parse_args()
    aom = [o for o in args.aom.split(",") if o]
    budgets = [int(b) for b in args.budgets.split(",")]
    paths = sorted(glob.glob(os.path.join(args.folder, "*.png")))
    names = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    thumbs = {n: area_downsample(np.asarray(Image.open(p).convert("RGB")), args.scale) for n, p in zip(names, paths)}
    codecs = args.codecs.split(",")
    with tempfile.TemporaryDirectory() as work:
        curves = {"gcx codec 5": gcx_curves(args.folder, names, thumbs, args.scale, work)}
        for codec in codecs:
            label = codec + (" (%s)" % " ".join(aom) if aom and codec.startswith("av1") else "")
            curves[label] = {n: sweep_curve(thumbs[n], work, codec.replace("-", ""), aom) for n in names}
    print("%d photos of %s at 1/%d; mean thumbnail PSNR (photos whose curve reaches the budget) and "
          "the bytes each codec needs for gcx's PSNR at that budget (mean over photos where both are known)"
          % (len(names), os.path.basename(os.path.normpath(args.folder)), args.scale))
    print()
    print("| codec | " + " | ".join("%d B" % b for b in budgets) + " |")
    print("|---|" + "---:|" * len(budgets))
    for codec, per_photo in curves.items():
        cells = []
        for budget in budgets:
            values = [psnr_at(per_photo[n], budget) for n in names]
            known = [v for v in values if v is not None]
            needs = []
            for n in names:
                target = psnr_at(curves["gcx codec 5"][n], budget)
                if target is not None:
                    b = bytes_for(per_photo[n], target)
                    if b is not None:
                        needs.append(b)
            cell = "%.2f dB" % np.mean(known) if known else "-"
            if len(known) < len(names):
                cell += " (%d)" % len(known)
            if needs:
                cell += ", %.0f B" % np.mean(needs)
            cells.append(cell)
        print("| %s | %s |" % (codec, " | ".join(cells)))


if __name__ == "__main__":
    main()
