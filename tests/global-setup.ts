// Host tests import src/ modules, which import "@config": the generated tables of the default
// board's three bare-metal VMs (board/qemu-virt-gicv3/configs/threevm.ts, built to
// build/qemu-virt-gicv3/threevm/config.ts: compiler/program.ts DEFAULT_CONFIG). Not the board's
// default config: that one carries Linux, and host tests need no kernel. Build them once.
import path from "node:path";
import { execFileSync } from "node:child_process";
import { build } from "../host/build.ts";
import { PROJECT_ROOT } from "../compiler/program.ts";

export default async function setup(): Promise<void> {
  // The Linux test guest too (build/linux): the boards' default configs carry it, and the tests
  // that check, map or draw them read its files; guests/linux/build.sh fetches Debian's packages once.
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), path.join(PROJECT_ROOT, "build/linux")], { stdio: "inherit" });
  await build({ board: "qemu-virt-gicv3", config: path.join(PROJECT_ROOT, "board/qemu-virt-gicv3/configs/threevm.ts") });
}
