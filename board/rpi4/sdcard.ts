// What `bulkhead image` puts on the Raspberry Pi 4's boot partition besides the hypervisor: the stock
// firmware and the board's device tree (board/rpi4/firmware.sh fetches them from Debian's packages),
// and the firmware's config.txt. The firmware (start4.elf) reads config.txt, loads the kernel file
// at kernel_address and enters it at EL2 on CPU 0 through its built-in arm stub, which holds CPUs
// 1-3 on the spin table (board.ts SPIN_TABLE_BASE) and, with enable_gic=1, hands the GIC-400 over
// to the non-secure side. Settings: the Raspberry Pi documentation's config.txt reference.
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import type { BoardFacts } from "../../host/board.ts";
import type { SdCard } from "../../host/image.ts";

const KERNEL = "bulkhead.bin";

export const sdCard: SdCard = {
  kernel: KERNEL,
  fetch(dir: string): string[] {
    execFileSync("bash", [path.join(PROJECT_ROOT, "board/rpi4/firmware.sh"), dir], { stdio: ["ignore", "ignore", "inherit"] });
    return ["start4.elf", "fixup4.dat", "bcm2711-rpi-4-b.dtb"].map((f) => path.join(dir, f));
  },
  configTxt: (f: BoardFacts) => [
    "# Bulkhead on the Raspberry Pi 4, written by `bulkhead image` (docs/rpi4.md).",
    "# A 64-bit kernel: the hypervisor, entered at EL2 on CPU 0 where it is linked (board/rpi4/board.ts HYP_BASE).",
    "arm_64bit=1",
    `kernel=${KERNEL}`,
    `kernel_address=0x${f.HYP_BASE.toString(16)}`,
    "# The GIC-400 in use (not the legacy interrupt controller), its interrupts non-secure Group 1.",
    "enable_gic=1",
    "# The hypervisor's console: the PL011 (UART0) on GPIO 14 (TXD, header pin 8) and 15 (RXD, pin 10),",
    "# its clock at 48 MHz; the hypervisor programs 115200 8N1 (src/el2/pl011.ts). On a Pi 4 the PL011",
    "# normally serves the Bluetooth module and the mini-UART has these pins: they are switched to the",
    "# PL011 (ALT0) here, and enable_uart (which sets up the mini-UART on them) is left off.",
    "gpio=14,15=a0",
    "init_uart_clock=48000000",
    "",
  ].join("\n"),
};
