// Passthrough devices that master the bus. Stage 2 confines a VM's CPUs, not its devices: a device
// doing DMA reaches physical memory directly, unless an IOMMU (an SMMU) translates its accesses. No
// board has one the hypervisor programs, so every device says whether it can master the bus
// (`dma` in types.ts); one that can is accepted only when the config says, in so many words, that
// its DMA is "unisolated", and `check`, `map` warn about it. What the board knows masters the bus
// (board/<name>/host.ts `busMasters`) cannot be declared "none".
import type { Board } from "../board.ts";
import { devicesOf, overlaps, span } from "./model.ts";
import type { Config, VmConfig } from "./types.ts";

export const DMA_MODES = ["none", "unisolated"] as const;

function noIommu(board: Board): string {
  return board.facts.HAS_IOMMU ? "the hypervisor does not program this board's IOMMU" : "this board has no IOMMU";
}

/** The devices of `vm` that do not say whether they can master the bus, or deny it of a known bus master. */
export function dmaErrors(board: Board, vm: VmConfig): string[] {
  const errors: string[] = [];
  const consequence = `${noIommu(board)}: its DMA would reach all physical memory`;
  for (const d of devicesOf(vm)) {
    const what = `vm "${vm.name}" device "${d.name}"`;
    if (d.dma === undefined) {
      errors.push(`${what} does not say whether it can master the bus: write dma: "none" if it cannot, or dma: "unisolated" if it can (${consequence})`);
      continue;
    }
    if (d.dma !== "none") continue;
    const pa = d.pa ?? d.ipa;
    for (const m of board.host.busMasters) {
      if (overlaps(pa, d.size, m.base, m.size)) {
        errors.push(`${what} ${span(pa, d.size)} is part of ${m.what} ${span(m.base, m.size)}, which masters the bus: write dma: "unisolated", not "none" (${consequence})`);
      }
    }
  }
  return errors;
}

/** One warning per device whose DMA is unisolated, naming its VM. */
export function dmaWarnings(board: Board, cfg: Config): string[] {
  return cfg.vms.flatMap((vm) => devicesOf(vm).filter((d) => d.dma === "unisolated").map((d) =>
    `vm "${vm.name}" device "${d.name}" can master the bus and ${noIommu(board)}: its DMA reaches all physical memory, `
    + `the hypervisor's and every other VM's (dma: "unisolated")`));
}
