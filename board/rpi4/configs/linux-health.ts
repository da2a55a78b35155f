// QEMU virt's Linux-crash config (board/qemu-virt-gicv3/configs/linux-health.ts: the watchdog
// variant, the kernel hanging in its panic), moved to the RPi4's RAM and SPIs
// (board/rpi4/from-virt.ts), its console on the board's UART address.
import { linuxHealth } from "../../qemu-virt-gicv3/configs/linux-health.ts";
import { fromVirt } from "../from-virt.ts";

export default fromVirt(linuxHealth("rpi4", 0xfe201000n, false));
