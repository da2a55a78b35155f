// Host tests import src/ modules, which import "@config": the generated tables of the default
// board's three bare-metal VMs (board/qemu-virt-gicv3/configs/threevm.ts, built to
// build/qemu-virt-gicv3/threevm/config.ts: compiler/program.ts DEFAULT_CONFIG). Not the board's
// default config: that one carries Linux, and host tests need no kernel. Build them once.
import path from "node:path";
import { build } from "../host/build.ts";
import { PROJECT_ROOT } from "../compiler/program.ts";

export default async function setup(): Promise<void> {
  await build({ board: "qemu-virt-gicv3", config: path.join(PROJECT_ROOT, "board/qemu-virt-gicv3/configs/threevm.ts") });
}
