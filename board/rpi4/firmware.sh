#!/usr/bin/env bash
# The files the Raspberry Pi 4's boot partition needs besides Bulkhead, from Debian's packages:
# the stock firmware (start4.elf, fixup4.dat: raspi-firmware, in the non-free-firmware component,
# which scripts/setup.sh adds to the apt sources) and the board's device tree (bcm2711-rpi-4-b.dtb:
# the arm64 kernel package ships it; the cloud kernel does not). Output: OUTDIR/{start4.elf,
# fixup4.dat,bcm2711-rpi-4-b.dtb}. Downloads the packages once (apt-get download), then reuses them.
set -euo pipefail
out="$(mkdir -p "${1:?usage: firmware.sh OUTDIR}" && cd "$1" && pwd)"
debs="$out/debs"
mkdir -p "$debs"

if ! ls "$debs"/raspi-firmware_*.deb >/dev/null 2>&1 || ! ls "$debs"/linux-image-*.deb >/dev/null 2>&1; then
  kernel=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64$' | awk '{print $1}' | sort -V | tail -1)
  [ -n "$kernel" ] || { echo "firmware.sh: no linux-image-6.1.0-*-arm64 package found (apt-get update?)" >&2; exit 1; }
  apt-cache show raspi-firmware >/dev/null 2>&1 || { echo "firmware.sh: no raspi-firmware package: run scripts/setup.sh (it adds the non-free-firmware component)" >&2; exit 1; }
  ls "$debs"/raspi-firmware_*.deb >/dev/null 2>&1 || (cd "$debs" && apt-get download -qq raspi-firmware)
  ls "$debs"/linux-image-*.deb >/dev/null 2>&1 || (cd "$debs" && apt-get download -qq "$kernel:arm64")
fi

if [ ! -s "$out/start4.elf" ] || [ ! -s "$out/fixup4.dat" ] || [ "$debs" -nt "$out/start4.elf" ]; then
  rm -rf "$out/raspi-firmware" && mkdir -p "$out/raspi-firmware"
  dpkg-deb -x "$(ls "$debs"/raspi-firmware_*.deb | head -1)" "$out/raspi-firmware"
  cp "$out/raspi-firmware/usr/lib/raspi-firmware/start4.elf" "$out/raspi-firmware/usr/lib/raspi-firmware/fixup4.dat" "$out/"
fi
if [ ! -s "$out/bcm2711-rpi-4-b.dtb" ] || [ "$debs" -nt "$out/bcm2711-rpi-4-b.dtb" ]; then
  rm -rf "$out/kernel" && mkdir -p "$out/kernel"
  dpkg-deb -x "$(ls "$debs"/linux-image-*.deb | head -1)" "$out/kernel"
  cp "$(find "$out/kernel" -name bcm2711-rpi-4-b.dtb | head -1)" "$out/bcm2711-rpi-4-b.dtb"
  rm -rf "$out/kernel"
fi
echo "firmware.sh: $out/start4.elf, $out/fixup4.dat, $out/bcm2711-rpi-4-b.dtb"
