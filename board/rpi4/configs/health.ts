// QEMU virt's fault-containment config (board/qemu-virt-gicv3/configs/health.ts), moved to the
// RPi4's RAM and SPIs (board/rpi4/from-virt.ts): the same VMs on the same CPUs. Their SP805s are at
// 0xfe211000, 64 KiB above the board's UART, in their own IPA spaces.
import virt from "../../qemu-virt-gicv3/configs/health.ts";
import { fromVirt } from "../from-virt.ts";

export default fromVirt(virt);
