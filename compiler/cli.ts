// Command-line entry: `bulkhead <command> ...`. Each command lives in its own module.
import fs from "node:fs";
import path from "node:path";
import { compileToC, CompileError } from "./index.ts";
import { checkCommand, mapCommand } from "../host/config/commands.ts";
import { buildCommand, runCommand, imageCommand, BUILD_USAGE, RUN_USAGE } from "../host/commands.ts";
import { IMAGE_USAGE } from "../host/image.ts";
import { benchCommand } from "../host/bench.ts";

const USAGE = `usage:
  bulkhead compile <entry.ts> -o <out.c> [--offsets <out.h>] [--board <file>]
  bulkhead check <config.ts> [--board NAME]
  bulkhead map <config.ts> [--board NAME]
  ${BUILD_USAGE}
  ${RUN_USAGE}
  ${IMAGE_USAGE}
  bulkhead bench`;

type Command = (args: string[]) => Promise<number> | number;

const commands: Record<string, Command> = {
  compile: compileCommand,
  check: checkCommand,
  map: mapCommand,
  build: buildCommand,
  run: runCommand,
  image: imageCommand,
  bench: benchCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const run = cmd ? commands[cmd] : undefined;
  if (!run) {
    console.error(USAGE);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof CompileError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function compileCommand(args: string[]): number {
  const entry = args.find((a, i) => !a.startsWith("-") && !(i > 0 && args[i - 1].startsWith("-")));
  const out = option(args, "-o");
  if (!entry || !out) {
    console.error(USAGE);
    return 2;
  }
  const board = option(args, "--board");
  const r = compileToC(entry, board ? { board: path.resolve(board) } : {});
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, r.c);
  const offsets = option(args, "--offsets");
  if (offsets) fs.writeFileSync(offsets, r.offsets);
  return 0;
}
