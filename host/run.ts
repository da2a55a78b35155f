// `bulkhead run`: build if needed, boot the image in QEMU with the board's command line, stream
// the console, and end with the run's status (a timeout is a failure with its own message).
import path from "node:path";
import { build, type BuildOptions, type BuildResult } from "./build.ts";
import { runQemu, type QemuResult } from "../qemu/launch.ts";

export interface RunOptions extends BuildOptions {
  timeoutSec?: number;
  icount?: boolean;
  onLine?: (line: string) => void;
}

export const DEFAULT_TIMEOUT_SEC = 60;

export async function bootImage(b: BuildResult, opts: RunOptions): Promise<QemuResult> {
  const q = b.board.host.qemu;
  return runQemu({
    machine: q.machine, cpu: q.cpu, smp: q.smp, memory: q.memory,
    kernel: b.board.host.imageFormat === "elf" ? b.elf : b.bin,
    semihosting: b.board.facts.HAS_SEMIHOSTING, icount: opts.icount,
    timeoutSec: opts.timeoutSec ?? DEFAULT_TIMEOUT_SEC, onLine: opts.onLine,
  });
}

export async function run(opts: RunOptions): Promise<{ build: BuildResult; qemu: QemuResult }> {
  const b = await build(opts);
  return { build: b, qemu: await bootImage(b, opts) };
}

export function describe(b: BuildResult): string {
  return `${path.relative(process.cwd(), b.elf)}: text ${b.sizes.text} B, data ${b.sizes.data} B, bss ${b.sizes.bss} B; ${b.config.vms.length} VM(s)`;
}
