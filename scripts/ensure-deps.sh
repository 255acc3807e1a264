#!/usr/bin/env bash
# Makes sure the two C libraries FeatureDB links against (LMDB and zstd) are installed.
# Installs Debian's liblmdb-dev and libzstd-dev with apt-get when pkg-config cannot find them.
set -euo pipefail

missing=()
pkg-config --exists lmdb 2>/dev/null || missing+=(liblmdb-dev)
pkg-config --exists libzstd 2>/dev/null || missing+=(libzstd-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo)
else
  echo "FeatureDB needs ${missing[*]}; run as root or with sudo: apt-get install ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "FeatureDB needs ${missing[*]} (LMDB and zstd development files); apt-get is not available here, install them with your package manager" >&2
  exit 1
fi
echo "installing ${missing[*]} ..." >&2
"${sudo_cmd[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >&2
