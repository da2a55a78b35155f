// The benchmark VM (board/qemu-virt-gicv3/configs/bench.ts) on the GICv2 variant of QEMU virt.
import { definePartitions } from "../../../host/config/types.ts";
import virt from "../../qemu-virt-gicv3/configs/bench.ts";

export default definePartitions({ ...virt, board: "qemu-virt-gicv2" });
