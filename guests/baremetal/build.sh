#!/usr/bin/env bash
# Builds the bare-metal test guest: OUTDIR/baremetal.{elf,bin} (checks) and
# OUTDIR/bench.{elf,bin} (hypercall benchmark, same sources with -DBENCH),
# OUTDIR/reset.{elf,bin} (the checks after a SYSTEM_RESET of the VM, -DRESET_TEST) and
# OUTDIR/attack.{elf,bin} (the isolation attack guest: guests/attack/*.c and
# hostile.S in place of main.c, with the same support files) and OUTDIR/flood{,-victim}.{elf,bin}
# (the console-flood guest's two roles: guests/flood/main.c in place of main.c) and OUTDIR/harden.{elf,bin}
# (the hardening guest: guests/harden/main.c in place of main.c) and OUTDIR/fuzz{,-victim}.{elf,bin}
# (the hostile-guest fuzzer, guests/fuzz/main.c, ops.c, addr.c and exec.S, and its victim, guests/fuzz/victim.c)
# and OUTDIR/channel.{elf,bin} (the channel guest: guests/channel/main.c and channel.c)
# and OUTDIR/health.{elf,bin} (the health-policy guest that hangs and crashes: guests/health/main.c).
# and OUTDIR/echo{,-deaf}.{elf,bin} (the console-input guest's two roles: guests/echo/main.c).
# Skips a variant whose outputs are newer than every source file.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUTDIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"   # the compiler runs from the source directory

cross="${CROSS_COMPILE:-aarch64-linux-gnu-}"
cflags=(-ffreestanding -nostdlib -mgeneral-regs-only -O2 -Wall -Wextra -Werror
        -mstrict-align            # MMU off: memory is Device, no unaligned access
        -fno-pie -no-pie -static -fno-stack-protector
        -fno-asynchronous-unwind-tables -fno-unwind-tables
        -Wl,-T,"$here/linker.ld" -Wl,--build-id=none -Wl,--no-warn-rwx-segments)
srcs=(start.S uart.c fdt.c check.c main.c bench.c gic.c conform.c reset.c el0.S frames.c frames.S)
support=("${srcs[@]}")      # what every guest here links, its own main.c in place of main.c
srcs+=(vgic.c)              # the bare-metal guest's checks of the virtual GIC, beside its main.c
attack="$(cd "$here/../attack" && pwd)"
flood="$(cd "$here/../flood" && pwd)"
harden="$(cd "$here/../harden" && pwd)"
fuzz="$(cd "$here/../fuzz" && pwd)"
channel="$(cd "$here/../channel" && pwd)"
health="$(cd "$here/../health" && pwd)"
echo_dir="$(cd "$here/../echo" && pwd)"

build() {   # build NAME [extra cflags...]
  local name="$1"; shift
  local elf="$out/$name.elf" bin="$out/$name.bin"
  if [ -f "$elf" ] && [ -f "$bin" ] && \
     [ -z "$(find "$here" "$attack" "$flood" "$harden" "$fuzz" "$channel" "$health" "$echo_dir" -type f -newer "$bin" -print -quit)" ] && \
     [ -z "$(find "$here" "$attack" "$flood" "$harden" "$fuzz" "$channel" "$health" "$echo_dir" -type f -newer "$elf" -print -quit)" ]; then
    return 0
  fi
  (cd "$here" && "${cross}gcc" "${cflags[@]}" "$@" -o "$elf" "${srcs[@]}")
  "${cross}objcopy" -O binary "$elf" "$bin"
  echo "build.sh: built $bin"
}

build baremetal
# The bench build keeps only what bench_main reaches (it never returns to main's checks): the
# restart benchmark copies its whole image on every restart, so code it never runs (the checks,
# frames.S's 64 register probes: ~20 KiB) would count as the hypervisor's restart cost.
build bench -DBENCH -ffunction-sections -fdata-sections -Wl,--gc-sections
build reset -DRESET_TEST
srcs=("${support[@]/#main.c/$attack/main.c}" "$attack"/{probe,memory,platform,calls,host}.c "$attack/hostile.S")
build attack -I"$here" -I"$attack"
srcs=("${support[@]/#main.c/$harden/main.c}")
build harden -I"$here"
srcs=("${support[@]/#main.c/$flood/main.c}")
build flood -I"$here"
build flood-victim -I"$here" -DVICTIM
srcs=("${support[@]/#main.c/$fuzz/main.c}" "$fuzz/ops.c" "$fuzz/addr.c" "$fuzz/exec.S")
build fuzz -I"$here"
srcs=("${support[@]/#main.c/$fuzz/victim.c}")
build fuzz-victim -I"$here"
srcs=("${support[@]/#main.c/$channel/main.c}" "$channel/channel.c")
build channel -I"$here" -I"$channel"
srcs=("${support[@]/#main.c/$health/main.c}")
build health -I"$here"
srcs=("${support[@]/#main.c/$echo_dir/main.c}")
build echo -I"$here"
build echo-deaf -I"$here" -DDEAF
