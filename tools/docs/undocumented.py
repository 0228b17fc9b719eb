#!/usr/bin/env python3
"""Lists the public declarations of the given modules (Sources/MODULE/*.swift) that have no doc
comment right above them (attributes aside), and exits 1 if there is any."""
import glob
import re
import sys

missing = []
for module in sys.argv[1:]:
    for path in sorted(glob.glob(f"Sources/{module}/*.swift")):
        lines = open(path, encoding="utf-8").read().split("\n")
        for number, line in enumerate(lines):
            if not re.match(r"\s*(@\w+(\([^)]*\))?\s+)*public\s", line):
                continue
            above = number - 1
            while above >= 0 and lines[above].strip().startswith("@"):
                above -= 1
            if above < 0 or not lines[above].strip().startswith("///"):
                missing.append(f"{path}:{number + 1}: {line.strip()}")
for line in missing:
    print(line)
if missing:
    print(f"undocumented: {len(missing)} public declaration(s) without a doc comment")
    sys.exit(1)
