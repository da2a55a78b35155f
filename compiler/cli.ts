// `bulkhead compile`: one subset program to freestanding C (host/cli/main.ts runs the commands).
import fs from "node:fs";
import path from "node:path";
import { compileToC } from "./index.ts";
import { UsageError, type Command } from "../host/cli/args.ts";

export const compileCommand: Command = {
  name: "compile",
  summary: "compile a program in the TypeScript subset (docs/subset.md) to freestanding C",
  positionals: { synopsis: "<entry.ts>", min: 1, max: 1 },
  flags: [
    { name: "-o", value: "OUT.c", help: "where to write the C (required)" },
    { name: "--offsets", value: "OUT.h", help: "also write the struct offsets the assembly uses" },
    { name: "--board", value: "FILE", help: "the board facts module the program's \"@board\" import names" },
  ],
  run(a) {
    const out = a.get("-o");
    if (!out) throw new UsageError("-o OUT.c is required");
    const board = a.get("--board");
    const r = compileToC(a.positional[0], board ? { board: path.resolve(board) } : {});
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, r.c);
    const offsets = a.get("--offsets");
    if (offsets) fs.writeFileSync(offsets, r.offsets);
    return 0;
  },
};
