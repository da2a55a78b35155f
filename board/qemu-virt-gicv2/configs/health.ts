// The same partitions on the GICv2 variant of QEMU virt: the guests read the GIC from their device trees.
export { default } from "../../qemu-virt-gicv3/configs/health.ts";
