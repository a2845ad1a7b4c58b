#!/usr/bin/env bash
# Install the Debian packages the project builds and tests with (DESIGN.md §6).
# Idempotent; needs root (or sudo) and apt. Skips apt when everything is present.
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
      libzstd-dev libxxhash-dev libroaring-dev libjansson-dev libyaml-dev
      libcmocka-dev libssl-dev libcurl4-openssl-dev libmicrohttpd-dev
      libstemmer-dev libutf8proc-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
