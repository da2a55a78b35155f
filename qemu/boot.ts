// Boots a kernel on QEMU and streams its console:
//   npx tsx qemu/boot.ts --machine virt,gic-version=3 --kernel build/guests/baremetal.bin
//        [--cpu NAME] [--smp N] [--memory 256M] [--timeout S] [--icount]
//        [-- extra qemu args...]
// Exits with QEMU's exit status; on timeout prints "qemu: timed out after S s" and exits 124.
import { runQemu, type QemuRun } from "./launch.ts";

function usage(msg: string): never {
  process.stderr.write(`boot: ${msg}\nusage: boot.ts --machine M --kernel FILE [--cpu C] [--smp N] ` +
    `[--memory SIZE] [--timeout S] [--icount] [-- qemu args]\n`);
  process.exit(2);
}

function parse(argv: string[]): QemuRun {
  const run: Partial<QemuRun> & { timeoutSec: number } = { timeoutSec: 60 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    switch (arg) {
      case "--machine": run.machine = value(); break;
      case "--kernel": run.kernel = value(); break;
      case "--cpu": run.cpu = value(); break;
      case "--memory": run.memory = value(); break;
      case "--smp": run.smp = Number(value()); break;
      case "--timeout": run.timeoutSec = Number(value()); break;
      case "--icount": run.icount = true; break;
      case "--": run.extraArgs = argv.slice(i + 1); i = argv.length; break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  if (!run.machine) usage("--machine is required");
  if (!run.kernel) usage("--kernel is required");
  if (run.smp !== undefined && !(Number.isInteger(run.smp) && run.smp > 0)) usage("bad --smp");
  if (!(run.timeoutSec > 0)) usage("bad --timeout");
  return run as QemuRun;
}

const run = parse(process.argv.slice(2));
run.onLine = (line) => process.stdout.write(line + "\n");
const result = await runQemu(run);
if (result.stderr) process.stderr.write(result.stderr);
if (result.timedOut) {
  process.stdout.write(`qemu: timed out after ${run.timeoutSec} s\n`);
  process.exit(124);
}
process.exit(result.exitCode ?? 1);
