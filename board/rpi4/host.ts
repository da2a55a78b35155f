// How host tools run the Raspberry Pi 4: QEMU's raspi4b model (2 GiB, 4 Cortex-A72, fixed: -m and
// -smp must say so), the image format its loader and the stock firmware take, and the BCM2711's
// devices that master the bus. Addresses as in board.ts: QEMU's include/hw/arm/raspi_platform.h and
// Linux's bcm2711.dtsi (bus address 0x7exxxxxx = ARM 0xfexxxxxx in the low-peripheral mode).
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import type { BoardHost } from "../../host/board.ts";

/** Where board/rpi4/firmware.sh keeps what it fetches (the SD-card image takes it from there too). */
export const FIRMWARE_DIR = path.join(PROJECT_ROOT, "build/rpi4-firmware");

export const host: BoardHost = {
  name: "rpi4",
  qemu: { machine: "raspi4b", memory: "2G", smp: 4 },
  /**
   * A raw image: QEMU's raspi loader puts it at 0x80000 and enters it at EL2 on CPU 0 (an ELF would
   * start at EL3); the stock firmware loads the `kernel` file of config.txt the same way.
   */
  imageFormat: "bin",
  /**
   * `--guest` gives the VM its RAM at IPA 0x40000000, as on QEMU virt, not at the board's RAM_BASE
   * (0): a guest linked to run there (guests/baremetal) runs unchanged; Linux runs anywhere.
   */
  quickRamIpa: 0x40000000n,
  /** Debian's bcm2711-rpi-4-b.dtb, the tree the stock firmware starts from (fetched once by firmware.sh). */
  deviceTree() {
    execFileSync("bash", [path.join(PROJECT_ROOT, "board/rpi4/firmware.sh"), FIRMWARE_DIR], { stdio: ["ignore", "ignore", "inherit"] });
    return path.join(FIRMWARE_DIR, "bcm2711-rpi-4-b.dtb");
  },
  busMasters: [
    { what: "the DMA controller, channels 0-14 (DMA_OFFSET)", base: 0xfe007000n, size: 0x1000n },
    { what: "the VideoCore mailboxes (the firmware writes the buffers it is given, anywhere in memory)", base: 0xfe00b880n, size: 0x40n },
    { what: "the SD host's Arasan EMMC controller (SDHCI ADMA)", base: 0xfe300000n, size: 0x100n },
    { what: "the EMMC2 controller, the SD card (SDHCI ADMA)", base: 0xfe340000n, size: 0x100n },
    { what: "the USB OTG controller (DWC2, DMA_OFFSET)", base: 0xfe980000n, size: 0x10000n },
    { what: "the DMA controller, channel 15 (DMA15_OFFSET)", base: 0xfee05000n, size: 0x100n },
    { what: "the PCIe root complex, and the VL805 xHCI behind it", base: 0xfd500000n, size: 0x9310n },
    { what: "the GENET Ethernet controller", base: 0xfd580000n, size: 0x10000n },
  ],
};
