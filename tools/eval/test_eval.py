"""Every figure the harness reports can be recomputed from the files it names: run it on two of the
sample photos and recompute gcx's bpp from the archive and each PSNR from the reconstruction file."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import metrics  # noqa: E402
import report  # noqa: E402


def gcx_binary():
    given = os.environ.get("GCX_BINARY")
    if given:
        return given
    subprocess.run(["swift", "build", "-c", "release", "--product", "gcx"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "gcx")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("eval"))
    gcx = gcx_binary()
    subprocess.run([sys.executable, os.path.join(HERE, "run.py"), "--dataset", os.path.join(ROOT, "fixtures", "photos"),
                    "--out", out, "--gcx", gcx, "--limit", "2", "--codecs", "jpeg", "--jobs", "2",
                    "--config", "default=", "--config", "small=--thumbnail-quality 20 --thumbnail-scale 16",
                    "--config", "text=--mode text"], check=True)
    with open(os.path.join(out, "results.json")) as f:
        return out, gcx, json.load(f)


def test_gcx_bpp_is_every_byte_of_the_archive(run):
    out, gcx, results = run
    for config in ("default", "small", "text"):
        rows = [r for r in results["rows"] if r["method"] == "gcx " + config]
        assert len(rows) == 2
        archive = rows[0]["archive"]
        listing = json.loads(subprocess.run([gcx, "list", archive, "--json"], capture_output=True, check=True, text=True).stdout)
        size = os.path.getsize(archive)
        assert sum(r["bytes"] for r in rows) == pytest.approx(size)
        share = (size - sum(e["entry_bytes"] for e in listing)) / len(listing)
        for entry in listing:
            row = next(r for r in rows if r["image"] == entry["name"])
            assert row["bpp"] == pytest.approx((entry["entry_bytes"] + share) * 8 / (entry["width"] * entry["height"]), rel=1e-12)


def test_each_metric_is_recomputed_from_the_file_it_names(run):
    out, _, results = run
    measured = [r for r in results["rows"] if r.get("psnr") is not None]
    assert {r["method"] for r in measured} == {"gcx default", "gcx small", "jpeg"}
    for row in measured:
        original = metrics.load_rgb(os.path.join(ROOT, "fixtures", "photos", row["image"]))
        image = metrics.load_rgb(row["reconstruction"])
        assert row["psnr"] == pytest.approx(metrics.psnr(original, image), abs=1e-9)
        assert row["ms_ssim"] == pytest.approx(metrics.ms_ssim(original, image), abs=1e-9)
        if "coded" in row:
            assert row["bpp"] == pytest.approx(os.path.getsize(row["coded"]) * 8 / (original.shape[0] * original.shape[1]))


def test_text_entries_without_a_generator_are_reported_not_measured(run):
    _, _, results = run
    text = [r for r in results["rows"] if r["method"] == "gcx text"]
    assert all(r["reconstruction"] is None and "generator" in r["note"] for r in text)


def test_jpeg_is_measured_at_its_smallest_file_and_where_it_fits(run):
    _, _, results = run
    jpeg = [r for r in results["rows"] if r["method"] == "jpeg"]
    assert {r["image"] for r in jpeg if "smallest" in r["targets"]} == {"kodim03.jpg", "kodim05.jpg"}
    for row in jpeg:
        for target in row["targets"]:
            if target.startswith("rate of gcx "):
                config = target[len("rate of gcx "):]
                gcx_row = next(r for r in results["rows"] if r["method"] == "gcx " + config and r["image"] == row["image"])
                assert row["bytes"] <= gcx_row["bytes"]


def test_summary_and_plots_are_written(run):
    out, _, _ = run
    summary = open(os.path.join(out, "summary.md")).read()
    assert "## BD-rate against JPEG" in summary and "gcx default" in summary
    for name in ("rd-psnr.png", "rd-ms-ssim.png", "rd-ssimulacra2.png"):
        with open(os.path.join(out, name), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_bd_rate():
    anchor = [{"bpp": b, "psnr": q} for b, q in ((0.1, 25.0), (0.2, 28.0), (0.4, 31.0))]
    half = [{"bpp": p["bpp"] / 2, "psnr": p["psnr"]} for p in anchor]
    assert report.bd_rate(anchor, anchor, "psnr") == pytest.approx(0.0, abs=1e-9)
    assert report.bd_rate(anchor, half, "psnr") == pytest.approx(-50.0, abs=1e-6)
    assert report.bd_rate(anchor, [{"bpp": 1.0, "psnr": 40.0}, {"bpp": 2.0, "psnr": 42.0}], "psnr") is None


def test_ms_ssim_properties():
    import numpy as np
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (192, 256, 3), dtype=np.uint8)
    noisy = np.clip(image.astype(int) + rng.integers(-30, 31, image.shape), 0, 255).astype(np.uint8)
    assert metrics.ms_ssim(image, image) == pytest.approx(1.0)
    assert 0 < metrics.ms_ssim(image, noisy) < 1
    assert metrics.psnr(image, image) == float("inf")
    assert metrics.ms_ssim(image[:160], image[:160]) is None
