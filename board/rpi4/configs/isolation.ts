// QEMU virt's isolation config (board/qemu-virt-gicv3/configs/isolation.ts), moved to the RPi4's RAM and SPIs
// (board/rpi4/from-virt.ts): the same VMs on the same CPUs.
import virt from "../../qemu-virt-gicv3/configs/isolation.ts";
import { fromVirt } from "../from-virt.ts";

export default fromVirt(virt);
