// The Linux crash of board/qemu-virt-gicv3/configs/linux-health.ts on the GICv2 variant of QEMU
// virt, with `panic=1`: the kernel asks for its own restart (PSCI SYSTEM_RESET) after its crash.
import { linuxHealth } from "../../qemu-virt-gicv3/configs/linux-health.ts";

export default linuxHealth("qemu-virt-gicv2", 0x09000000n, true);
