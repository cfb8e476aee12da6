#!/usr/bin/env bash
# `make screenshot`: regenerates docs/screenshot.png, the README's picture of the main window:
# the demo's generated photo folder opened in the real GUI (offscreen platform, no display
# needed) with a rename-by-capture-date recipe previewed. Usage: screenshot.sh BUILD_DIR [PNG]
set -euo pipefail
build=${1:-build/dev}
out=${2:-docs/screenshot.png}
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/src/gui/oncutf"
[ -x "$bin" ] || { echo "screenshot: $bin is not built (run 'make build')" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/oncutf-screenshot.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 "$here/make_demo_photos.py" "$work/photos" >/dev/null
cat >"$work/recipe.json" <<'JSON'
{
  "modules": [
    {"type": "metadata", "field": "capture_date", "format": "%Y-%m-%d_%H%M%S", "fallback": "nodate"},
    {"type": "text", "text": "_"},
    {"type": "counter", "start": 1, "step": 1, "padding": 3, "scope": "per_folder"}
  ],
  "final_transform": {"greeklish": false, "case": "lower", "separator": "as_is"},
  "sort": "capture_date",
  "on_conflict": "fail",
  "companions": true
}
JSON
ONCUTF_DB="$work/oncutf.db" QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} \
  timeout 120 "$bin" --recursive --recipe "$work/recipe.json" --screenshot "$out" "$work/photos"
