// QEMU virt's hostile-guest fuzz config (board/qemu-virt-gicv3/configs/fuzz.ts), moved to the RPi4's
// RAM and SPIs (board/rpi4/from-virt.ts): the same VMs on the same CPUs. The fuzzer reads its GIC
// (a GIC-400 here) and its UART from its device tree.
import virt from "../../qemu-virt-gicv3/configs/fuzz.ts";
import { fromVirt } from "../from-virt.ts";

export default fromVirt(virt);
