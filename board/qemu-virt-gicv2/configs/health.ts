// The same partitions on the GICv2 variant of QEMU virt: the guests read the GIC from their device trees.
import { definePartitions } from "../../../host/config/types.ts";
import virt from "../../qemu-virt-gicv3/configs/health.ts";

export default definePartitions({ ...virt, board: "qemu-virt-gicv2" });
