// Passthrough devices that master the bus. Stage 2 confines a VM's CPUs, not its devices: a device
// doing DMA reaches physical memory directly, unless an IOMMU (an SMMU) translates its accesses. No
// board has one the hypervisor programs, so every device says whether it can master the bus
// (`dma` in types.ts); one that can is accepted only when the config says, in so many words, that
// its DMA is "unisolated", and `check`, `map` warn about it.
import type { Board, BoardFacts } from "../board.ts";
import { factsOf } from "./model.ts";
import type { Config, VmConfig } from "./types.ts";

export const DMA_MODES = ["none", "unisolated"] as const;

function noIommu(board: Board | BoardFacts): string {
  return factsOf(board).HAS_IOMMU ? "the hypervisor does not program this board's IOMMU" : "this board has no IOMMU";
}

/** The devices of `vm` that do not say whether they can master the bus. */
export function dmaErrors(board: Board | BoardFacts, vm: VmConfig): string[] {
  return (vm.devices ?? []).filter((d) => d.dma === undefined).map((d) =>
    `vm "${vm.name}" device "${d.name}" does not say whether it can master the bus: write dma: "none" if it cannot, `
    + `or dma: "unisolated" if it can (${noIommu(board)}: its DMA would reach all physical memory)`);
}

/** One warning per device whose DMA is unisolated, naming its VM. */
export function dmaWarnings(board: Board | BoardFacts, cfg: Config): string[] {
  return cfg.vms.flatMap((vm) => (vm.devices ?? []).filter((d) => d.dma === "unisolated").map((d) =>
    `vm "${vm.name}" device "${d.name}" can master the bus and ${noIommu(board)}: its DMA reaches all physical memory, `
    + `the hypervisor's and every other VM's (dma: "unisolated")`));
}
