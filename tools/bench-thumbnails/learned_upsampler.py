#!/usr/bin/env python3
"""Would a learned upsampler reconstruct better than gcx's Lanczos-3 and consistency step? A study.

    python3 tools/bench-thumbnails/learned_upsampler.py TRAIN_DIR TEST_DIR [--scale 8] [--ridge 1e3,1e5]

From lossless 1/scale thumbnails (block means, as gcx's Thumbnailer makes them) of the photos in
TRAIN_DIR, fits by least squares (1) one linear filter per output phase over the 5x5 thumbnail pixels
around the block, and (2) RAISR-style edge-adaptive filters: the same per class of the thumbnail's
local structure (8 gradient angles x 3 strengths x 3 coherences, thresholds at the training set's
terciles), ridge-regularised toward the linear filter. Prints mean reconstruction PSNR (RGB) on both
folders for: Lanczos-3 (as gcx's Resampler), Lanczos-3 with the consistency step's smooth pass (as
gcx reconstructs; its exact integer pass moves PSNR by less than 0.01 dB), and each learned filter
without and with the smooth pass. Only a study: gcx ships none of this. Needs numpy and Pillow.
"""
import argparse
import glob
import os

import numpy as np
from PIL import Image

RADIUS = 2
ANGLES, STRENGTHS, COHERENCES = 8, 3, 3


def load(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)


def thumbnail(photo, s):
    """The photo cropped to whole blocks and its block means, rounded."""
    h, w = photo.shape[0] // s * s, photo.shape[1] // s * s
    photo = photo[:h, :w]
    return np.floor(photo.reshape(h // s, s, w // s, s, 3).mean(axis=(1, 3)) + 0.5), photo


def lanczos3(t):
    t = np.abs(t)
    value = np.where(t < 1e-9, 1.0, 3 * np.sin(np.pi * t) * np.sin(np.pi * t / 3) / (np.pi ** 2 * t * t + 1e-30))
    return np.where(t < 3, value, 0.0)


def upsampling_matrix(n, s):
    """n samples at block centres to n*s pixel centres, Lanczos-3, edges clamped, rows normalised."""
    m = np.zeros((n * s, n))
    for x in range(n * s):
        c = (x + 0.5) / s - 0.5
        for i in range(int(np.floor(c)) - 2, int(np.floor(c)) + 4):
            m[x, min(max(i, 0), n - 1)] += lanczos3(c - i)
        m[x] /= m[x].sum()
    return m


def upsample(t, s):
    rows, cols = upsampling_matrix(t.shape[0], s), upsampling_matrix(t.shape[1], s)
    return np.einsum("xj,yjc->yxc", cols, np.einsum("yi,ijc->yjc", rows, t))


def consistent(image, t, s, rounds=3):
    """The consistency step's smooth pass: block-mean residuals upsampled and added."""
    for _ in range(rounds):
        h, w = image.shape[:2]
        means = image.reshape(h // s, s, w // s, s, 3).mean(axis=(1, 3))
        image = np.clip(image + upsample(t - means, s), 0, 255)
    return image


def psnr(image, photo):
    mse = ((np.clip(np.floor(image + 0.5), 0, 255) - photo) ** 2).mean()
    return 10 * np.log10(255 ** 2 / mse)


def neighbourhoods(t):
    """(h, w, 3, 25): each thumbnail pixel's 5x5 neighbourhood, edges repeated."""
    h, w = t.shape[:2]
    p = np.pad(t, ((RADIUS, RADIUS), (RADIUS, RADIUS), (0, 0)), mode="edge")
    span = range(-RADIUS, RADIUS + 1)
    return np.stack([p[RADIUS + dy:RADIUS + dy + h, RADIUS + dx:RADIUS + dx + w] for dy in span for dx in span], -1)


def structure(t):
    """Per thumbnail pixel: gradient angle class, strength and coherence of the 3x3 structure tensor (luma)."""
    y = t @ np.array([0.299, 0.587, 0.114])
    p = np.pad(y, 1, mode="edge")
    gx, gy = (p[1:-1, 2:] - p[1:-1, :-2]) / 2, (p[2:, 1:-1] - p[:-2, 1:-1]) / 2

    def box(a):
        q = np.pad(a, 1, mode="edge")
        return sum(q[1 + dy:1 + dy + a.shape[0], 1 + dx:1 + dx + a.shape[1]] for dy in (-1, 0, 1) for dx in (-1, 0, 1))

    xx, xy, yy = box(gx * gx), box(gx * gy), box(gy * gy)
    spread = np.sqrt(np.maximum((xx - yy) ** 2 / 4 + xy * xy, 0))
    l1, l2 = (xx + yy) / 2 + spread, np.maximum((xx + yy) / 2 - spread, 0)
    angle = np.minimum(((0.5 * np.arctan2(2 * xy, xx - yy)) % np.pi / np.pi * ANGLES).astype(int), ANGLES - 1)
    strength = np.sqrt(l1)
    coherence = (np.sqrt(l1) - np.sqrt(l2)) / (np.sqrt(l1) + np.sqrt(l2) + 1e-9)
    return angle, strength, coherence


def classes(t, thresholds):
    angle, strength, coherence = structure(t)
    return (angle * STRENGTHS + np.searchsorted(thresholds[0], strength)) * COHERENCES + np.searchsorted(thresholds[1], coherence)


def normal_equations(samples, s, class_count, class_of):
    k = (2 * RADIUS + 1) ** 2
    ata, atb = np.zeros((class_count, s, s, k, k)), np.zeros((class_count, s, s, k))
    for t, photo in samples:
        f = neighbourhoods(t)
        blocks = photo.reshape(t.shape[0], s, t.shape[1], s, 3)
        c = class_of(t)
        for label in np.unique(c):
            a = f[c == label].reshape(-1, k)
            for py in range(s):
                for px in range(s):
                    b = blocks[:, py, :, px, :][c == label].reshape(-1)
                    ata[label, py, px] += a.T @ a
                    atb[label, py, px] += a.T @ b
    return ata, atb


def solve(ata, atb, ridge, prior):
    k = ata.shape[-1]
    return np.linalg.solve(ata + ridge * np.eye(k), atb[..., None] + ridge * prior[..., None])[..., 0]


def apply(t, filters, s, labels):
    out = np.einsum("ijck,ijyxk->iyjxc", neighbourhoods(t), filters[labels], optimize=True)
    return out.reshape(t.shape[0] * s, t.shape[1] * s, 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--scale", type=int, default=8)
    ap.add_argument("--ridge", default="1e3,1e5")
    args = ap.parse_args()
    s = args.scale
    folders = {name: [thumbnail(load(p), s) for p in sorted(glob.glob(os.path.join(folder, "*.png")))]
               for name, folder in (("train", args.train), ("test", args.test))}
    train = folders["train"]
    structures = [structure(t) for t, _ in train]
    thresholds = [np.quantile(np.concatenate([a[i].ravel() for a in structures]), [1 / 3, 2 / 3]) for i in (1, 2)]
    ata, atb = normal_equations(train, s, 1, lambda t: np.zeros(t.shape[:2], dtype=int))
    linear = solve(ata, atb, 1e-3, np.zeros(atb.shape))
    ata, atb = normal_equations(train, s, ANGLES * STRENGTHS * COHERENCES, lambda t: classes(t, thresholds))
    methods = [("linear", linear, lambda t: np.zeros(t.shape[:2], dtype=int))]
    for ridge in (float(r) for r in args.ridge.split(",")):
        adaptive = solve(ata, atb, ridge, np.broadcast_to(linear, atb.shape))
        methods.append(("edge-adaptive, ridge %g" % ridge, adaptive, lambda t: classes(t, thresholds)))
    print("| method | %s (trained on) | %s |" % (os.path.basename(os.path.normpath(args.train)),
                                                os.path.basename(os.path.normpath(args.test))))
    print("|---|---:|---:|")
    rows = {"Lanczos-3": [], "Lanczos-3 + smooth consistency (gcx)": []}
    for name, _, _ in methods:
        rows[name], rows[name + " + smooth consistency"] = [], []
    for key in ("train", "test"):
        scores = {row: [] for row in rows}
        for t, photo in folders[key]:
            drawn = upsample(t, s)
            scores["Lanczos-3"].append(psnr(drawn, photo))
            scores["Lanczos-3 + smooth consistency (gcx)"].append(psnr(consistent(drawn, t, s), photo))
            for name, filters, label in methods:
                drawn = apply(t, filters, s, label(t))
                scores[name].append(psnr(drawn, photo))
                scores[name + " + smooth consistency"].append(psnr(consistent(drawn, t, s), photo))
        for row in rows:
            rows[row].append(np.mean(scores[row]))
    for row, (a, b) in rows.items():
        print("| %s | %.3f | %.3f |" % (row, a, b))


if __name__ == "__main__":
    main()
