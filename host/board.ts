// A board as host tools see it: its target facts (board/<name>/board.ts) and how to run it.
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";

export interface BoardHost {
  name: string;
  qemu: { machine: string; cpu?: string; memory: string; smp: number };
  imageFormat: "elf" | "bin";
  /** The board's devices that master the bus: a VM given any part of one must say `dma: "unisolated"` (host/config/dma.ts). */
  busMasters: BusMaster[];
  /** Where `--guest` puts the VM's RAM (IPA), when not at RAM_BASE. */
  quickRamIpa?: bigint;
  /** The path of the board's own device tree (.dtb), fetched or generated on first use: devices named by node (host/config/board-nodes.ts). */
  deviceTree?: () => string;
}

/** A device (or a bus's window) whose accesses reach memory on their own (DMA). */
export interface BusMaster { what: string; base: bigint; size: bigint }

/** The target facts of board/<name>/board.ts (plain constants, so the host can import the module). */
export interface BoardFacts {
  BOARD_NAME: string;
  CPU_COUNT: number;
  PA_BITS: number;
  RAM_BASE: bigint;
  RAM_SIZE: bigint;
  /** A second RAM range, not the hypervisor's (size 0n: none), e.g. a Raspberry Pi's RAM above its GPU carve-out. */
  RAM2_BASE: bigint;
  RAM2_SIZE: bigint;
  HYP_BASE: bigint;
  UART_BASE: bigint;
  UART_INTID: number;
  /** The UART's reference clock, for the hypervisor to program 115200 baud; 0: the loader did. */
  UART_CLOCK_HZ: number;
  GIC_VERSION: number;
  GICD_BASE: bigint;
  GICD_SIZE: bigint;
  GICR_BASE: bigint;
  GICR_SIZE: bigint;
  GICC_BASE: bigint;
  GICC_SIZE: bigint;
  GICH_BASE: bigint;
  GICH_SIZE: bigint;
  GICV_BASE: bigint;
  GICV_SIZE: bigint;
  /** The window each GICv2 frame (GICC, GICH, GICV) sits in, all of it reserved. */
  GICV2_WINDOW: bigint;
  /** The GICv2m MSI frame (0n: none). */
  GICV2M_BASE: bigint;
  GICV2M_SIZE: bigint;
  /** The GICv3 ITS (0n: none). */
  GITS_BASE: bigint;
  GITS_SIZE: bigint;
  /** The BCM2711's ARM_LOCAL block (0n: none): per-core timer and interrupt control for every core. */
  ARM_LOCAL_BASE: bigint;
  ARM_LOCAL_SIZE: bigint;
  /** Whether DMA from passthrough devices is confined to their VM (false on every board so far). */
  HAS_IOMMU: boolean;
  SPIN_TABLE_BASE: bigint;
}

export interface Board { dir: string; facts: BoardFacts; host: BoardHost; boardFile: string }

export const DEFAULT_BOARD_NAME = "qemu-virt-gicv3";

export function boardDir(name: string): string {
  return path.join(PROJECT_ROOT, "board", name);
}

/** The boards there are: each directory of board/ with a board.ts and a host.ts. */
export function boardNames(): string[] {
  return fs.readdirSync(path.join(PROJECT_ROOT, "board"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && ["board.ts", "host.ts"].every((f) => fs.existsSync(path.join(boardDir(d.name), f))))
    .map((d) => d.name)
    .sort();
}

export async function loadBoard(name: string = DEFAULT_BOARD_NAME): Promise<Board> {
  // Only a name boardNames() lists: a name is never a path into the checkout ("../x").
  if (!boardNames().includes(name)) throw new Error(`unknown board ${JSON.stringify(name)} (boards: ${boardNames().join(", ")})`);
  const dir = boardDir(name);
  const boardFile = path.join(dir, "board.ts");
  const facts = (await import(boardFile)) as BoardFacts;
  const host = ((await import(path.join(dir, "host.ts"))) as { host: BoardHost }).host;
  return { dir, facts, host, boardFile };
}
