#!/usr/bin/env python3
"""Tiny thumbnails at byte budgets: gcx's tiny codec (codec 5) against the standard codecs and ThumbHash.

For each photo and budget (default 24, 150, 300 and 600 bytes):
  - gcx: `gcx pack --thumbnail-codec tiny --thumbnail-bytes B --thumbnail-scale S`, then
    `gcx extract --what all`: the decoded thumbnail and gcx's own reconstruction;
  - cwebp (-m 6), avifenc (speed 0), cjxl (effort 9, distance 0.2 to 25) and cjpeg (-optimize), each on the same
    area-downsampled thumbnail at 1/8 and at 1/16, at the best quality whose file fits the budget
    (a sweep of qualities, the largest file that fits), upsampled bicubic to the photo's size;
  - ThumbHash at its own size (~21-25 bytes), decoded at 32 px and upsampled bicubic.
Mean PSNR (RGB) of the thumbnail against the area-downsampled photo and of the reconstruction
against the photo, over the photos a codec can fit; the table says how many fit.

    python3 tools/bench-thumbnails/run.py [--dataset DIR] [--budgets 24,150,300,600] [--plot out.png]

Needs the release gcx, webp, libavif-bin, libjxl-tools, libjpeg-turbo-progs, numpy, Pillow,
matplotlib and thumbhash-python.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GCX = os.environ.get("GCX_BINARY", os.path.join(ROOT, ".build", "release", "gcx"))


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def area_downsample(pixels, scale):
    """spec §6.4.1: block means of 8-bit values, rounded half up; partial blocks at the edges."""
    h, w, _ = pixels.shape
    th, tw = -(-h // scale), -(-w // scale)
    out = np.zeros((th, tw, 3), dtype=np.uint8)
    p = pixels.astype(np.int64)
    for ty in range(th):
        for tx in range(tw):
            block = p[ty * scale:min((ty + 1) * scale, h), tx * scale:min((tx + 1) * scale, w)]
            n = block.shape[0] * block.shape[1]
            out[ty, tx] = (block.sum(axis=(0, 1)) + n // 2) // n
    return out


def upsample(small, width, height):
    return np.asarray(Image.fromarray(small).resize((width, height), Image.BICUBIC))


def run(args, **kw):
    return subprocess.run(args, capture_output=True, check=True, **kw)


def sweep(codec, small, work):
    """(bytes, decoded thumbnail) for a range of qualities of one standard codec."""
    src = os.path.join(work, "in.png")
    Image.fromarray(small).save(src)
    results = []
    if codec == "webp":
        for q in range(0, 101, 4):
            out = os.path.join(work, "o.webp")
            run(["cwebp", "-quiet", "-m", "6", "-q", str(q), src, "-o", out])
            run(["dwebp", "-quiet", out, "-o", os.path.join(work, "d.png")])
            results.append((os.path.getsize(out), os.path.join(work, "d.png")))
            yield results[-1]
    elif codec == "avif":
        for q in range(63, -1, -3):
            out = os.path.join(work, "o.avif")
            run(["avifenc", "-s", "0", "--min", str(q), "--max", str(q), src, out])
            run(["avifdec", out, os.path.join(work, "d.png")])
            yield os.path.getsize(out), os.path.join(work, "d.png")
    elif codec == "jxl":
        for distance in (25, 20, 16, 13, 10, 8, 6.5, 5, 4, 3.2, 2.5, 2, 1.6, 1.3, 1, 0.8, 0.6, 0.4, 0.2):
            out = os.path.join(work, "o.jxl")
            run(["cjxl", "-e", "9", "-d", str(distance), src, out])
            run(["djxl", out, os.path.join(work, "d.png")])
            yield os.path.getsize(out), os.path.join(work, "d.png")
    elif codec == "jpeg":
        ppm = os.path.join(work, "in.ppm")
        Image.fromarray(small).save(ppm)
        for q in range(1, 101, 3):
            out = os.path.join(work, "o.jpg")
            with open(out, "wb") as f:
                subprocess.run(["cjpeg", "-optimize", "-quality", str(q), ppm], stdout=f, check=True)
            with open(os.path.join(work, "d.ppm"), "wb") as f:
                subprocess.run(["djpeg", out], stdout=f, check=True)
            yield os.path.getsize(out), os.path.join(work, "d.ppm")


def standard(codec, photos, scale, budgets, work):
    """{budget: [(bytes, thumb psnr, recon psnr) per photo that fits]}."""
    out = {b: [] for b in budgets}
    for original in photos:
        h, w, _ = original.shape
        small = area_downsample(original, scale)
        points = []
        for size, decoded_path in sweep(codec, small, work):
            decoded = np.asarray(Image.open(decoded_path).convert("RGB"))
            points.append((size, psnr(decoded, small), psnr(upsample(decoded, w, h), original)))
        for b in budgets:
            fitting = [p for p in points if p[0] <= b]
            if fitting:
                out[b].append(max(fitting, key=lambda p: p[0]))
    return out


def gcx(folder, names, photos, scale, budgets, work):
    """scale 8, 16, 32 or "auto" (the reference for a photo's thumbnail PSNR is then its own scale)."""
    out = {b: [] for b in budgets}
    for b in budgets:
        archive = os.path.join(work, "g.gcx")
        if os.path.exists(archive):
            os.remove(archive)
        subprocess.run([GCX, "pack", folder, "-o", archive, "-q", "--thumbnail-codec", "tiny",
                        "--thumbnail-bytes", str(b), "--thumbnail-scale", str(scale)], capture_output=True)
        scales = {}
        if os.path.exists(archive) and scale == "auto":
            for name in names:
                info = subprocess.run([GCX, "info", "--json", archive, name], capture_output=True, text=True)
                if info.returncode == 0:
                    scales[name] = json.loads(info.stdout)["thumbnail"]["scale"]
        if not os.path.exists(archive):
            continue
        rows = {r["name"]: r for r in json.loads(run([GCX, "list", "--json", archive]).stdout)}
        extracted = os.path.join(work, "x%d" % b)
        run([GCX, "extract", archive, "-o", extracted, "--what", "all", "-q", "--force"])
        for name, original in zip(names, photos):
            if name not in rows:
                continue
            stem = os.path.join(extracted, os.path.splitext(name)[0])
            thumb = np.asarray(Image.open(stem + ".thumb.png").convert("RGB"))
            recon = np.asarray(Image.open(stem + ".png").convert("RGB"))
            own = scales.get(name, scale)
            out[b].append((rows[name]["thumbnail_bytes"], psnr(thumb, area_downsample(original, own)), psnr(recon, original)))
    return out


def thumbhash_points(photos):
    import thumbhash
    points = []
    for original in photos:
        h, w, _ = original.shape
        code = thumbhash.image_to_thumbhash(Image.fromarray(original))
        size = len(__import__("base64").b64decode(code))
        decoded = np.asarray(thumbhash.thumbhash_to_image(code, base_size=32).convert("RGB"))
        points.append((size, float("nan"), psnr(upsample(decoded, w, h), original)))
    return points


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=os.path.join(ROOT, "..", "shared", "datasets", "kodak"))
    parser.add_argument("--budgets", default="24,150,300,600")
    parser.add_argument("--plot", help="write the rate-PSNR plot here (PNG)")
    parser.add_argument("--limit", type=int, default=0, help="first N photos only")
    parser.add_argument("--gcx-only", action="store_true", help="measure gcx alone (after a change to it)")
    args = parser.parse_args()
    if not os.path.isdir(args.dataset):
        sys.exit("no dataset at %s (the photos are in ../shared/datasets)" % args.dataset)
    if not os.access(GCX, os.X_OK):
        sys.exit("no release gcx at %s: swift build -c release --product gcx" % GCX)
    budgets = [int(b) for b in args.budgets.split(",")]
    names = sorted(n for n in os.listdir(args.dataset) if n.lower().endswith(".png"))
    if args.limit:
        names = names[:args.limit]
    photos = [np.asarray(Image.open(os.path.join(args.dataset, n)).convert("RGB")) for n in names]
    with tempfile.TemporaryDirectory() as work:
        folder = os.path.join(work, "photos")
        os.makedirs(folder)
        for n in names:
            os.symlink(os.path.abspath(os.path.join(args.dataset, n)), os.path.join(folder, n))
        results = {}
        for scale in (8, 16, 32):
            results["gcx tiny 1/%d" % scale] = gcx(folder, names, photos, scale, budgets, work)
        results["gcx tiny auto"] = gcx(folder, names, photos, "auto", budgets, work)
        for codec in () if args.gcx_only else ("webp", "avif", "jxl", "jpeg"):
            for scale in (8, 16):
                results["%s 1/%d" % (codec, scale)] = standard(codec, photos, scale, budgets, work)
        hashes = thumbhash_points(photos)
    n = len(photos)
    print("%s: %d photos. Reconstruction PSNR against the photo (thumbnail PSNR against the "
          "area-downsampled photo), mean over the photos that fit the budget" % (args.dataset, n))
    print()
    print("| codec | " + " | ".join("%d B" % b for b in budgets) + " |")
    print("|---|" + "---:|" * len(budgets))
    for label, per_budget in results.items():
        cells = []
        for b in budgets:
            points = per_budget[b]
            if not points:
                cells.append("cannot")
                continue
            recon = np.mean([p[2] for p in points])
            thumb = np.mean([p[1] for p in points])
            fit = "" if len(points) == n else ", %d of %d fit" % (len(points), n)
            cells.append("%.2f (%.2f)%s" % (recon, thumb, fit))
        print("| %s | %s |" % (label, " | ".join(cells)))
    mean_size = np.mean([p[0] for p in hashes])
    print("| ThumbHash (%.1f B) | %.2f at its own size |%s" % (mean_size, np.mean([p[2] for p in hashes]), " |" * (len(budgets) - 1)))
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 5))
        for label, per_budget in results.items():
            xs, ys = [], []
            for b in budgets:
                if len(per_budget[b]) == n:
                    xs.append(np.mean([p[0] for p in per_budget[b]]))
                    ys.append(np.mean([p[2] for p in per_budget[b]]))
            if xs:
                ax.plot(xs, ys, marker="o", label=label, linewidth=2.5 if label.startswith("gcx") else 1)
        ax.plot([mean_size], [np.mean([p[2] for p in hashes])], marker="*", markersize=12, linestyle="", label="ThumbHash")
        ax.set_xscale("log")
        ax.set_xlabel("bytes per photo (mean, all photos fit)")
        ax.set_ylabel("reconstruction PSNR vs photo (dB)")
        ax.set_title("Tiny thumbnails on %s" % os.path.basename(os.path.normpath(args.dataset)))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print("\nplot: %s" % args.plot)


if __name__ == "__main__":
    main()
