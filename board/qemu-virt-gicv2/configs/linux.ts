// The same partitions on the GICv2 variant of QEMU virt: nothing in them depends on the GIC version.
import { definePartitions } from "../../../host/config/types.ts";
import virt from "../../qemu-virt-gicv3/configs/linux.ts";

export default definePartitions({ ...virt, board: "qemu-virt-gicv2" });
