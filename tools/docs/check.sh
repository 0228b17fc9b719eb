#!/usr/bin/env bash
# The documented modules' docs match their code: every public declaration of GCXBytes and GCX has
# a doc comment, and each DocC catalog builds with every symbol link resolved (warnings are errors).
#
#     tools/docs/check.sh        (about 20 s; a separate build path, so the main build is untouched)
set -euo pipefail
cd "$(dirname "$0")/../.."
modules="GCXBytes GCX"
python3 tools/docs/undocumented.py $modules
docc="$(dirname "$(readlink -f "$(command -v swift)")")/docc"
[ -x "$docc" ] || { echo "docs: docc is not beside swift ($docc)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build --target GCX --build-path .build-docs -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir \
    -Xswiftc "$work/graphs" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
for module in $modules; do
    mkdir -p "$work/$module"
    cp "$work/graphs/$module.symbols.json" "$work/$module/"
    "$docc" convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$work/$module" \
        --fallback-display-name "$module" --fallback-bundle-identifier "gcx.$module" \
        --output-path "$work/$module.doccarchive" --warnings-as-errors > "$work/$module.log" 2>&1 \
        || { cat "$work/$module.log"; exit 1; }
done
echo "docs: $modules: every public declaration documented, every DocC link resolved"
