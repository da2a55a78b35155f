// The `build`, `run` and `image` commands of the bulkhead CLI.
import { build, type BuildOptions } from "./build.ts";
import path from "node:path";
import { bootImage, describe, type RunOptions } from "./run.ts";
import { DEFAULT_GDB_PORT, type GdbStub } from "../qemu/launch.ts";
import { writeImage } from "./image.ts";
import { boardNames, DEFAULT_BOARD_NAME } from "./board.ts";
import { UsageError, type Args, type Command, type Flag } from "./cli/args.ts";

export const BOARD_FLAG: Flag = { name: "--board", value: "NAME", help: `the board: ${boardNames().join(", ")} (a config names its own; given both, they must agree)` };

const DEPLOYMENT_FLAGS: Flag[] = [
  BOARD_FLAG,
  { name: "--config", value: "FILE", help: `a partition config (docs/config.md); default: the board's configs/default.ts (board ${DEFAULT_BOARD_NAME} unless --board)` },
  { name: "--guest", value: "IMAGE", help: "instead of a config: one VM with this image (a Linux Image, an ELF file or a flat binary) on every CPU and most of RAM" },
  { name: "--initrd", value: "FILE", help: "with --guest: an initial RAM disk" },
  { name: "--bootargs", value: "TEXT", help: "with --guest: the kernel command line (an empty one stays empty)" },
  { name: "--cpus", value: "N", help: "with --guest: the VM gets CPUs 0..N-1 (default: every CPU)" },
  { name: "--memory", value: "SIZE", help: "with --guest: the VM's RAM, in bytes or with K, M or G (default: all above the hypervisor)" },
];

/** A size as --memory takes it: a whole number of bytes, or of KiB, MiB or GiB (K, M, G; KiB, MB ... accepted). */
export function parseSize(text: string, flag: string): bigint {
  const m = /^(\d+)\s*([KMG]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag} takes a size such as 256M or 1G, not "${text}"`);
  const shift = { "": 0n, K: 10n, M: 20n, G: 30n }[m[2].toUpperCase() as "" | "K" | "M" | "G"];
  return BigInt(m[1]) << shift;
}

function cpuCount(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`--cpus takes a number of CPUs (1 or more), not "${text}"`);
  return Number(text);
}

function buildOptions(a: Args): BuildOptions {
  if (a.has("--config") && a.has("--guest")) throw new UsageError("--config and --guest exclude each other");
  for (const f of ["--initrd", "--bootargs", "--cpus", "--memory"]) if (a.has(f) && !a.has("--guest")) throw new UsageError(`${f} goes with --guest (a config names its own in each VM)`);
  const cpus = a.get("--cpus"), memory = a.get("--memory");
  return {
    board: a.get("--board"), config: a.get("--config"), guest: a.get("--guest"), initrd: a.get("--initrd"), bootargs: a.get("--bootargs"),
    cpus: cpus === undefined ? undefined : cpuCount(cpus), memory: memory === undefined ? undefined : parseSize(memory, "--memory"),
  };
}

export const buildCommand: Command = {
  name: "build",
  summary: "check a partition config, prove its isolation and build the hypervisor image",
  positionals: { synopsis: "", min: 0, max: 0 },
  flags: DEPLOYMENT_FLAGS,
  details: ["Writes build/<board>/<config>/hyp.{elf,bin,map}; each step is skipped when its inputs are unchanged."],
  async run(a) {
    const b = await build({ ...buildOptions(a), log: (l) => console.log(`  ${l}`) });
    console.log(describe(b));
    return 0;
  },
};

/** The signals that end a run: QEMU is ended with it (never left running), then the CLI with 128 + the signal's number. */
const ENDING_SIGNALS: [NodeJS.Signals, number][] = [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]];

export const runCommand: Command = {
  name: "run",
  summary: "build (when needed) and boot the hypervisor with its VMs in QEMU, the console on stdout",
  positionals: { synopsis: "", min: 0, max: 0 },
  flags: [
    ...DEPLOYMENT_FLAGS,
    { name: "--timeout", value: "SECONDS", help: "end the run (status 124) after this long; default and 0: no limit" },
    { name: "--verbose", help: "print the QEMU command line" },
    { name: "--gdb", value: "PORT", optionalValue: true, help: `QEMU's gdbstub on 127.0.0.1:PORT (default ${DEFAULT_GDB_PORT}) for gdb-multiarch: docs/debugging.md` },
    { name: "--gdb-wait", help: "with the gdbstub (--gdb implied): stopped before the first instruction until the debugger continues" },
  ],
  details: [
    "The run ends with the hypervisor's status (`[hyp] run ended: status N`) when every VM has powered off. Ctrl-C or SIGTERM ends QEMU too.",
    "On a terminal, the keys go to the board's UART (raw mode while QEMU runs; Ctrl-C too): the VM with the console's focus gets them. Ctrl-\\ three times moves the focus to the next VM; Ctrl-A x ends the run, Ctrl-A Ctrl-A types a Ctrl-A.",
  ],
  async run(a) {
    const timeout = Number(a.get("--timeout") ?? 0);
    if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`--timeout takes a number of seconds (0: no limit), not ${JSON.stringify(a.get("--timeout"))}`);
    const stop = new AbortController();
    let ending: number | undefined;
    const handlers = ENDING_SIGNALS.map(([sig, n]) => {
      const h = () => { ending = 128 + n; stop.abort(); };
      process.on(sig, h);
      return () => process.off(sig, h);
    });
    const gdb = gdbStub(a);
    try {
      const opts: RunOptions = {
        ...buildOptions(a), timeoutSec: timeout || undefined, signal: stop.signal, gdb,
        log: (l) => console.error(`  ${l}`),
        onCommand: a.has("--verbose") ? (argv) => console.error(`bulkhead run: ${shellLine(argv)}`) : undefined,
        // On a terminal, the console's text as it comes (a prompt has no newline: docs/config.md, "The console").
        onLine: process.stdin.isTTY ? undefined : (l) => console.log(l),
        onText: process.stdin.isTTY ? (t) => process.stdout.write(t) : undefined,
        terminal: true,
      };
      const b = await build(opts);
      if (gdb) {
        const attach = `gdb-multiarch ${shellLine([path.relative(process.cwd(), b.elf)])} -ex 'target remote localhost:${gdb.port}'`;
        console.error(`bulkhead run: gdbstub on localhost:${gdb.port}${gdb.wait ? ", stopped until the debugger continues" : ""}: ${attach}`);
      }
      const r = { build: b, qemu: await bootImage(b, opts) };
      if (ending !== undefined) {
        console.error(`bulkhead run: ended by a signal (QEMU ended with it)`);
        return ending;
      }
      if (r.qemu.timedOut) {
        console.error(`bulkhead run: timed out after ${timeout} s (QEMU killed)`);
        return 124;
      }
      if (r.qemu.stderr.trim()) console.error(r.qemu.stderr.trim());
      return r.qemu.exitCode ?? 1;
    } finally {
      for (const off of handlers) off();
    }
  },
};

/** `--gdb[=PORT]` and `--gdb-wait` (which implies `--gdb`); undefined: neither. */
function gdbStub(a: Args): GdbStub | undefined {
  if (!a.has("--gdb") && !a.has("--gdb-wait")) return undefined;
  const given = a.get("--gdb") || String(DEFAULT_GDB_PORT);
  const port = Number(given);
  if (!/^\d+$/.test(given) || port < 1 || port > 65535) throw new UsageError(`--gdb=PORT takes a TCP port (1-65535), not ${JSON.stringify(given)}`);
  return { port, wait: a.has("--gdb-wait") };
}

/** A command line as a shell would take it back: each argument quoted when it needs to be. */
export function shellLine(argv: string[]): string {
  return argv.map((x) => (/^[\w@%+=:,./-]+$/.test(x) ? x : `'${x.replace(/'/g, `'\\''`)}'`)).join(" ");
}

export const imageCommand: Command = {
  name: "image",
  summary: "build and write a bootable SD-card image for a board that boots from one (rpi4; docs/rpi4.md)",
  positionals: { synopsis: "", min: 0, max: 0 },
  flags: [...DEPLOYMENT_FLAGS, { name: "-o", value: "FILE", help: "where to write the image (required)" }],
  async run(a) {
    const out = a.get("-o");
    if (!out) throw new UsageError("-o FILE: where to write the image");
    const r = await writeImage({ ...buildOptions(a), out, log: (l) => console.log(`  ${l}`) });
    console.log(describe(r.build));
    console.log(`${out}: ${r.files.join(", ")} on a FAT32 partition of ${r.partition.size >> 20} MiB`);
    return 0;
  },
};
