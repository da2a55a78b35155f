// `bulkhead run`: build if needed, boot the image in QEMU with the board's command line, stream
// the console, and end with the run's status (a timeout is a failure with its own message).
import path from "node:path";
import { build, type BuildOptions, type BuildResult } from "./build.ts";
import { runQemu, type GdbStub, type QemuResult, type SerialInput } from "../qemu/launch.ts";

export interface RunOptions extends BuildOptions {
  /** The run's time limit; undefined: none (a test always gives one). */
  timeoutSec?: number;
  icount?: boolean;
  /** A CPU model other than the board's (QEMU virt only), e.g. one with the LSE atomics the fuzzer tries. */
  cpu?: string;
  onLine?: (line: string) => void;
  /** Every piece of console text as it comes, unfinished lines included (qemu/launch.ts). */
  onText?: (text: string) => void;
  /** Told QEMU's command line before it starts (`bulkhead run --verbose`). */
  onCommand?: (argv: string[]) => void;
  /** Ends QEMU when aborted (`bulkhead run` on Ctrl-C or SIGTERM). */
  signal?: AbortSignal;
  /** More QEMU arguments (the bench's execution trace: host/trace.ts). */
  extraArgs?: string[];
  /** QEMU's gdbstub (`bulkhead run --gdb`, docs/debugging.md). */
  gdb?: GdbStub;
  /** Called once QEMU runs, with what types into the board UART (qemu/launch.ts). */
  onSpawn?: (input: SerialInput) => void;
  /** The terminal types into the board UART, in raw mode while QEMU runs, if stdin is a TTY. */
  terminal?: boolean;
}

/** The hypervisor's last line (src/el2/exit.ts): a guest's lines start with its own label, never `[hyp]`. */
const STATUS_LINE = /^\[hyp\] run ended: status (\d+)$/;

/** Status when QEMU ended without the hypervisor saying how the run ended (it was killed, or crashed). */
export const NO_STATUS = 125;

/**
 * The run's status, as the hypervisor stated it: QEMU itself exits 0 on the firmware's SYSTEM_OFF
 * whoever asked, so its exit code says only whether QEMU failed. The first status line counts.
 */
export function runStatus(lines: string[], qemuExit: number | null): number | null {
  if (qemuExit === null) return null;
  const m = lines.map((l) => STATUS_LINE.exec(l)).find((x) => x);
  if (!m) return qemuExit !== 0 ? qemuExit : NO_STATUS;
  return qemuExit !== 0 ? qemuExit : Number(m[1]);
}

export async function bootImage(b: BuildResult, opts: RunOptions): Promise<QemuResult> {
  const q = b.board.host.qemu;
  const r = await runQemu({
    machine: q.machine, cpu: opts.cpu ?? q.cpu, smp: q.smp, memory: q.memory,
    kernel: b.board.host.imageFormat === "elf" ? b.elf : b.bin,
    icount: opts.icount, timeoutSec: opts.timeoutSec, onLine: opts.onLine, onCommand: opts.onCommand, signal: opts.signal,
    extraArgs: opts.extraArgs, gdb: opts.gdb,
    onText: opts.onText, onSpawn: opts.onSpawn, terminal: opts.terminal,
    // A board without PSCI firmware (spin-table CPUs) halts after the status line: QEMU is ended there.
    endOn: b.board.facts.SPIN_TABLE_BASE !== 0n ? (l) => STATUS_LINE.test(l) : undefined,
  });
  return { ...r, exitCode: runStatus(r.lines, r.exitCode) };
}

export async function run(opts: RunOptions): Promise<{ build: BuildResult; qemu: QemuResult }> {
  const b = await build(opts);
  return { build: b, qemu: await bootImage(b, opts) };
}

export function describe(b: BuildResult): string {
  return `${path.relative(process.cwd(), b.elf)}: text ${b.sizes.text} B, data ${b.sizes.data} B, bss ${b.sizes.bss} B; ${b.config.vms.length} VM(s)`;
}
