#!/usr/bin/env python3
"""What --jobs buys against a slow captioner, and what a large collection costs in memory.

Packs generated photos (320x240, distinct) with `--captioner openai` against
tools/fake-servers/openai_server.py holding every answer for a fixed time, and reports, from the
server's own log: the span from the first request read to the last answer ready, and the most
requests it was working on at once; from /usr/bin/time: gcx's wall time and peak RSS.

    python3 tools/bench-pipeline/run.py                  # the issue's cases
    python3 tools/bench-pipeline/run.py --quick          # smaller: 16 and 64 photos, 0.5 s holds

Needs the release gcx (swift build -c release --product gcx) and Pillow.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GCX = os.environ.get("GCX_BINARY", os.path.join(ROOT, ".build", "release", "gcx"))
SERVER = os.path.join(ROOT, "tools", "fake-servers", "openai_server.py")
KEY = "sk-bench-pipeline-0123456789"


def make_photos(folder, count):
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        path = os.path.join(folder, "p%05d.png" % i)
        if os.path.exists(path):
            continue
        image = Image.new("RGB", (320, 240))
        image.putdata([((x * 3 + i) % 256, (y * 5 + 7 * i) % 256, (x * y + i) % 256)
                       for y in range(240) for x in range(320)])
        image.save(path)


def start_server(work, hold):
    script = os.path.join(work, "script-%s.json" % hold)
    log = os.path.join(work, "log-%d.jsonl" % time.monotonic_ns())
    with open(script, "w") as f:
        json.dump({"delay": hold}, f)  # the server's default answer follows the layout
    server = subprocess.Popen([sys.executable, SERVER, "--port", "0", "--log", log, "--script", script, "--key", KEY],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    assert line.startswith("PORT "), line
    return server, int(line.split()[1]), log


def overlap(entries):
    events = sorted([(e["t_start"], 1) for e in entries] + [(e["t_end"], -1) for e in entries])
    current = best = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


def run_case(work, photos, jobs, hold):
    folder = os.path.join(work, "photos-%d" % photos)
    make_photos(folder, photos)
    server, port, log = start_server(work, hold)
    archive = os.path.join(work, "out.gcx")
    if os.path.exists(archive):
        os.remove(archive)
    try:
        started = time.monotonic()
        result = subprocess.run(["/usr/bin/time", "-f", "%M", GCX, "pack", folder, "-o", archive, "-q",
                                 "--captioner", "openai", "--base-url", "http://127.0.0.1:%d/v1" % port,
                                 "--jobs", str(jobs)], capture_output=True, text=True,
                                env=dict(os.environ, OPENAI_API_KEY=KEY))
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait()
    if result.returncode != 0:
        sys.exit("gcx pack failed: %s" % result.stderr)
    rss_kib = int(result.stderr.strip().splitlines()[-1])
    entries = [json.loads(line) for line in open(log)]
    chats = [e for e in entries if e.get("path") == "/v1/chat/completions"]
    assert len(chats) == photos, (len(chats), photos)
    span = max(e["t_end"] for e in chats) - min(e["t_start"] for e in chats)
    return {"photos": photos, "jobs": jobs, "hold": hold, "span": span, "wall": wall,
            "in_flight": overlap(chats), "rss_mib": rss_kib / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if not os.access(GCX, os.X_OK):
        sys.exit("no release gcx at %s: swift build -c release --product gcx" % GCX)
    if args.quick:
        cases = [(16, 8, 0.5), (64, 32, 0.5)]
        memory = (64, 640, 32, 0.01)
    else:
        cases = [(16, 8, 2.0), (200, 32, 2.0)]
        memory = (200, 2000, 32, 0.05)
    with tempfile.TemporaryDirectory() as work:
        rows = [run_case(work, *case) for case in cases]
        small = run_case(work, memory[0], memory[2], memory[3])
        large = run_case(work, memory[1], memory[2], memory[3])
    print("| photos | --jobs | server holds | server span (log) | most in flight (log) | gcx wall | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows + [small, large]:
        print("| %d | %d | %.2f s | %.2f s | %d | %.2f s | %.1f MiB |" % (
            r["photos"], r["jobs"], r["hold"], r["span"], r["in_flight"], r["wall"], r["rss_mib"]))
    print()
    print("peak RSS, %d photos vs %d: %.2fx" % (large["photos"], small["photos"], large["rss_mib"] / small["rss_mib"]))


if __name__ == "__main__":
    main()
