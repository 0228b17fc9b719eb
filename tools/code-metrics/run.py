#!/usr/bin/env python3
"""How the Swift sources are shaped: the largest functions, public types per module, and (where the
`duplicates` command is on PATH) the pairs of repeated lines outside generated files.

    python3 tools/code-metrics/run.py [--top 15] [--modules GCXArchiver,gcx]

Functions are found by their declaration (`func`, `init`, a computed `var` with a body) and measured
from that line to the line of its closing brace, comments and blank lines included: the length a
reader scrolls through. Strings and comments are skipped when braces are matched.
"""
import argparse
import collections
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATED = re.compile(r"ModelTables\+Model\d|TinyImagePriors")
DECLARATION = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate|static|class|final|override|mutating|nonisolated|convenience|required|@inline\(__always\)|@discardableResult)\s+)*"
                         r"(func\s+[^\s(<]+|init[?!]?|deinit|(?:var|subscript)\s+[^\s:(]+)")
PUBLIC_TYPE = re.compile(r"^\s*(?:@\w+\s+)*public\s+(?:final\s+)?(struct|enum|class|protocol|actor)\s+(\w+)", re.M)


def code_only(text):
    """The source with string literals and comments blanked (newlines kept), so braces can be counted."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text[i] == '"':
            j = i + 1
            depth = 0
            while j < n and (text[j] != '"' or depth) and text[j] != "\n":
                if text[j] == "\\" and j + 1 < n and text[j + 1] == "(":
                    depth += 1; j += 2; continue
                if text[j] == ")" and depth: depth -= 1
                elif text[j] == "\\": j += 1
                j += 1
            out.append(" " * (j + 1 - i)); i = j + 1
        else:
            out.append(text[i]); i += 1
    return "".join(out)


def functions(path):
    lines = code_only(path.read_text()).split("\n")
    found = []
    for number, line in enumerate(lines):
        match = DECLARATION.match(line)
        if not match or "protocol " in line:
            continue
        if match.group(1).startswith(("var", "subscript")) and "{" not in line:
            continue  # a stored property, or one whose body is not on its line

        # The body opens on this line or within the next few (a long signature).
        depth, opened, end = 0, False, None
        for k in range(number, len(lines)):
            for ch in lines[k]:
                if ch == "{":
                    depth += 1; opened = True
                elif ch == "}":
                    depth -= 1
                    if opened and depth == 0:
                        end = k; break
            if end is not None or (not opened and k - number > 8):
                break
            if not opened and ("=" in lines[k].split("{")[0] and "func" not in lines[k]):
                break  # a stored property
        if end is not None:
            found.append((end - number + 1, f"{path.relative_to(ROOT)}:{number + 1}", match.group(1).strip()))
    return found


def module_of(path):
    parts = path.relative_to(ROOT).parts
    return parts[1] if parts[0] == "Sources" else "/".join(parts[:2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--modules", help="comma-separated modules for the function table (default: all under Sources)")
    args = parser.parse_args()
    sources = [p for p in sorted((ROOT / "Sources").rglob("*.swift")) if not GENERATED.search(p.name)]
    wanted = set(args.modules.split(",")) if args.modules else None

    every = [f for p in sources if wanted is None or module_of(p) in wanted for f in functions(p)]
    every.sort(key=lambda f: -f[0])
    print(f"## The {args.top} longest functions" + (f" in {', '.join(sorted(wanted))}" if wanted else " under Sources") + "\n")
    print("| lines | where | declaration |\n|---:|---|---|")
    for length, where, name in every[:args.top]:
        print(f"| {length} | {where} | `{name}` |")
    over = collections.Counter(module_of(ROOT / w.split(':')[0]) for l, w, _ in every if l > 60)
    print("\nFunctions over 60 lines by module: " + (", ".join(f"{m} {c}" for m, c in sorted(over.items())) or "none"))

    print("\n## Public types per module\n\n| module | public types | lines (generated left out) |\n|---|---:|---:|")
    counts, sizes = collections.Counter(), collections.Counter()
    for path in sources:
        text = path.read_text()
        counts[module_of(path)] += len(PUBLIC_TYPE.findall(text))
        sizes[module_of(path)] += text.count("\n")
    for module in sorted(sizes):
        print(f"| {module} | {counts[module]} | {sizes[module]} |")

    tool = shutil.which("duplicates")
    if tool:
        out = subprocess.run([tool, "--most", "200", "--seconds", "120"], cwd=ROOT, capture_output=True, text=True).stdout
        rows = [l for l in out.splitlines() if re.match(r"^D\d+ ", l)]
        outside = [l for l in rows if not GENERATED.search(l)]
        print(f"\n## Repeated lines (`duplicates`)\n\n{len(outside)} pairs outside generated files "
              f"({len(rows) - len(outside)} involve generated tables); in Sources: "
              f"{sum(1 for l in outside if l.split()[1].startswith('Sources'))}")
    else:
        print("\n(`duplicates` is not on PATH: pairs of repeated lines not counted)", file=sys.stderr)


if __name__ == "__main__":
    main()
