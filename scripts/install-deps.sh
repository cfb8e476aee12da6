#!/usr/bin/env bash
# Installs the Debian 12 packages oncutf needs to build, test, benchmark and run.
# Idempotent and quiet when everything is already there. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # Qt 6 (Core, Widgets, offscreen/xcb platform plugins, Test)
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-qpa-plugins
  # core libraries
  libsqlite3-dev sqlite3 libexiv2-dev libdeflate-dev libisal-dev zlib1g-dev
  # metadata engine (persistent ExifTool processes, run with tcmalloc) and fixtures
  libimage-exiftool-perl libtcmalloc-minimal4
  # tests and benchmarks
  libgtest-dev libbenchmark-dev python3 rhash rename hyperfine
  # fonts for the offscreen GUI and screenshots; Xvfb for `make gui` on a headless box
  fonts-dejavu-core xvfb xauth
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
