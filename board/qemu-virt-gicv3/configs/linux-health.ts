// A Linux crash contained (tests/linux-health.test.ts): Debian's Linux (guests/linux/build.sh
// build/linux) with a watchdog it drives itself (sp805_wdt and busybox's watchdog daemon, 3 s),
// whose kernel crashes after each boot (guests/linux/tests/panic); its policy restarts it once and
// then leaves it off. Beside it, the fuzzer's victim keeps its 1 ms heartbeat, pings and canaries
// (guests/fuzz/victim.c), reads Linux's health (HVC_HEALTH) and ends once Linux is off.
// `panic=1` (PANIC_REBOOT): the kernel asks for its own restart (PSCI SYSTEM_RESET) a second after
// the crash, before its watchdog would expire.
import { definePartitions, type BoardName, type Config } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export function linuxHealth(board: BoardName, uartBase: bigint, panicReboot: boolean): Config {
  return definePartitions({
    board,
    vms: [
      {
        name: "linux",
        cpus: [0, 1],
        ram: [{ ipa: 0x40000000n, pa: 0x50000000n, size: 192n * MiB }],
        image: "../../../build/linux/Image",
        initrd: "../../../build/linux/initramfs.cpio",
        bootargs: `console=ttyAMA0 earlycon=pl011,0x${uartBase.toString(16)} rdinit=/init quiet bulkhead.test=panic${panicReboot ? " panic=1" : ""}`,
        health: { watchdog: { timeoutMs: 3000, start: "guest" }, onFailure: { restart: 1, withinMs: 600_000, then: "off" } },
      },
      {
        name: "victim",
        cpus: [2, 3],
        ram: [{ ipa: 0x40000000n, pa: 0x48000000n, size: 16n * MiB }],
        interrupts: [48],
        image: { builtin: "fuzz-victim" },
        bootargs: "beats=300000 after=200 watch=0",
        health: { view: true },
      },
    ],
  });
}

export default linuxHealth("qemu-virt-gicv3", 0x09000000n, false);
