#!/usr/bin/env bash
# Fetches Swagger UI (npm swagger-ui-dist, pinned by openapi/swagger-ui/
# package-lock.json) and puts the files /docs needs into BUILD_DIR/swagger-ui,
# which the build embeds in the binary at /static/swagger-ui/. Run by the build
# (CMake target paygate_swagger_ui); a no-op when nothing changed.
#   usage: scripts/fetch-swagger-ui.sh BUILD_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build=$1
bash "$root/scripts/npm-install.sh" "$root/openapi/swagger-ui" "$build/npm/swagger-ui"
dist="$build/npm/swagger-ui/node_modules/swagger-ui-dist"
out="$build/swagger-ui"
mkdir -p "$out"
for f in swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE; do
  # Copied only when different, so the embedded table (and the binary) is not rebuilt for nothing.
  cmp -s "$dist/$f" "$out/$f" || cp "$dist/$f" "$out/$f"
done
