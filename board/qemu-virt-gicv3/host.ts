// How host tools run this board: the QEMU command line and the image format the loader takes.
import type { BoardHost } from "../../host/board.ts";
import { QEMU_VIRT_BUS_MASTERS, qemuVirtDeviceTree } from "../common/qemu-virt-host.ts";

const qemu = { machine: "virt,gic-version=3,virtualization=on", cpu: "cortex-a53", memory: "1G", smp: 4 };

export const host: BoardHost = {
  name: "qemu-virt-gicv3",
  qemu,
  /** QEMU's virt loader enters an ELF -kernel at its entry point, at EL2. */
  imageFormat: "elf",
  busMasters: QEMU_VIRT_BUS_MASTERS,
  deviceTree: qemuVirtDeviceTree("qemu-virt-gicv3", qemu),
};
