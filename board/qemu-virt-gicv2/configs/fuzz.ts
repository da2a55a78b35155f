// The same partitions on the GICv2 variant of QEMU virt: the fuzzer reads the GIC from its device tree.
import { definePartitions } from "../../../host/config/types.ts";
import virt from "../../qemu-virt-gicv3/configs/fuzz.ts";

export default definePartitions({ ...virt, board: "qemu-virt-gicv2" });
