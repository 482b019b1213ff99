#!/usr/bin/env bash
# Installs the Debian packages paygate needs to build, run, test and benchmark.
# Asks apt only for what is missing, so a machine that has everything is not touched.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libboost-system1.81-dev libboost-program-options1.81-dev
  libsqlite3-dev libssl-dev libpq-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev libgtest-dev
  wrk sqlite3 curl postgresql
  nodejs chromium python3 python3-yaml
  clang-16 libclang-rt-16-dev  # fuzzing (libFuzzer, ASan+UBSan); clang-14 cannot build std::expected
  gnuplot-nox                  # bench/soak (chart)
  libsystemd-dev               # sd_notify: readiness and the watchdog under systemd
  dpkg-dev lintian systemd adduser  # make deb (dpkg-shlibdeps) and its checks
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm ships inside some nodejs builds (NodeSource's); ask apt only when absent.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
