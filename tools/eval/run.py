#!/usr/bin/env python3
"""Rate and quality of gcx against classic codecs on a folder of photos.

    python3 tools/eval/run.py --dataset DIR --out OUT [--gcx PATH] [--config NAME=ARGS ...]
                              [--codecs jpeg,webp,avif,jxl] [--jobs N] [--limit N]
                              [--generator KIND [extract options ...]]

For each gcx configuration (pack options), the dataset is packed, reconstructions are extracted
(the built-in reconstructor unless --generator is given; everything after --generator goes to
`gcx extract`), and each photo's bits per pixel are taken from the archive's real bytes: its entry
record plus an equal share of the file's header, index and trailer, so the photos' bytes add up to
the file's size. Each classic codec encodes every photo at full resolution at the rate gcx gave
that photo (the highest quality that fits, by bisection), at a short ladder of qualities that draws
its rate-quality curve, and at its own smallest setting, which shows where it stops.

Every reconstruction is measured against the original: PSNR (RGB), MS-SSIM, SSIMULACRA2, and LPIPS
and DISTS when torch and their weights are on the machine. Writes OUT/results.json (one row per
measured image), OUT/summary.md and OUT/rd-*.png; every figure can be recomputed from the files a
row names (`reconstruction`, `coded`).
"""
import argparse
import json
import multiprocessing
import os
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import classic  # noqa: E402
import metrics  # noqa: E402
import report  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")

# Text mode; multimodal at the default thumbnail and at a smaller and a larger one. Options that
# name a thumbnail budget can be given with --config once the codec has them.
DEFAULT_CONFIGS = [
    ("text", "--mode text"),
    ("default", ""),
    ("thumb-q20", "--thumbnail-quality 20"),
    ("thumb-q80", "--thumbnail-quality 80"),
    ("thumb-1/16", "--thumbnail-scale 16"),
]


class Progress:
    """A bar on a terminal (tqdm), a line per step otherwise."""

    def __init__(self, total, label):
        self.bar = None
        self.label, self.total, self.done = label, total, 0
        if sys.stderr.isatty():
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, desc=label, unit="img", file=sys.stderr)
            except ImportError:
                pass

    def step(self, text=""):
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.done == self.total or self.done % 25 == 0:
            print("%s: %d/%d %s" % (self.label, self.done, self.total, text), file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def find_gcx(given):
    if given:
        return os.path.abspath(given)
    print("building gcx (release) ...", file=sys.stderr, flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "gcx"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "gcx")


def gcx_json(gcx, args, allow_failure=False):
    result = subprocess.run([gcx] + args, capture_output=True, text=True)
    if result.returncode not in ((0, 1) if allow_failure else (0,)):
        raise SystemExit("gcx %s failed (exit %d): %s" % (" ".join(args), result.returncode, result.stderr.strip()[-2000:]))
    return json.loads(result.stdout), result


def photos_in(dataset, limit):
    names = sorted(n for n in os.listdir(dataset) if n.lower().endswith(PHOTO_SUFFIXES) and not n.startswith("."))
    if not names:
        raise SystemExit("no PNG or JPEG photos in %s" % dataset)
    return names[:limit] if limit else names


def original_png(dataset, name, out):
    """The photo as PNG (the classic encoders' input and the metrics' reference)."""
    source = os.path.join(dataset, name)
    if name.lower().endswith(".png"):
        return source
    target = os.path.join(out, "originals", os.path.splitext(name)[0] + ".png")
    if not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        from PIL import Image
        Image.fromarray(metrics.load_rgb(source)).save(target)
    return target


def gcx_bpp(archive, entries):
    """Per photo: bits per pixel of its entry record plus an equal share of the file's other bytes."""
    total = os.path.getsize(archive)
    overhead = total - sum(e["entry_bytes"] for e in entries)
    share = overhead / len(entries) if entries else 0
    return {e["name"]: ((e["entry_bytes"] + share) * 8 / (e["width"] * e["height"]), e["entry_bytes"] + share)
            for e in entries}


def run_gcx(gcx, dataset, names, out, config, options, generator_args, progress):
    """Packs the photos with `options`, extracts reconstructions, and returns rows to measure."""
    folder = os.path.join(out, "gcx", config.replace("/", "_"))
    shutil.rmtree(folder, ignore_errors=True)
    inputs = os.path.join(folder, "inputs")
    os.makedirs(inputs)
    for name in names:  # only the selected photos, under their own names
        os.symlink(os.path.abspath(os.path.join(dataset, name)), os.path.join(inputs, name))
    archive = os.path.join(folder, "archive.gcx")
    gcx_json(gcx, ["pack", inputs, "-o", archive, "-q", "--json", "--captioner", "builtin"] + shlex.split(options))
    listing, _ = gcx_json(gcx, ["list", archive, "--json"])
    bpp = gcx_bpp(archive, listing)
    extracted, result = gcx_json(gcx, ["extract", archive, "-o", os.path.join(folder, "reconstructions"),
                                       "--what", "reconstruction", "-q", "--json"] + generator_args, allow_failure=True)
    drawn = {w["entry"]: w["path"] for w in extracted["written"] if w["item"] == "reconstruction"}
    failed = {f["entry"]: f["error"] for f in extracted["failed"]}
    rows = []
    for name in names:
        rate, share = bpp[name]
        rows.append({"method": "gcx " + config, "config": options, "image": name, "bpp": rate,
                     "bytes": share, "archive": archive, "reconstruction": drawn.get(name),
                     "note": failed.get(name)})
        progress.step()
    return rows, os.path.getsize(archive)


def encode_size(task):
    codec_name, png, setting, path = task
    codec = classic.CODECS[codec_name]
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = path + ".part" + codec.suffix
        codec.encode(png, setting, temporary)
        os.replace(temporary, path)
    return os.path.getsize(path)


def measure(task):
    """Decodes a coded file if needed and measures it; returns the row with its metrics."""
    row, reference, deep = task
    if row.get("coded") and not os.path.exists(row["reconstruction"]):
        classic.CODECS[row["codec"]].decode(row["coded"], row["reconstruction"])
    if not row.get("reconstruction"):
        return row
    original = metrics.load_rgb(reference)
    image = metrics.load_rgb(row["reconstruction"])
    if image.shape != original.shape:
        row["note"] = "reconstruction is %dx%d, the original %dx%d" % (image.shape[1], image.shape[0], original.shape[1], original.shape[0])
        return row
    row["psnr"] = metrics.psnr(original, image)
    row["ms_ssim"] = metrics.ms_ssim(original, image)
    row["ssimulacra2"] = metrics.ssimulacra2(reference, row["reconstruction"])
    if deep:
        row.update(_deep().measure(original, image))
    return row


_DEEP = None


def _deep():
    global _DEEP
    if _DEEP is None:
        _DEEP = metrics.DeepMetrics()
    return _DEEP


def parse_args(argv):
    generator_args = []
    if "--generator" in argv:
        at = argv.index("--generator")
        argv, generator_args = argv[:at], argv[at:]
        if len(generator_args) < 2:
            raise SystemExit("--generator needs a kind (builtin, openai, a1111), then any extract options")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="Everything after --generator KIND is passed to gcx extract.")
    ap.add_argument("--dataset", required=True, help="a folder of PNG or JPEG photos")
    ap.add_argument("--out", required=True, help="where results.json, summary.md, rd-*.png and every file measured go")
    ap.add_argument("--gcx", help="the gcx binary (default: build the release one)")
    ap.add_argument("--config", action="append", default=[], metavar="NAME=ARGS",
                    help="a gcx configuration: a name and its pack options (replaces the defaults; repeat)")
    ap.add_argument("--codecs", default="jpeg,webp,avif,jxl", help="classic codecs, comma-separated (or 'none')")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for encoding and metrics")
    ap.add_argument("--limit", type=int, default=0, help="only the first N photos (by name)")
    args = ap.parse_args(argv)
    args.generator_args = generator_args
    configs = []
    for item in args.config:
        name, sep, options = item.partition("=")
        if not sep or not name:
            ap.error("--config takes NAME=ARGS, e.g. small='--thumbnail-quality 20'")
        configs.append((name, options))
    args.configs = configs or DEFAULT_CONFIGS
    args.codec_list = [] if args.codecs == "none" else [c.strip() for c in args.codecs.split(",") if c.strip()]
    for name in args.codec_list:
        if name not in classic.CODECS:
            ap.error("unknown codec %s (known: %s)" % (name, ", ".join(classic.CODECS)))
        ok, missing = classic.CODECS[name].available()
        if not ok:
            ap.error("%s needs %s (Debian: libjpeg-turbo-progs, webp, libavif-bin, libjxl-tools; tools/setup-debian.sh installs them)"
                     % (name, ", ".join(missing)))
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.time()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    gcx = find_gcx(args.gcx)
    names = photos_in(args.dataset, args.limit)
    references = {name: original_png(args.dataset, name, out) for name in names}
    sizes = {}
    from PIL import Image
    for name in names:
        with Image.open(references[name]) as image:
            sizes[name] = image.size

    # gcx: pack and extract each configuration.
    rows = []
    archives = {}
    progress = Progress(len(args.configs) * len(names), "gcx pack + extract")
    for config, options in args.configs:
        config_rows, archive_bytes = run_gcx(gcx, args.dataset, names, out, config, options, args.generator_args, progress)
        rows += config_rows
        archives[config] = {"options": options, "archive_bytes": archive_bytes}
    progress.close()

    # Classic codecs: the smallest setting and the ladder for every photo, then bisection for the
    # highest setting that fits each gcx rate (encodes are cached by codec, photo and setting).
    pool = multiprocessing.Pool(max(1, args.jobs))
    coded_path = lambda codec, name, setting: os.path.join(
        out, "codecs", codec.name, "%s.%s%s" % (os.path.splitext(name)[0], setting, codec.suffix))
    size_cache = {}

    def sizes_of(tasks):
        todo = [t for t in tasks if (t[0], t[1], t[2]) not in size_cache]
        for task, size in zip(todo, pool.map(encode_size, todo)):
            size_cache[(task[0], task[1], task[2])] = size
        return [size_cache[(t[0], t[1], t[2])] for t in tasks]

    wanted = {}  # (codec, name, setting) -> set of reasons
    fits = {}    # (codec, config) -> photos that fit
    for codec_name in args.codec_list:
        codec = classic.CODECS[codec_name]
        first = [(codec_name, references[n], s, coded_path(codec, n, s)) for n in names for s in codec.ladder]
        sizes_of(first)
        for n in names:
            for s in codec.ladder:
                wanted.setdefault((codec_name, n, s), set()).add("smallest" if s == codec.axis[0] else "ladder")
        # Bisection, all photos and configurations in step: lo fits (or -1), hi does not.
        budgets = {(r["method"][4:], r["image"]): int(r["bytes"]) for r in rows}
        state = {}
        for (config, n), budget in budgets.items():
            smallest = size_cache[(codec_name, references[n], codec.axis[0])]
            state[(config, n)] = [-1, len(codec.axis)] if smallest > budget else [0, len(codec.axis)]
        while True:
            probes = {}
            for (config, n), (lo, hi) in state.items():
                if lo >= 0 and hi - lo > 1:
                    probes[(config, n)] = (lo + hi) // 2
            if not probes:
                break
            tasks = [(codec_name, references[n], codec.axis[mid], coded_path(codec, n, codec.axis[mid])) for (config, n), mid in probes.items()]
            for ((config, n), mid), size in zip(probes.items(), sizes_of(tasks)):
                if size <= budgets[(config, n)]:
                    state[(config, n)][0] = mid
                else:
                    state[(config, n)][1] = mid
        for (config, n), (lo, _) in state.items():
            if lo >= 0:
                wanted.setdefault((codec_name, n, codec.axis[lo]), set()).add("rate of gcx " + config)
                fits.setdefault((codec_name, config), []).append(n)

    for (codec_name, n, setting), reasons in sorted(wanted.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2]))):
        codec = classic.CODECS[codec_name]
        coded = coded_path(codec, n, setting)
        width, height = sizes[n]
        size = size_cache[(codec_name, references[n], setting)]
        rows.append({"method": codec_name, "codec": codec_name, "setting": setting, "label": codec.label(setting),
                     "image": n, "bpp": size * 8 / (width * height), "bytes": size, "coded": coded,
                     "reconstruction": os.path.splitext(coded)[0] + codec.suffix.replace(".", "_") + ".png",
                     "targets": sorted(reasons)})

    # Metrics on every reconstruction, in parallel.
    deep = metrics.DeepMetrics()
    use_deep = deep.lpips is not None or deep.dists is not None
    progress = Progress(len(rows), "metrics")
    measured = []
    for row in pool.imap(measure, [(row, references[row["image"]], use_deep) for row in rows], chunksize=2):
        measured.append(row)
        progress.step()
    progress.close()
    pool.close()

    meta = {"dataset": os.path.abspath(args.dataset), "photos": len(names), "gcx": gcx,
            "gcx_version": subprocess.run([gcx, "--version"], capture_output=True, text=True).stdout.strip(),
            "configs": archives, "codecs": args.codec_list, "generator": args.generator_args,
            "fits": {"%s @ gcx %s" % k: len(v) for k, v in sorted(fits.items())},
            "notes": deep.notes, "seconds": round(time.time() - started, 1)}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "rows": measured}, f, indent=1, allow_nan=True)
    report.write(out, measured, meta)
    print("wrote %s/results.json, summary.md and rd-*.png in %.0f s" % (out, time.time() - started), file=sys.stderr)


if __name__ == "__main__":
    main()
