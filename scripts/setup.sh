#!/usr/bin/env bash
# Installs what Bulkhead needs on a Debian bookworm machine, skipping whatever is already there.
# Called by `npm start` and `npm test` (through scripts/ensure-deps), safe to run again.
# `--test` (scripts/test.sh): also what only the test suite uses.
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=0
[ "${1:-}" = "--test" ] && for_tests=1

need_apt=()
command -v aarch64-linux-gnu-gcc >/dev/null || need_apt+=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu)
command -v dtc >/dev/null || need_apt+=(device-tree-compiler)
# The Linux guest's static programs (guests/linux/build.sh: guests/channel/linux-peer.c).
[ -f /usr/aarch64-linux-gnu/lib/libc.a ] || need_apt+=(libc6-dev-arm64-cross)
# `bulkhead image` (host/image.ts): the FAT32 partition, its files, the partition table.
command -v mkfs.fat >/dev/null || need_apt+=(dosfstools)
command -v mcopy >/dev/null || need_apt+=(mtools)
command -v sfdisk >/dev/null || need_apt+=(fdisk)
# `bulkhead run --gdb` (docs/debugging.md) and its test.
command -v gdb-multiarch >/dev/null || need_apt+=(gdb-multiarch)
# The test of `bulkhead map --svg` renders the drawing headless (tests/map-svg.test.ts): about
# 360 MB installed, which `npm start` never needs.
[ $for_tests = 1 ] && ! command -v chromium >/dev/null && need_apt+=(chromium)
# The Raspberry Pi 4's stock firmware (board/rpi4/firmware.sh downloads raspi-firmware with
# apt-get download) is in Debian's non-free-firmware component.
need_nonfree=0
grep -rqs 'non-free-firmware' /etc/apt/sources.list /etc/apt/sources.list.d/ || need_nonfree=1
qemu_ok=0
if command -v qemu-system-aarch64 >/dev/null; then
  # raspi4b arrived in QEMU 9; bookworm's own QEMU (7.2) lacks it.
  qemu-system-aarch64 -machine help 2>/dev/null | grep -q '^raspi4b' && qemu_ok=1
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if [ ${#need_apt[@]} -gt 0 ] || [ $qemu_ok = 0 ] || [ $need_nonfree = 1 ]; then
  if [ $need_nonfree = 1 ]; then
    echo "setup: adding bookworm non-free-firmware to apt sources (raspi-firmware)"
    $SUDO tee /etc/apt/sources.list.d/bookworm-non-free-firmware.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  if [ $qemu_ok = 0 ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "setup: adding bookworm-backports to apt sources"
    $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  echo "setup: apt-get install ${need_apt[*]} ${qemu_ok/1/}"
  $SUDO apt-get update -qq
  export DEBIAN_FRONTEND=noninteractive
  [ ${#need_apt[@]} -gt 0 ] && $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  if [ $qemu_ok = 0 ]; then
    $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-arm
  fi
fi

if [ ! -d node_modules/typescript ] || [ ! -d node_modules/vitest ] || [ ! -d node_modules/node-gyp ]; then
  echo "setup: npm install"
  npm install --no-audit --no-fund --loglevel=error
fi
