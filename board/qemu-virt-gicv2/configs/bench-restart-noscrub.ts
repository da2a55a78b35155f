// The restart benchmark's VM unscrubbed (board/qemu-virt-gicv3/configs/bench-restart.ts) on the GICv2 variant of QEMU virt.
import { benchRestart } from "../../qemu-virt-gicv3/configs/bench-restart.ts";

export default benchRestart("qemu-virt-gicv2", false);
