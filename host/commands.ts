// The `build` and `run` commands of the bulkhead CLI.
import { build, BuildError } from "./build.ts";
import { run, describe, DEFAULT_TIMEOUT_SEC } from "./run.ts";
import { writeImage, IMAGE_USAGE } from "./image.ts";

function opt(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function buildOptions(args: string[]) {
  return {
    board: opt(args, "--board"), config: opt(args, "--config"), guest: opt(args, "--guest"),
    initrd: opt(args, "--initrd"), bootargs: opt(args, "--bootargs"),
  };
}

export const BUILD_USAGE = "bulkhead build [--board NAME] [--config FILE | --guest IMAGE [--initrd FILE] [--bootargs TEXT]]";
export const RUN_USAGE = "bulkhead run [--board NAME] [--config FILE | --guest IMAGE [--initrd FILE] [--bootargs TEXT]] [--timeout SECONDS]";

/** Runs a command's work; a refused config or build (BuildError) is its message and status 1. */
async function refusingBuildErrors(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof BuildError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

export async function buildCommand(args: string[]): Promise<number> {
  return refusingBuildErrors(async () => {
    const b = await build({ ...buildOptions(args), log: (l) => console.log(`  ${l}`) });
    console.log(describe(b));
    return 0;
  });
}

export async function runCommand(args: string[]): Promise<number> {
  const timeout = Number(opt(args, "--timeout") ?? DEFAULT_TIMEOUT_SEC);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    console.error(`--timeout takes a number of seconds\n${RUN_USAGE}`);
    return 2;
  }
  return refusingBuildErrors(async () => {
    const r = await run({ ...buildOptions(args), timeoutSec: timeout, onLine: (l) => console.log(l) });
    if (r.qemu.timedOut) {
      console.error(`bulkhead run: timed out after ${timeout} s (QEMU killed)`);
      return 124;
    }
    if (r.qemu.stderr.trim()) console.error(r.qemu.stderr.trim());
    return r.qemu.exitCode ?? 1;
  });
}

export async function imageCommand(args: string[]): Promise<number> {
  const out = opt(args, "-o");
  if (!out) {
    console.error(`-o FILE: where to write the image\n${IMAGE_USAGE}`);
    return 2;
  }
  return refusingBuildErrors(async () => {
    const r = await writeImage({ ...buildOptions(args), out, log: (l) => console.log(`  ${l}`) });
    console.log(describe(r.build));
    console.log(`${out}: ${r.files.join(", ")} on a FAT32 partition of ${r.partition.size >> 20} MiB`);
    return 0;
  });
}
