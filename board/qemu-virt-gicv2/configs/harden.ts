// The same partition on the GICv2 variant of QEMU virt: nothing in it depends on the GIC version.
export { default } from "../../qemu-virt-gicv3/configs/harden.ts";
