// Code size, issue 12's goal: `.text + .rodata` of hyp.elf under 40 KB for every shipped config of
// every board. What a build compiles in depends on its config (the GIC version, channels, watchdogs,
// virtual SPIs), so the goal is the largest build's. `npm run bench` prints it with its parts, read
// from the link map: the C that runs on trap paths, the C tagged `@cold` (docs/subset.md: compiled
// for size, in .text.unlikely), the assembly (entry, vector table, vCPU entry), the linker's fill
// (none since the vector table, 2 KiB-aligned for VBAR_EL2, starts the image) and .rodata.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { build, CROSS } from "./build.ts";

export interface CodeSize {
  config: string;
  /** .text + .rodata */
  code: number;
  hot: number;
  cold: number;
  asm: number;
  fill: number;
  rodata: number;
}

/** The bytes of the named output sections of an ELF file (`size -A`). */
export function sectionBytes(elf: string, names: string[]): number {
  const out = execFileSync(`${CROSS}size`, ["-A", elf], { encoding: "utf8" });
  return out.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => names.includes(f[0])).reduce((n, f) => n + Number(f[1]), 0);
}

/** The parts of .text, from the input sections a GNU ld map file lists in it. */
export function textParts(map: string): { hot: number; cold: number; asm: number; fill: number } {
  const parts = { hot: 0, cold: 0, asm: 0, fill: 0 };
  const lines = fs.readFileSync(map, "utf8").split("\n");
  let i = lines.findIndex((l) => /^\.text\s/.test(l)) + 1;
  for (; i < lines.length && !/^\S/.test(lines[i]); i++) {
    // ` name 0xADDR 0xSIZE file`, or the name alone with the rest on the next line.
    let m = /^ (\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)(?:\s+(\S+))?\s*$/.exec(lines[i]);
    if (!m && /^ \S+$/.test(lines[i])) m = /^ (\S+)\n\s+0x[0-9a-f]+\s+0x([0-9a-f]+)(?:\s+(\S+))?\s*$/.exec(`${lines[i]}\n${lines[i + 1]}`);
    if (!m) continue;
    const [, name, size, file] = m;
    const n = parseInt(size, 16);
    if (name === "*fill*") parts.fill += n;
    else if (!file?.endsWith("hyp.o")) parts.asm += n;
    else if (name.startsWith(".text.unlikely")) parts.cold += n;
    else parts.hot += n;
  }
  return parts;
}

/** Every shipped config of `board` (board/<board>/configs/*.ts), built as a deployment builds it: the largest, with its parts. */
export async function largestShipped(board: string): Promise<CodeSize> {
  const dir = path.join(PROJECT_ROOT, "board", board, "configs");
  let largest: CodeSize | null = null;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
    const b = await build({ board, config: path.join(dir, file) });
    const code = sectionBytes(b.elf, [".text", ".rodata"]);
    if (largest && code <= largest.code) continue;
    largest = { config: file.replace(/\.ts$/, ""), code, ...textParts(b.map), rodata: sectionBytes(b.elf, [".rodata"]) };
  }
  if (!largest) throw new Error(`${dir}: no configs`);
  return largest;
}

/** One line: the size against the goal, and its parts. */
export function sizeLine(s: CodeSize): string {
  return `largest shipped config (configs/${s.config}.ts): .text + .rodata ${s.code} B (goal < 40960; Bao ~71 KB): ` +
    `C on trap paths ${s.hot}, @cold C ${s.cold}, assembly ${s.asm}, fill ${s.fill}, .rodata ${s.rodata}`;
}
