// The board's regions no VM may map: the frames the hypervisor owns (it uses them itself or emulates
// them for every VM) and those it withholds because they reach beyond one VM (an MSI frame pends
// interrupts of whichever VM owns them). Derived from the board's facts (board/<name>/board.ts, where
// each address is cited); the config checker refuses any VM region over one of them (check.ts) and
// the stage-2 proof any leaf that reaches one (host/proof.ts), both naming the region.
import type { Board, BoardFacts } from "../board.ts";
import { GICR_FRAME, UART_SIZE, factsOf, span, type Range } from "./model.ts";

/** "hypervisor": the hypervisor owns it. "withheld": unused by the hypervisor, but it reaches beyond one VM. */
export type ReservedOwner = "hypervisor" | "withheld";

export interface ReservedRegion {
  /** Short name: "HYP", "GICD", "GICR2" (CPU 2's redistributor), "GICV", "GITS", "UART", ... */
  key: string;
  what: string;
  base: bigint;
  size: bigint;
  owner: ReservedOwner;
  /** Why no VM may have it. */
  why: string;
}

/** A frame the board declares: `BASE`/`SIZE` facts, size 0 when the board has none. */
function frame(f: BoardFacts, name: string): [bigint, bigint] {
  const facts = f as unknown as Record<string, unknown>;
  const base = facts[`${name}_BASE`], size = facts[`${name}_SIZE`];
  if (typeof base !== "bigint" || typeof size !== "bigint") {
    throw new Error(`board ${f.BOARD_NAME} does not declare ${name}_BASE and ${name}_SIZE (u64; 0n when it has no such frame)`);
  }
  return [base, size];
}

/** Every reserved region of `board`; `hyp` is the hypervisor's RAM reserve (it grows with the guest images). */
export function reservedRegions(board: Board | BoardFacts, hyp: Range): ReservedRegion[] {
  const f = factsOf(board);
  const out: ReservedRegion[] = [];
  const add = (key: string, what: string, [base, size]: [bigint, bigint], owner: ReservedOwner, why: string) => {
    if (size > 0n) out.push({ key, what, base, size, owner, why });
  };
  const emulated = "emulated for every VM";
  add("HYP", "the hypervisor's RAM reserve", [hyp[0], hyp[1] - hyp[0]], "hypervisor", "the boot DTB, its code, data, page tables and the guest images");
  add("GICD", "the GIC distributor (GICD)", frame(f, "GICD"), "hypervisor", emulated);
  // GICv3: one RD_base + SGI_base pair per CPU; the rest of the window is the GIC's too.
  const [gicr, gicrSize] = frame(f, "GICR");
  const cpus = BigInt(f.CPU_COUNT);
  const perCpu = gicrSize / GICR_FRAME < cpus ? gicrSize / GICR_FRAME : cpus;
  for (let c = 0n; c < perCpu; c++) {
    add(`GICR${c}`, `the GIC redistributor of CPU ${c} (GICR)`, [gicr + c * GICR_FRAME, GICR_FRAME], "hypervisor", emulated);
  }
  add("GICR", `the GIC redistributor space past CPU ${perCpu - 1n} (GICR)`, [gicr + perCpu * GICR_FRAME, gicrSize - perCpu * GICR_FRAME], "hypervisor", "the GIC's");
  // GICv2: each frame with the whole window it sits in.
  const windowed = ([base, size]: [bigint, bigint]): [bigint, bigint] => [base, size > 0n && size < f.GICV2_WINDOW ? f.GICV2_WINDOW : size];
  add("GICC", "the GIC CPU interface (GICC)", windowed(frame(f, "GICC")), "hypervisor", "the hypervisor's own interrupt interface");
  add("GICH", "the GIC virtual interface control (GICH)", windowed(frame(f, "GICH")), "hypervisor", "the list registers of whichever VM runs on the CPU");
  add("GICV", "the GIC virtual CPU interface (GICV)", windowed(frame(f, "GICV")), "hypervisor", "mapped only at each VM's GICC address, by the hypervisor");
  add("GICV2M", "the GICv2m MSI frame", frame(f, "GICV2M"), "withheld", "a write pends any SPI it serves, whichever VM owns it");
  add("GITS", "the GIC ITS (GITS)", frame(f, "GITS"), "withheld", "its commands route any device's MSIs to any LPI, whichever VM owns it");
  add("LOCAL", "the ARM local peripherals (ARM_LOCAL)", frame(f, "ARM_LOCAL"), "withheld", "its core timer prescaler sets every core's timer rate, and it routes and raises every core's local interrupts");
  add("UART", "the hypervisor's UART", [f.UART_BASE, UART_SIZE], "hypervisor", "its console; every VM's PL011 is emulated");
  return out;
}

/** `the GICv2m MSI frame 0x8020000-0x8020fff (reaches beyond one VM: ...)`, as errors name a region. */
export function describeReserved(r: ReservedRegion): string {
  return `${r.what} ${span(r.base, r.size)} (${r.owner === "hypervisor" ? "owned by the hypervisor" : "reaches beyond one VM"}: ${r.why})`;
}
