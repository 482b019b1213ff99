#!/usr/bin/env bash
# Installs the npm packages pinned by SRC/package.json + package-lock.json into
# DEST/node_modules (under build/, never committed), only when the lock changed.
# Install scripts never run (swagger-ui-dist pulls in @scarf/scarf, whose
# postinstall phones home); the lock pins every version and its hash.
#   usage: scripts/npm-install.sh SRC DEST
set -euo pipefail
src=$1
dest=$2
mkdir -p "$dest"
if [ -d "$dest/node_modules" ] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dest/"
# A failed install must not look done next time (the lock copy is the marker).
(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || {
  rm -f "$dest/package-lock.json"
  exit 1
}
