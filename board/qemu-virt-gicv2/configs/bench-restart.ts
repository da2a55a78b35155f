// The restart benchmark of board/qemu-virt-gicv3/configs/bench-restart.ts on the GICv2 variant of QEMU virt.
export { default } from "../../qemu-virt-gicv3/configs/bench-restart.ts";
