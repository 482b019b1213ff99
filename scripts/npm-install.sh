#!/usr/bin/env bash
# Installs the npm packages pinned by SRC/package.json + package-lock.json into
# DEST/node_modules (under build/, never committed), only when the lock changed.
#   usage: scripts/npm-install.sh SRC DEST
set -euo pipefail
src=$1
dest=$2
mkdir -p "$dest"
if [ -d "$dest/node_modules" ] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
