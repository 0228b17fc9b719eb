#!/usr/bin/env python3
"""What a pack with the defaults costs and gives: bytes per entry and reconstruction PSNR.

Packs a folder of photos with gcx (the defaults, or the pack options given after `--`), extracts the
built-in reconstructions, and prints one table row: photos, archive bytes, bytes per entry (the whole
file over the photos), and mean PSNR (RGB) of the reconstructions against the photos.

    python3 tools/bench-thumbnails/defaults.py ../shared/datasets/kodak
    python3 tools/bench-thumbnails/defaults.py ../shared/datasets/kodak -- --thumbnail-codec jpeg

Needs the release gcx (or GCX_BINARY), numpy and Pillow.
"""
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


def main():
    args = sys.argv[1:]
    options = args[args.index("--") + 1:] if "--" in args else []
    folders = args[:args.index("--")] if "--" in args else args
    if len(folders) != 1:
        sys.exit(__doc__)
    folder = folders[0]
    with tempfile.TemporaryDirectory() as tmp:
        archive = os.path.join(tmp, "a.gcx")
        out = os.path.join(tmp, "out")
        for command in ([GCX, "pack", folder, "-o", archive, "-q"] + options, [GCX, "extract", archive, "-o", out, "-q"]):
            run = subprocess.run(command, capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit("%s failed:\n%s" % (" ".join(command), run.stderr))
        values = []
        for name in sorted(os.listdir(out)):
            if not name.endswith(".png") or name.endswith(".thumb.png"):
                continue
            drawn = np.asarray(Image.open(os.path.join(out, name)).convert("RGB"))
            photo = np.asarray(Image.open(os.path.join(folder, name)).convert("RGB"))
            values.append(psnr(drawn, photo))
        size = os.path.getsize(archive)
    label = " ".join(options) or "defaults"
    print("| %s | %s | %d | %d | %.1f | %.2f dB |" % (os.path.basename(os.path.normpath(folder)), label,
                                                     len(values), size, size / len(values), np.mean(values)))


if __name__ == "__main__":
    main()
