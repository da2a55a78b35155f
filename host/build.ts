// `bulkhead build`: partition config → generated @config tables → subset compiled to C →
// gcc/as/ld with the board's layout → build/<board>/<config>/hyp.{elf,bin,map}.
// Each step is skipped when its inputs have not changed, so a one-line change rebuilds in seconds.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { compileToC } from "../compiler/index.ts";
import { type Board, loadBoard, DEFAULT_BOARD_NAME } from "./board.ts";
import type { Config } from "./config/types.ts";
import { loadConfig, boardOfConfig, ConfigLoadError } from "./config/load.ts";
import { checkConfig, configWarnings, quickConfig } from "./config/check.ts";
import { oneLine } from "./config/model.ts";
import { carriedFiles, generatedDtb, layout, reserveOf } from "./config/images.ts";
import { guestDts } from "./config/dts.ts";
import { targetConfigTs, guestLoad, dtbIpa, initrdIpa, type Placement } from "./config/tables.ts";
import { buildStage2OnHost, prove, leaves } from "./proof.ts";

export const CROSS = "aarch64-linux-gnu-";

/**
 * Flags for the generated C (docs/subset.md, "Building the C"). `-g`: hyp.elf carries DWARF for a
 * debugger (docs/debugging.md); it changes no code, and the booted image never holds it (hyp.bin is
 * the loadable bytes alone, and QEMU loads only an ELF file's PT_LOAD segments).
 */
export const CFLAGS = [
  "-std=c11", "-ffreestanding", "-nostdlib", "-mgeneral-regs-only", "-mstrict-align", "-mno-outline-atomics",
  "-fno-strict-aliasing", "-fno-tree-loop-distribute-patterns", "-fno-pie", "-fno-stack-protector",
  "-fno-asynchronous-unwind-tables", "-O2", "-g", "-Wall", "-Wextra", "-Werror",
  // No padding to align functions, loops and branch targets: ~1 KB of .text (issue 12's < 40 KB),
  // and not one instruction more on any bench path (padding in a fall-through is executed).
  "-falign-functions=4", "-falign-jumps=1", "-falign-loops=1", "-falign-labels=1",
  // Each function in its own section, so that the link drops those nothing calls (LD_GC): the
  // other GIC version's driver, exported helpers inlined at every call. It changes no function's
  // code (only where each is placed), unlike -fdata-sections, which changes how data is addressed.
  "-ffunction-sections",
];

/** The link keeps only what the entry point, the vectors and the guest images reach (board/common/hyp.ld KEEPs them). */
export const LD_GC = ["--gc-sections"];

export class BuildError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "BuildError";
  }
}

export interface BuildOptions {
  board?: string;
  /** A partition config file; default board/<board>/configs/default.ts. */
  config?: string;
  /** Quick mode: one VM with this image, every CPU and most of RAM. */
  guest?: string;
  /** Quick mode: an initial RAM disk, and the kernel command line. */
  initrd?: string;
  bootargs?: string;
  /** Quick mode: the VM's CPUs (the first that many) and RAM (bytes), instead of all of each. */
  cpus?: number;
  memory?: bigint;
  /** Benchmarks only (host/bench.ts): the guest's PMU may count at EL2, untrapped (src/el2/pmu.ts). Never for a deployment. */
  pmuCountsEl2?: boolean;
  /** Where the build's files go (default build/<board>/<config>). */
  outDir?: string;
  log?: (line: string) => void;
}

export interface BuildResult {
  board: Board;
  config: Config;
  dir: string;
  elf: string;
  bin: string;
  map: string;
  sizes: { text: number; data: number; bss: number };
  compileMs: number;
}

function hash(...parts: (string | Buffer)[]): string {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Writes `file` only if its content changes; returns whether it did. */
function writeIfChanged(file: string, content: string | Buffer): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(Buffer.from(content))) return false;
  fs.writeFileSync(file, content);
  return true;
}

/** Runs a tool step unless its recorded input hash is unchanged and its output exists. */
function step(dir: string, name: string, inputs: string, output: string, run: () => void): void {
  const stamp = path.join(dir, `.${name}.hash`);
  if (fs.existsSync(output) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === inputs) return;
  run();
  fs.writeFileSync(stamp, inputs);
}

function tool(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new BuildError([`${cmd} ${args.join(" ")} failed:`, (err.stderr || err.stdout || String(e)).trim()]);
  }
}

export function srcFiles(ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (p.endsWith(ext)) out.push(p);
    }
  };
  walk(path.join(PROJECT_ROOT, "src"));
  return out.sort();
}

/** The board, refused in one line naming what asked for it (the config file, else the command line). */
async function boardFor(name: string, shown: string): Promise<Board> {
  try {
    return await loadBoard(name);
  } catch (e) {
    throw new BuildError([`${shown}: error: ${(e as Error).message.split("\n")[0]}`]);
  }
}

async function resolveConfig(opts: BuildOptions): Promise<{ board: Board; config: Config; file: string | null; name: string }> {
  if (opts.guest) {
    const board = await boardFor(opts.board ?? DEFAULT_BOARD_NAME, "--board");
    const files = [opts.guest, opts.initrd].filter((f): f is string => !!f).map((f) => path.resolve(f));
    for (const f of files) if (!fs.existsSync(f)) throw new BuildError([`${f}: no such file`]);
    // The VM's RAM starts above the reserve, which its own files size.
    const quick = (reserve?: bigint) => quickConfig(board, files[0], { reserve, initrd: opts.initrd, bootargs: opts.bootargs, cpus: opts.cpus, memory: opts.memory });
    const reserve = reserveOf(board, quick());
    const config = quick(reserve[1] - reserve[0]);
    return { board, config, file: null, name: `guest-${path.basename(files[0]).replace(/[^\w.-]/g, "_")}` };
  }
  // No config: the board's default (the default board's unless --board).
  const file = path.resolve(opts.config ?? path.join((await boardFor(opts.board ?? DEFAULT_BOARD_NAME, "--board")).dir, "configs/default.ts"));
  try {
    const config = await loadConfig(file);
    const board = await loadBoard(boardOfConfig(config, path.relative(process.cwd(), file) || file, opts.board));
    return { board, config, file, name: buildName(board, file) };
  } catch (e) {
    if (e instanceof ConfigLoadError) throw new BuildError(e.message.split("\n"));
    throw e;
  }
}

/**
 * The build directory's name under build/<board>/: a shipped config's own name (board/<board>/configs/x.ts
 * is "x"), any other config's name and a hash of its absolute path, so that two configs of the same
 * file name never share (and overwrite) one directory.
 */
export function buildName(board: Board, file: string): string {
  const base = path.basename(file).replace(/\.[cm]?ts$/, "").replace(/[^\w.-]/g, "_");
  if (path.dirname(file) === path.join(board.dir, "configs")) return base;
  return `${base}-${hash(path.resolve(file)).slice(0, 12)}`;
}

/** The config file as messages name it, or the command line's --guest. */
function refuseWhere(file: string | null, opts: BuildOptions): string {
  return file ? path.relative(process.cwd(), file) || file : `--guest ${opts.guest}`;
}

/** `file: error: ...` for each of the checker's errors, as `bulkhead check` prints them. */
function refuse(file: string | null, errors: string[], opts: BuildOptions): BuildError {
  return new BuildError(errors.map((e) => `${refuseWhere(file, opts)}: error: ${oneLine(e)}`));
}

/** What the first half of a build leaves for the second: the checked config, its generated tables, the placed images. */
export interface ProvedConfig {
  board: Board;
  config: Config;
  dir: string;
  /** The generated "@config" module, and the hash of every TypeScript input of the hypervisor. */
  configTs: string;
  tsInputs: string;
  blobs: { file: string; addr: bigint }[];
  imagesBase: bigint;
}

/**
 * The first half of `bulkhead build`: the config checked (before anything is written), the guest
 * images and device trees placed, the "@config" tables generated and the stage-2 isolation proved.
 * Nothing is compiled: the config fuzzer (host/fuzz/) runs this on every config the checker accepts.
 */
export async function proveConfig(opts: BuildOptions = {}): Promise<ProvedConfig> {
  const log = opts.log ?? (() => {});
  const { board, config, file, name } = await resolveConfig(opts);
  const baseDir = file ? path.dirname(file) : undefined;
  // Checked before anything is built or written, with the reserve and places `check` computes
  // (config/images.ts): a config `check` accepts is placed here as it was there.
  const errors = checkConfig(board, config, { baseDir });
  if (errors.length) throw refuse(file, errors, opts);
  const files = carriedFiles(config, baseDir);
  const { hyp, imagesBase, slots } = layout(board, files);
  for (const w of configWarnings(board, config)) log(`warning: ${oneLine(w)}`);
  const dir = opts.outDir ?? path.join(PROJECT_ROOT, "build", board.host.name, opts.pmuCountsEl2 ? `${name}-pmu-el2` : name);
  fs.mkdirSync(dir, { recursive: true });

  // Guest images, initrds and device trees, at their places inside the hypervisor's reserve.
  const placement: Placement[] = [];
  const blobs: { file: string; addr: bigint }[] = [];
  config.vms.forEach((vm, i) => {
    const { image, initrd, dtb: ownDtb } = files[i];
    const slot = slots[i];
    // The checker accepted the config: the image loads (guestLoad threw otherwise).
    const { loadIpa, entryIpa } = guestLoad(config, vm, fs.readFileSync(image!.file));
    // What is copied into the VM: the file itself, or (an ELF file) its segments laid out flat.
    const raw = fs.readFileSync(image!.file);
    const img = image!.bytes.equals(raw) ? image!.file : path.join(dir, `${vm.name}.image`);
    if (img !== image!.file) writeIfChanged(img, image!.bytes);
    const initrdPlace: Placement["initrd"] = initrd ? { pa: slot.initrdPa!, size: initrd.size, ipa: initrdIpa(config, vm, initrd.size) } : undefined;
    const dtbFile = path.join(dir, `${vm.name}.dtb`);
    if (ownDtb) fs.copyFileSync(ownDtb.file, dtbFile);
    else {
      writeIfChanged(path.join(dir, `${vm.name}.dts`), guestDts(board, config, vm, initrdPlace));
      // (check refused this first, in the same words: generatedDtb is its question too)
      const blob = generatedDtb(board, config, vm, initrdPlace);
      if (typeof blob === "string") throw new BuildError([`${refuseWhere(file, opts)}: error: ${blob}`]);
      writeIfChanged(dtbFile, blob);
    }
    const dtbSize = BigInt(fs.statSync(dtbFile).size);
    if (initrd) blobs.push({ file: initrd.file, addr: slot.initrdPa! });
    blobs.push({ file: img, addr: slot.imagePa }, { file: dtbFile, addr: slot.dtbPa });
    placement.push({
      vm: vm.name, imagePa: slot.imagePa, imageSize: BigInt(image!.bytes.length), loadIpa, entryIpa,
      dtbPa: slot.dtbPa, dtbSize, dtbIpa: dtbIpa(config, vm), initrd: initrdPlace,
    });
  });

  // The partition tables, then the whole subset program as one C file.
  const configTs = path.join(dir, "config.ts");
  writeIfChanged(configTs, targetConfigTs(board, config, placement, { source: file ? path.relative(PROJECT_ROOT, file) : `--guest ${opts.guest}`, pmuCountsEl2: opts.pmuCountsEl2 }));
  const tsInputs = hash(...[...srcFiles(".ts"), configTs, board.boardFile].map((f) => f + fs.readFileSync(f, "utf8")));
  // The proof runs again when the tables may differ, and when its own rules do.
  const proofInputs = hash(tsInputs, ...["host/proof.ts", "host/config/reserved.ts"].map((f) => fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8")));
  // The isolation proof: the tables the board will build, built here by the same code, walked.
  const proofFile = path.join(dir, "proof.txt");
  const stamp = path.join(dir, ".proof.hash");
  if (!fs.existsSync(proofFile) || !fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== proofInputs) {
    log("prove stage-2 isolation");
    fs.rmSync(stamp, { force: true });
    const program = await buildStage2OnHost(board.boardFile, configTs, path.join(dir, "host-js"));
    const problems = prove(board, config, program, hyp);
    if (problems.length) throw new BuildError(["stage-2 isolation proof failed:", ...problems]);
    const counts = config.vms.map((vm, i) => `vm "${vm.name}": ${leaves(program, i).length} leaf mappings`);
    fs.writeFileSync(proofFile, ["stage-2 isolation proved:", ...counts, ""].join("\n"));
    fs.writeFileSync(stamp, proofInputs);
  }
  return { board, config, dir, configTs, tsInputs, blobs, imagesBase };
}

export async function build(opts: BuildOptions = {}): Promise<BuildResult> {
  const log = opts.log ?? (() => {});
  const { board, config, dir, configTs, tsInputs, blobs, imagesBase } = await proveConfig(opts);
  const hypC = path.join(dir, "hyp.c");
  const t0 = Date.now();
  step(dir, "compile", tsInputs, hypC, () => {
    log("compile src/main.ts");
    const r = compileToC(path.join(PROJECT_ROOT, "src/main.ts"), { board: board.boardFile, config: configTs });
    fs.writeFileSync(hypC, r.c);
    fs.writeFileSync(path.join(dir, "offsets.h"), r.offsets);
  });
  const compileMs = Date.now() - t0;

  const objs: string[] = [];
  const cObj = path.join(dir, "hyp.o");
  step(dir, "cc", hash(fs.readFileSync(hypC), CFLAGS.join(" ")), cObj, () => {
    log("cc hyp.c");
    tool(`${CROSS}gcc`, [...CFLAGS, "-c", hypC, "-o", cObj], dir);
  });
  objs.push(cObj);
  const offsets = fs.readFileSync(path.join(dir, "offsets.h"));
  for (const s of srcFiles(".S")) {
    const obj = path.join(dir, path.basename(s).replace(/\.S$/, ".o"));
    const headers = srcFiles(".h").map((h) => fs.readFileSync(h));
    // -g: line information for the vectors and entry code, as for the C.
    const asArgs = ["-c", "-g", "-I", dir, "-I", path.dirname(s), s, "-o", obj];
    step(dir, `as-${path.basename(s)}`, hash(fs.readFileSync(s), offsets, ...headers, asArgs.join(" ")), obj, () => {
      log(`as ${path.relative(PROJECT_ROOT, s)}`);
      tool(`${CROSS}gcc`, asArgs, dir);
    });
    objs.push(obj);
  }
  // The images, each at its placed address in the .guest_images section.
  const imagesS = path.join(dir, "images.S");
  writeIfChanged(imagesS, [
    "/* Generated by bulkhead build: guest images and device trees, at the addresses in config.ts. */",
    '    .section .guest_images, "a"',
    ...blobs.flatMap((b) => [`    .org 0x${(b.addr - imagesBase).toString(16)}`, `    .incbin "${b.file}"`]),
    "",
  ].join("\n"));
  const imagesObj = path.join(dir, "images.o");
  step(dir, "images", hash(fs.readFileSync(imagesS), ...blobs.map((b) => fs.readFileSync(b.file))), imagesObj, () => {
    tool(`${CROSS}gcc`, ["-c", imagesS, "-o", imagesObj], dir);
  });
  objs.push(imagesObj);

  const elf = path.join(dir, "hyp.elf");
  const map = path.join(dir, "hyp.map");
  const ld = path.join(PROJECT_ROOT, "board/common/hyp.ld");
  const ldArgs = ["-nostdlib", "--no-warn-rwx-segments", ...LD_GC, "-T", ld, `--defsym=HYP_BASE=0x${board.facts.HYP_BASE.toString(16)}`,
    `--defsym=IMAGES_BASE=0x${imagesBase.toString(16)}`, "-Map", map, "-o", elf, ...objs];
  step(dir, "ld", hash(ldArgs.join(" "), fs.readFileSync(ld), ...objs.map((o) => fs.readFileSync(o))), elf, () => {
    log("ld hyp.elf");
    tool(`${CROSS}ld`, ldArgs, dir);
  });
  const bin = path.join(dir, "hyp.bin");
  tool(`${CROSS}objcopy`, ["-O", "binary", elf, bin], dir);
  return { board, config, dir, elf, bin, map, sizes: sectionSizes(elf), compileMs };
}

/** Sizes of the hypervisor itself (guest images excluded). */
export function sectionSizes(elf: string): { text: number; data: number; bss: number } {
  const out = tool(`${CROSS}size`, ["-A", elf], path.dirname(elf));
  const size = (re: RegExp) => out.split("\n").filter((l) => re.test(l)).reduce((n, l) => n + Number(l.trim().split(/\s+/)[1]), 0);
  return { text: size(/^\.text\s/), data: size(/^\.(rodata|data)\s/), bss: size(/^\.bss\s/) };
}
