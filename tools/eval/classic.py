"""The classic codecs the harness compares gcx with, driven through their reference command-line
tools (Debian: libjpeg-turbo-progs, webp, libavif-bin, libjxl-tools). Each codec has a quality axis
ordered from its smallest file to its largest; `smallest` is where the codec stops."""
import os
import shutil
import subprocess

from PIL import Image


class Codec:
    name = ""
    tools = ()
    # Settings from the smallest file to the largest.
    axis = ()
    # A few settings from the smallest up, drawn as the codec's rate-quality curve.
    ladder = ()
    suffix = ""

    def available(self):
        missing = [tool for tool in self.tools if shutil.which(tool) is None]
        return (not missing, missing)

    def encode(self, png, setting, out):
        raise NotImplementedError

    def decode(self, coded, png):
        raise NotImplementedError

    def label(self, setting):
        return "%s %s" % (self.name, setting)


def run(args):
    result = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(args), result.stderr.decode(errors="replace").strip()[-400:]))


class JPEG(Codec):
    name = "jpeg"
    tools = ("cjpeg", "djpeg")
    axis = tuple(range(1, 101))
    ladder = (1, 5, 10, 25, 50)
    suffix = ".jpg"

    def encode(self, png, setting, out):
        ppm = out + ".ppm"
        Image.open(png).convert("RGB").save(ppm)
        try:
            run(["cjpeg", "-quality", str(setting), "-optimize", "-outfile", out, ppm])
        finally:
            os.remove(ppm)

    def decode(self, coded, png):
        ppm = png + ".ppm"
        run(["djpeg", "-outfile", ppm, coded])
        Image.open(ppm).save(png)
        os.remove(ppm)

    def label(self, setting):
        return "jpeg q%d" % setting


class WebP(Codec):
    name = "webp"
    tools = ("cwebp", "dwebp")
    axis = tuple(range(0, 101))
    ladder = (0, 10, 30, 60)
    suffix = ".webp"

    def encode(self, png, setting, out):
        run(["cwebp", "-quiet", "-q", str(setting), "-m", "6", png, "-o", out])

    def decode(self, coded, png):
        run(["dwebp", "-quiet", coded, "-o", png])

    def label(self, setting):
        return "webp q%d" % setting


class AVIF(Codec):
    name = "avif"
    tools = ("avifenc", "avifdec")
    # libavif's quantizer: 63 is the coarsest (smallest file), 0 lossless.
    axis = tuple(range(63, -1, -1))
    ladder = (63, 55, 45, 35)
    suffix = ".avif"

    def encode(self, png, setting, out):
        run(["avifenc", "--min", str(setting), "--max", str(setting), "-s", "6", "-j", "1", png, out])

    def decode(self, coded, png):
        run(["avifdec", "-j", "1", coded, png])

    def label(self, setting):
        return "avif quantizer %d" % setting


class JXL(Codec):
    name = "jxl"
    tools = ("cjxl", "djxl")
    # Butteraugli distance: 25 is the coarsest libjxl allows.
    axis = (25, 22, 19, 16, 14, 12, 10, 9, 8, 7, 6, 5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5)
    ladder = (25, 12, 6, 3)
    suffix = ".jxl"

    def encode(self, png, setting, out):
        run(["cjxl", png, out, "-d", str(setting), "-e", "7", "--num_threads", "1"])

    def decode(self, coded, png):
        run(["djxl", coded, png, "--num_threads", "1"])

    def label(self, setting):
        return "jxl distance %s" % setting


CODECS = {codec.name: codec for codec in (JPEG(), WebP(), AVIF(), JXL())}
