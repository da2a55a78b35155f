// Host tests import src/ modules, which import "@config": the generated tables of the default
// board and config (build/qemu-virt-gicv3/default/config.ts). Build them once before any test.
import { build } from "../host/build.ts";

export default async function setup(): Promise<void> {
  await build({ board: "qemu-virt-gicv3" });
}
