#!/usr/bin/env bash
# What validating costs per megabyte: an archive of real descriptions (the corpus's held-out half,
# model-coded; prompt model 3 was primed on them, so they code several times tighter than new
# descriptions do: the most decoding per byte that real text gets) against one crafted to make the decoder work hardest within spec/gcx.md B.1's bound (a repeated
# sentence whose payload is tiny: about 30 decoded bytes per archive byte), and one of built-in
# descriptions (prompt method 2, spec Appendix D: tiny payloads, ~1.3 KB of text each). All are
# text-mode archives of 1x1 photos, packed by gcx itself.
#
#     tools/bench-validate/run.sh [ENTRIES]      (default 2000; needs the release gcx and ../shared/corpus)
set -euo pipefail
cd "$(dirname "$0")/../.."
entries=${1:-2000}
gcx=.build/release/gcx
[ -x "$gcx" ] || swift build -c release --product gcx >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$entries" <<'PY'
import json, os, struct, sys, zlib
work, n = sys.argv[1], int(sys.argv[2])
def png(i=0):
    raw = b"\x00" + bytes([(i * 37) % 256, (i * 91) % 256, (i * 53) % 256])
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
corpus = [json.loads(l)["prompt"] for f in ("prompts-cid22-b.jsonl",) for l in open(os.path.join("..", "shared", "corpus", f))]
for kind in ("real", "crafted"):
    os.makedirs(os.path.join(work, kind))
    with open(os.path.join(work, kind + ".jsonl"), "w") as out:
        for i in range(n):
            name = "p%06d.png" % i
            open(os.path.join(work, kind, name), "wb").write(png())
            text = corpus[i % len(corpus)] if kind == "real" else ("Top-left: sky %d. " % (i % 10)) * 110
            out.write(json.dumps({"image": name, "prompt": text}) + "\n")
os.makedirs(os.path.join(work, "builtin"))
for i in range(n):
    open(os.path.join(work, "builtin", "p%06d.png" % i), "wb").write(png(i))
PY
for kind in real crafted; do
    "$gcx" pack "$work/$kind" -o "$work/$kind.gcx" --mode text --prompts "$work/$kind.jsonl" -q --jobs 2 >/dev/null
done
"$gcx" pack "$work/builtin" -o "$work/builtin.gcx" --mode text -q --jobs 2 >/dev/null
"$gcx" extract "$work/builtin.gcx" -o "$work/builtin-prompts" --what prompt -q >/dev/null
python3 - "$gcx" "$work" <<'PY'
import json, os, subprocess, sys, time
gcx, work = sys.argv[1], sys.argv[2]
print("| archive | bytes | entries | prompt bytes coded | decoded bytes | decoded per archive byte | validate s (best of 3) | s per MB |")
print("|---|---|---|---|---|---|---|---|")
for kind in ("real", "crafted", "builtin"):
    path = os.path.join(work, kind + ".gcx")
    rows = json.loads(subprocess.run([gcx, "list", path, "--json"], capture_output=True, check=True, text=True).stdout)
    size = os.path.getsize(path)
    coded = sum(r["prompt_bytes"] for r in rows)
    if kind == "builtin":
        folder = os.path.join(work, "builtin-prompts")
        decoded = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    else:
        decoded = sum(len(l.encode()) for l in (json.loads(x)["prompt"] for x in open(os.path.join(work, kind + ".jsonl"))))
    best = 1e9
    for _ in range(3):
        t = time.time(); subprocess.run([gcx, "validate", "-q", path], check=True, stdout=subprocess.DEVNULL); best = min(best, time.time() - t)
    print("| %s | %d | %d | %d | %d | %.1f | %.2f | %.2f |" % (kind, size, len(rows), coded, decoded, decoded / size, best, best / (size / 1e6)))
PY
