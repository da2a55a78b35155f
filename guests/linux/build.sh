#!/usr/bin/env bash
# The Linux test guest, assembled from Debian's arm64 packages: the cloud kernel's Image and an
# initramfs holding busybox, a small /init (guests/linux/init), the modules guests/linux/modules names
# and the scripts of guests/linux/tests/. Output: OUTDIR/Image, OUTDIR/initramfs.cpio.
# Downloads the packages once (dpkg --add-architecture arm64, apt-get download), then reuses them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:?usage: build.sh OUTDIR}" && cd "$1" && pwd)"
debs="$out/debs"
mkdir -p "$debs"
# One build at a time: test files call this concurrently (each in its beforeAll), and a second one
# must not unpack or rewrite what the first is reading. Readers of the results outside this script
# see whole files only: the initramfs is replaced by a rename, and only when it changed.
exec 9>"$out/.build.lock"
flock 9
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if ! ls "$debs"/linux-image-*.deb >/dev/null 2>&1 || ! ls "$debs"/busybox-static_*.deb >/dev/null 2>&1; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
  fi
  echo "build.sh: fetching Debian's arm64 cloud kernel and busybox-static (once; about 50 MB)" >&2
  $SUDO apt-get update -qq
  kernel=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-arm64$' | awk '{print $1}' | sort -V | tail -1)
  [ -n "$kernel" ] || { echo "build.sh: no linux-image-6.1.0-*-cloud-arm64 package found" >&2; exit 1; }
  (cd "$debs" && apt-get download -qq "$kernel:arm64" busybox-static:arm64 2>/dev/null)
fi

if [ ! -s "$out/Image" ] || [ "$debs" -nt "$out/Image" ]; then
  echo "build.sh: unpacking the kernel Image and its modules" >&2
  rm -rf "$out/kernel" && mkdir -p "$out/kernel"
  dpkg-deb -x "$(ls "$debs"/linux-image-*.deb | head -1)" "$out/kernel"
  # Debian ships the arm64 kernel as an uncompressed Image named vmlinuz.
  cp "$(ls "$out"/kernel/boot/vmlinuz-* | head -1)" "$out/Image"
fi
# The Linux end of a channel (guests/channel/linux-peer.c): static, so it needs nothing of the initramfs.
peer_src="$here/../channel/linux-peer.c"
if [ ! -x "$out/linux-peer" ] || [ "$peer_src" -nt "$out/linux-peer" ] || [ "$here/../channel/ring.h" -nt "$out/linux-peer" ]; then
  aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -I"$here/../channel" -o "$out/linux-peer" "$peer_src"
  aarch64-linux-gnu-strip "$out/linux-peer"
fi
# Always assembled (about a second): it follows init, modules and tests/ without tracking them.
echo "build.sh: assembling the initramfs" >&2
rm -rf "$out/busybox" && mkdir -p "$out/busybox"
dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb | head -1)" "$out/busybox"
npx --prefix "$here/../.." tsx "$here/initramfs.ts" "$out/initramfs.cpio" "$out/busybox/bin/busybox" "$here/init" \
  "$(ls -d "$out"/kernel/lib/modules/* | head -1)" "$here/modules" "$here/tests" "$out/linux-peer"
echo "build.sh: $out/Image, $out/initramfs.cpio"
