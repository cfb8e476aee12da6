#!/usr/bin/env bash
# The oncutf demo: builds a sample photo folder with awkward names under ./demo-output/photos and
# runs the CLI on it. Re-runnable: demo-output/ is wiped and regenerated every time.
#
#   scripts/demo.sh BUILD_DIR        (make demo runs: scripts/demo.sh build/dev)
#
# It scans, previews the rename recipe of docs/recipes.md, applies it, shows the history and undoes
# it, checking that every file's content is unchanged and every name is back.
set -euo pipefail

build=${1:?usage: scripts/demo.sh BUILD_DIR}
cli="$build/src/cli/oncutf-cli"
[ -x "$cli" ] || { echo "demo: $cli not found; build first (make build)" >&2; exit 1; }

out="$PWD/demo-output"
photos="$out/photos"
db="$out/oncutf.db"
rm -rf "$out"
mkdir -p "$photos"

# Real photos with real EXIF (two cameras, bursts, RAW+JPG+XMP sets, Greek and odd names),
# authored byte by byte and tagged by one ExifTool run.
python3 "$(dirname "$0")/make_demo_photos.py" "$photos" >/dev/null
mkdir -p "$photos/.thumbnails"
cp "$photos/2025 odd names/no date.jpg" "$photos/.thumbnails/hidden.jpg" # listed only with --hidden

total=$(find "$photos" -type f ! -path '*/.*' | wc -l)
echo "== demo: $total files (and 1 hidden) in $photos"
echo
echo "== oncutf-cli --db demo-output/oncutf.db scan --recursive demo-output/photos"
"$cli" --db "$db" scan --recursive "$photos"
echo
echo "== oncutf-cli --db demo-output/oncutf.db scan --recursive --json demo-output/photos | python3 -m json.tool | head -n 24"
"$cli" --db "$db" scan --recursive --json "$photos" > "$out/scan.json"
# Through files rather than a pipe into head, so no one gets SIGPIPE.
python3 -m json.tool "$out/scan.json" > "$out/scan.pretty.json"
head -n 24 "$out/scan.pretty.json"
echo "    ..."
echo
echo "== every listed path decodes back to an existing file (json.load + os.fsencode)"
python3 - "$out/scan.json" "$total" <<'PY'
import json, os, sys
entries = json.load(open(sys.argv[1], encoding="utf-8"))
missing = [e["path"] for e in entries if not os.path.isfile(os.fsencode(e["path"]))]
odd = [os.fsencode(e["path"]) for e in entries if b"caf\xe9" in os.fsencode(e["path"])]
print(f"{len(entries)} entries, {len(missing)} unresolvable, non-UTF-8 name round-tripped: {odd[0]!r}")
sys.exit(0 if not missing and len(entries) == int(sys.argv[2]) else 1)
PY

recipe="$out/recipe.json"
cat > "$recipe" <<'JSON'
{
  "modules": [
    {"type": "metadata", "field": "EXIF:DateTimeOriginal", "format": "%Y%m%d_%H%M%S", "fallback": "nodate"},
    {"type": "text", "text": "_"},
    {"type": "counter", "start": 1, "step": 1, "padding": 3, "scope": "per_folder"},
    {"type": "text", "text": "_"},
    {"type": "original_name"}
  ],
  "final_transform": {"greeklish": true, "case": "original", "separator": "as_is"},
  "sort": "capture_date",
  "on_conflict": "fail",
  "companions": true
}
JSON
checksums() { (cd "$photos" && find . -type f ! -path './.*' -print0 | xargs -0 cat | md5sum | cut -d' ' -f1; find . -type f ! -path './.*' | wc -l); }
before=$(checksums)
names_before=$(cd "$photos" && find . -type f | sort | md5sum)

echo
echo "== the recipe (demo-output/recipe.json)"
cat "$recipe"
echo
echo "== oncutf-cli preview --recipe demo-output/recipe.json --recursive demo-output/photos"
"$cli" --db "$db" preview --recipe "$recipe" --recursive "$photos"
echo
echo "== oncutf-cli apply --recipe demo-output/recipe.json --recursive demo-output/photos"
"$cli" --db "$db" apply --recipe "$recipe" --recursive "$photos"
echo
echo "== the folder now"
(cd "$photos" && find . -type f ! -path './.*' | sort | head -n 20)
echo "    ..."
echo
echo "== oncutf-cli history"
"$cli" --db "$db" history
echo
echo "== oncutf-cli undo"
"$cli" --db "$db" undo
echo
after=$(checksums)
names_after=$(cd "$photos" && find . -type f | sort | md5sum)
if [ "$before" = "$after" ] && [ "$names_before" = "$names_after" ]; then
  echo "== after undo: same $(echo "$after" | tail -n 1) files, same contents, every name back"
else
  echo "== after undo: the folder differs from before the rename" >&2
  exit 1
fi
echo
echo "== oncutf-cli history"
"$cli" --db "$db" history
