#!/usr/bin/env bash
# Installs what Zhi needs to build and test on Debian 12: compilers and the
# Debian libraries it uses, plus Node.js for the tokenizer cross-check.
# Safe to run again; skips apt when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libcli11-dev libutf8proc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libvectorscan-dev libopencc-dev libopencc-data libsqlite3-dev libssl-dev
  libpq-dev postgresql
  nodejs npm
  # ARM64 cross-check of the NEON kernels (scripts/test_arm.sh).
  g++-aarch64-linux-gnu qemu-user googletest
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Node.js installed outside apt (e.g. /usr/bin/node from another source) is fine too.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi
