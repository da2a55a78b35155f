// Host-side QEMU launcher: builds the qemu-system-aarch64 command line for a
// run, spawns it with the serial console on stdio, streams console lines and
// kills the process on timeout or when its caller aborts. Input to the serial line
// comes from the caller (onSpawn: a test typing) or from the terminal (terminal.ts: raw mode).
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { passTerminal, type SerialInput } from "./terminal.ts";

export type { SerialInput };

export interface QemuRun {
  machine: string;          // full -machine string, e.g. "virt,gic-version=3,virtualization=on"
  cpu?: string;             // default: cortex-a53 on virt, the board's own CPU elsewhere
  smp?: number;
  memory?: string;          // -m, e.g. "256M"
  kernel: string;
  extraArgs?: string[];
  /** QEMU is killed after this many seconds; undefined or 0: no limit. */
  timeoutSec?: number;
  icount?: boolean;         // -icount shift=0: one instruction = one ns, deterministic
  onLine?: (line: string) => void;
  /** Every piece of console text as it comes (CR stripped), unfinished lines included. */
  onText?: (text: string) => void;
  /** Told the command line before QEMU starts. */
  onCommand?: (argv: string[]) => void;
  /** QEMU is killed when this aborts (the caller's process is ending): never left running. */
  signal?: AbortSignal;
  /** QEMU's gdbstub on 127.0.0.1:`port`; `wait`: the CPUs stopped before the first instruction until a debugger continues them. */
  gdb?: GdbStub;
  /** Ends QEMU after a console line it accepts (a board that halts, not powers off, at the end of a run); the run's exit code is then 0. */
  endOn?: (line: string) => boolean;
  /** Called once QEMU runs, with what writes to its serial line (the board UART's receiver). */
  onSpawn?: (input: SerialInput) => void;
  /** The terminal types into the serial line (raw mode while QEMU runs: qemu/terminal.ts), if stdin is one. */
  terminal?: boolean;
}

/** docs/debugging.md. Only on the loopback interface: whoever reaches a gdbstub owns the machine. */
export interface GdbStub { port: number; wait: boolean }

/** The port of QEMU's own `-s`. */
export const DEFAULT_GDB_PORT = 1234;

export interface QemuResult {
  exitCode: number | null;  // null when killed (timeout, or the signal)
  timedOut: boolean;
  output: string;           // the serial console, UTF-8, CR stripped
  lines: string[];
  command: string[];
  stderr: string;           // QEMU's own messages (bad options, missing files), not the console
}

/** The QEMU binary: $QEMU_SYSTEM_AARCH64 if set, else from PATH. */
export function qemuBinary(): string {
  return process.env.QEMU_SYSTEM_AARCH64 || "qemu-system-aarch64";
}

/** The argv for a run; the first element is the binary. */
export function qemuCommand(run: QemuRun): string[] {
  const argv = [qemuBinary(), "-machine", run.machine];
  // Without -cpu, virt would default to a 32-bit cortex-a15.
  const cpu = run.cpu ?? (run.machine.startsWith("virt") ? "cortex-a53" : undefined);
  if (cpu) argv.push("-cpu", cpu);
  if (run.smp !== undefined) argv.push("-smp", String(run.smp));
  if (run.memory) argv.push("-m", run.memory);
  // Console on stdio, no monitor multiplexed on it, no default NIC (virt's
  // virtio-net wants an option ROM some installs lack), exit instead of reset.
  argv.push("-nographic", "-no-reboot", "-monitor", "none", "-serial", "stdio", "-nic", "none");
  // Never semihosting: QEMU services `hlt #0xf000` from EL1 itself, where no EL2 trap can stop a
  // guest from reaching the host's files, commands and exit status through it.
  if (run.icount) argv.push("-icount", "shift=0");
  if (run.gdb) argv.push("-gdb", `tcp:127.0.0.1:${run.gdb.port}`, ...(run.gdb.wait ? ["-S"] : []));
  argv.push("-kernel", run.kernel);
  if (run.extraArgs) argv.push(...run.extraArgs);
  return argv;
}

/** Boots QEMU and resolves when it exits or is killed on timeout. */
export function runQemu(run: QemuRun): Promise<QemuResult> {
  const command = qemuCommand(run);
  run.onCommand?.(command);
  return new Promise((resolve, reject) => {
    // stdin is a pipe (the serial line's input): /dev/null would give the stdio chardev EOF.
    const child = spawn(command[0], command.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    const decoder = new StringDecoder("utf8");
    const lines: string[] = [];
    let output = "";
    let partial = "";
    let stderr = "";
    let timedOut = false;
    let ended = false;

    const emit = (line: string) => {
      lines.push(line);
      run.onLine?.(line);
      if (!ended && run.endOn?.(line)) {
        ended = true;
        child.kill("SIGKILL");
      }
    };
    const take = (text: string) => {
      text = text.replace(/\r/g, "");
      output += text;
      run.onText?.(text);
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) emit(line);
    };

    child.stdout.on("data", (chunk: Buffer) => take(decoder.write(chunk)));
    child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString("utf8"); });

    const timer = run.timeoutSec ? setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, run.timeoutSec * 1000) : undefined;
    let aborted = false;
    const abort = () => {
      aborted = true;
      child.kill("SIGKILL");
    };
    if (run.signal?.aborted) abort();
    else run.signal?.addEventListener("abort", abort, { once: true });
    const input: SerialInput = { write: (data) => { if (child.stdin.writable) child.stdin.write(data); } };
    // A serial line whose reader is gone (QEMU ended) is no error of the writer's.
    child.stdin.on("error", () => {});
    const restoreTerminal = run.terminal ? passTerminal(input, abort) : () => {};
    run.onSpawn?.(input);
    const done = () => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", abort);
      restoreTerminal();
    };

    child.on("error", (err) => {
      done();
      reject(new Error(`cannot run ${command[0]}: ${err.message}`));
    });
    child.on("close", (code) => {
      done();
      take(decoder.end());
      if (partial !== "") emit(partial);   // last line without a newline
      resolve({ exitCode: timedOut || aborted ? null : ended ? 0 : code, timedOut, output, lines, command, stderr });
    });
  });
}
