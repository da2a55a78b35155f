// The same partitions on the GICv2 variant of QEMU virt: nothing in them depends on the GIC version.
export { default } from "../../qemu-virt-gicv3/configs/linux-channel.ts";
