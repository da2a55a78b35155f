// The same partitions on the GICv2 variant of QEMU virt: the fuzzer reads the GIC from its device tree.
export { default } from "../../qemu-virt-gicv3/configs/fuzz.ts";
