#!/usr/bin/env bash
# The oncutf demo: builds a sample photo folder with awkward names under ./demo-output/photos and
# runs the CLI on it. Re-runnable: demo-output/ is wiped and regenerated every time.
#
#   scripts/demo.sh BUILD_DIR        (make demo runs: scripts/demo.sh build/dev)
#
# For now the main job is the scan; later issues extend this script to metadata, hashes and the
# full rename.
set -euo pipefail

build=${1:?usage: scripts/demo.sh BUILD_DIR}
cli="$build/src/cli/oncutf-cli"
[ -x "$cli" ] || { echo "demo: $cli not found; build first (make build)" >&2; exit 1; }

out="$PWD/demo-output"
photos="$out/photos"
db="$out/oncutf.db"
rm -rf "$out"
mkdir -p "$photos"

# A small file that starts and ends like a JPEG (SOI/APP0 ... EOI). Real EXIF comes later.
fake_jpeg() { # path seed
  { printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00'
    head -c $(( 512 + ($2 * 37) % 3000 )) /dev/zero
    printf '\xff\xd9'; } > "$1"
}
# Some other small file of a given kind.
blob() { # path seed
  head -c $(( 100 + ($2 * 53) % 5000 )) /dev/zero > "$1"
}
# Spread modification times over 2024-2025 so the table shows different dates.
stamp() { # path seed
  touch -d "@$(( 1704067200 + ($2 * 86413) % 63072000 ))" "$1"
}

n=0
make_file() { # kind path
  n=$((n + 1))
  case "$1" in
    jpeg) fake_jpeg "$2" "$n" ;;
    *) blob "$2" "$n" ;;
  esac
  stamp "$2" "$n"
}

crete="$photos/2024/2024-06 Κρήτη (Crete)"
summer="$photos/2024/2024-08 Summer trip"
family="$photos/2025/Family & Friends"
raw="$family/raw"
drafts="$photos/2025/-drafts"
mkdir -p "$crete" "$summer" "$raw" "$drafts" "$photos/.thumbnails"

for i in $(seq -w 1 52); do make_file jpeg "$crete/IMG_00$i.JPG"; done
for i in $(seq -w 1 20); do make_file jpeg "$crete/Παραλία $i.jpg"; done
for i in $(seq -w 1 30); do make_file jpeg "$summer/DSC_01$i.jpg"; done
for i in $(seq -w 1 10); do make_file video "$summer/VID_20240812_$i.mp4"; done
for i in $(seq -w 1 25); do
  make_file raw "$raw/DSC_02$i.NEF"
  make_file sidecar "$raw/DSC_02$i.xmp"
done
for i in $(seq -w 1 20); do make_file jpeg "$family/family photo $i.jpeg"; done
for i in $(seq -w 1 10); do make_file audio "$family/voice note $i.m4a"; done
make_file jpeg "$drafts/-rf.jpg"
make_file jpeg "$drafts/with  two  spaces.jpg"
make_file jpeg "$drafts/Ελληνικά ονόματα – δοκιμή.jpg"
make_file jpeg "$drafts/📷 emoji.jpg"
make_file jpeg "$drafts/$(printf 'caf\351.jpg')"   # not UTF-8: kept byte-exact
make_file jpeg "$drafts/UPPER.JPEG"
make_file other "$drafts/notes"
make_file jpeg "$photos/.thumbnails/hidden.jpg"   # hidden: listed only with --hidden

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
