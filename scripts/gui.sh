#!/usr/bin/env bash
# `make gui`: starts the oncutf window from a build dir ($1), passing any extra args (folders).
set -euo pipefail
build=${1:-build/dev}; shift || true
bin="$build/src/gui/oncutf"
[ -x "$bin" ] || { echo "gui: $bin is not built (run 'make build')" >&2; exit 1; }
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "gui: no display found (DISPLAY/WAYLAND_DISPLAY unset)." >&2
  echo "     On a headless machine run it under Xvfb: xvfb-run -a $bin" >&2
  exit 1
fi
exec "$bin" "$@"
