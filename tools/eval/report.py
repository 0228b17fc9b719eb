"""summary.md and rate-quality plots from the rows of results.json."""
import math
import os
from collections import OrderedDict

import numpy as np

METRICS = [("psnr", "PSNR (dB)"), ("ms_ssim", "MS-SSIM"), ("ssimulacra2", "SSIMULACRA2")]
OPTIONAL = [("lpips", "LPIPS"), ("dists", "DISTS")]


def mean(values):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(values) / len(values) if values else None


def fmt(value, digits=2):
    if value is None:
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return "%.*f" % (digits, value)


def points(rows, metric_names):
    """Mean bpp and metrics of a group of rows (one rate point)."""
    point = {"n": len(rows), "bpp": mean([r["bpp"] for r in rows])}
    for key in metric_names:
        point[key] = mean([r.get(key) for r in rows])
    return point


def curves(rows, metric_names):
    """Per method, its rate points sorted by bpp: gcx configurations, and each codec's ladder."""
    out = OrderedDict()
    gcx_methods = sorted({r["method"] for r in rows if r["method"].startswith("gcx ")})
    for method in gcx_methods:
        group = [r for r in rows if r["method"] == method and r.get("psnr") is not None]
        if group:
            out.setdefault("gcx", []).append(dict(points(group, metric_names), label=method[4:]))
    for codec in sorted({r["codec"] for r in rows if "codec" in r}):
        settings = OrderedDict()
        for r in rows:
            if r.get("codec") == codec and ("ladder" in r["targets"] or "smallest" in r["targets"]):
                settings.setdefault(r["setting"], []).append(r)
        out[codec] = [dict(points(group, metric_names), label=group[0]["label"]) for group in settings.values()]
    for name in out:
        out[name].sort(key=lambda p: p["bpp"])
    return out


def bd_rate(anchor, test, key):
    """Bjøntegaard delta rate (%) of `test` against `anchor`: the mean difference of log-rate over the
    quality range both cover, with monotone piecewise-cubic interpolation (PCHIP) of log-rate as a
    function of quality. None when the curves do not overlap or have fewer than two points."""
    from scipy.interpolate import PchipInterpolator

    def prepared(curve):
        pts = sorted((p[key], math.log10(p["bpp"])) for p in curve if p.get(key) is not None and p["bpp"] > 0)
        qualities, rates = [], []
        for q, r in pts:  # strictly increasing quality for the interpolator
            if qualities and q <= qualities[-1]:
                continue
            qualities.append(q)
            rates.append(r)
        return np.array(qualities), np.array(rates)

    qa, ra = prepared(anchor)
    qt, rt = prepared(test)
    if len(qa) < 2 or len(qt) < 2:
        return None
    low, high = max(qa.min(), qt.min()), min(qa.max(), qt.max())
    if high <= low:
        return None
    grid = np.linspace(low, high, 100)
    delta = np.mean(PchipInterpolator(qt, rt)(grid) - PchipInterpolator(qa, ra)(grid))
    return (10 ** delta - 1) * 100


def write(out, rows, meta):
    metric_names = [k for k, _ in METRICS] + [k for k, _ in OPTIONAL if any(r.get(k) is not None for r in rows)]
    labels = dict(METRICS + OPTIONAL)
    lines = ["# gcx against classic codecs", ""]
    lines.append("Dataset `%s` (%d photos); gcx `%s`; %s s. Every row of `results.json` names the file "
                 "measured; bpp counts every byte of each file (for gcx, the entry record plus an equal share "
                 "of the archive's header, index and trailer)." % (meta["dataset"], meta["photos"], meta["gcx_version"], meta["seconds"]))
    if meta["generator"]:
        lines.append("")
        lines.append("Reconstructions by `gcx extract %s`." % " ".join(meta["generator"]))
    for note in meta["notes"]:
        lines += ["", "Note: " + note + "."]
    header = "| method | setting | photos | mean bpp | " + " | ".join(labels[k] for k in metric_names) + " |"
    rule = "|" + "---|" * (4 + len(metric_names))

    lines += ["", "## gcx", "", header, rule]
    for method in sorted({r["method"] for r in rows if r["method"].startswith("gcx ")}):
        group = [r for r in rows if r["method"] == method]
        p = points([r for r in group if r.get("psnr") is not None] or group, metric_names)
        setting = group[0]["config"] or "(defaults)"
        drawn = sum(1 for r in group if r.get("psnr") is not None)
        note = "" if drawn == len(group) else " (%d of %d drawn; see the rows' notes)" % (drawn, len(group))
        lines.append("| %s | `%s`%s | %d | %s | %s |" % (method, setting, note, len(group), fmt(mean([r["bpp"] for r in group]), 4),
                                                     " | ".join(fmt(p[k], 4 if k != "psnr" else 2) for k in metric_names)))

    lines += ["", "## Classic codecs at gcx's rates", "",
              "Each codec at the highest quality whose file fits the bytes gcx spent on the same photo: how many "
              "photos fit, their mean PSNR, and gcx's PSNR on those same photos. A codec whose smallest file is "
              "larger than gcx's cannot take part (0 photos).", "",
              "| gcx configuration | gcx bpp | gcx PSNR | " + " | ".join(meta["codecs"]) + " |",
              "|---|---|---|" + "---|" * len(meta["codecs"])]
    gcx_by = {(r["method"][4:], r["image"]): r for r in rows if r["method"].startswith("gcx ")}
    for config in sorted({k[0] for k in gcx_by}):
        own = [r for (c, _), r in gcx_by.items() if c == config]
        cells = []
        for codec in meta["codecs"]:
            fitted = [r for r in rows if r.get("codec") == codec and ("rate of gcx " + config) in r["targets"]]
            if not fitted:
                cells.append("0/%d" % meta["photos"])
                continue
            same = [gcx_by[(config, r["image"])] for r in fitted]
            cells.append("%d/%d: %s dB (gcx %s)" % (len(fitted), meta["photos"], fmt(mean([r.get("psnr") for r in fitted])),
                                                   fmt(mean([r.get("psnr") for r in same]))))
        lines.append("| %s | %s | %s | %s |" % (config, fmt(mean([r["bpp"] for r in own]), 4),
                                               fmt(mean([r.get("psnr") for r in own])), " | ".join(cells)))

    curve = curves(rows, metric_names)
    lines += ["", "## Rate-quality points (means over the photos)", "", header, rule]
    for name, pts in curve.items():
        for p in pts:
            lines.append("| %s | %s | %d | %s | %s |" % (name, p["label"], p["n"], fmt(p["bpp"], 4),
                                                       " | ".join(fmt(p[k], 4 if k != "psnr" else 2) for k in metric_names)))

    lines += ["", "## BD-rate against JPEG", "",
              "Negative is fewer bits than JPEG for the same quality, over the quality range both curves cover "
              "(PCHIP on log-rate); — where the curves do not overlap.", "",
              "| method | " + " | ".join("BD-rate (%s)" % labels[k] for k in ("psnr", "ssimulacra2")) + " |", "|---|---|---|"]
    if "jpeg" in curve:
        for name, pts in curve.items():
            if name == "jpeg":
                continue
            values = [bd_rate(curve["jpeg"], pts, k) for k in ("psnr", "ssimulacra2")]
            lines.append("| %s | %s |" % (name, " | ".join("—" if v is None else "%+.1f %%" % v for v in values)))
    else:
        lines.append("| (JPEG was not measured) | — | — |")

    plots = plot(out, curve, rows, metric_names, labels)
    lines += ["", "## Plots", ""] + ["![%s](%s)" % (p, p) for p in plots]
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def plot(out, curve, rows, metric_names, labels):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.ticker
    import matplotlib.pyplot as plt
    written = []
    for key in metric_names:
        fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
        for name, pts in curve.items():
            xs = [p["bpp"] for p in pts if p.get(key) is not None]
            ys = [p[key] for p in pts if p.get(key) is not None]
            if not xs:
                continue
            ax.plot(xs, ys, marker="o" if name == "gcx" else ".", linewidth=2 if name == "gcx" else 1.2,
                    linestyle="-" if name == "gcx" else "--", label=name)
            if name == "gcx":
                for p in pts:
                    if p.get(key) is not None:
                        ax.annotate(p["label"], (p["bpp"], p[key]), fontsize=7, xytext=(4, 4), textcoords="offset points")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator([0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "%g" % v))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("bits per pixel (log scale; every byte of each file)")
        ax.set_ylabel(labels[key])
        ax.set_title("%s against rate, means over the photos" % labels[key])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        name = "rd-%s.png" % key.replace("_", "-")
        fig.savefig(os.path.join(out, name))
        plt.close(fig)
        written.append(name)
    return written
