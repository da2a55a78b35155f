// `bulkhead image`: a disk image to write to a board's boot medium with dd or Raspberry Pi Imager
// ("use custom"): an MBR with one bootable FAT32 partition holding the board's boot files
// (board/<name>/sdcard.ts: the stock firmware, its device tree and config.txt) and the hypervisor
// image exactly as `bulkhead build` makes it, every VM's images in it. Built with ordinary tools,
// no root and no loop mounts: mkfs.fat writes the partition into a file, mcopy fills it, and
// sfdisk writes the partition table of the whole image.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { boardDir, boardNames, DEFAULT_BOARD_NAME, type BoardFacts } from "./board.ts";
import { boardOfConfig, loadConfig } from "./config/load.ts";
import { build, BuildError, type BuildOptions, type BuildResult } from "./build.ts";

/** A board booted from a FAT partition: board/<name>/sdcard.ts exports one as `sdCard`. */
export interface SdCard {
  /** The file name of the hypervisor image on the partition (config.txt names it). */
  kernel: string;
  /** Fetches the board's boot files into `dir` (once) and returns their paths. */
  fetch(dir: string): string[];
  /** The firmware's configuration file, for the board's facts. */
  configTxt: (facts: BoardFacts) => string;
}

const MiB = 1 << 20;
/** The partition starts 1 MiB in (sector 2048), as partitioning tools align it. */
const PART_START = MiB;
/** The smallest FAT32 volume with 512-byte clusters: 65525 clusters and more. */
const FAT32_MIN = 64 * MiB;

export interface ImageResult { build: BuildResult; image: string; partition: { start: number; size: number }; files: string[] }

function tool(cmd: string, args: string[], input?: string): void {
  try {
    execFileSync(cmd, args, { input, stdio: ["pipe", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; code?: string };
    if (err.code === "ENOENT") throw new BuildError([`${cmd}: not found (scripts/setup.sh installs mtools, dosfstools and fdisk)`]);
    throw new BuildError([`${cmd} ${args.join(" ")} failed:`, String(err.stderr ?? e).trim()]);
  }
}

/** The board's SD card, or a refusal naming the board and what chose it: asked before anything is built. */
async function sdCardOf(board: string, shown: string): Promise<SdCard> {
  if (!boardNames().includes(board)) throw new BuildError([`${shown}: error: unknown board ${JSON.stringify(board)} (boards: ${boardNames().join(", ")})`]);
  const file = path.join(boardDir(board), "sdcard.ts");
  if (!fs.existsSync(file)) throw new BuildError([`${shown}: error: board ${board} boots no SD-card image (no board/${board}/sdcard.ts)`]);
  return ((await import(file)) as { sdCard: SdCard }).sdCard;
}

export async function writeImage(opts: BuildOptions & { out: string }): Promise<ImageResult> {
  // The board asked before anything is built: --board's, else the config's own.
  const fromConfig = !opts.board && opts.config && !opts.guest;
  const board = opts.board ?? (fromConfig ? boardOfConfig(await loadConfig(opts.config!, { typecheck: false }), opts.config!, undefined) : DEFAULT_BOARD_NAME);
  const sd = await sdCardOf(board, fromConfig ? opts.config! : "--board");
  const b = await build(opts);
  const boot = sd.fetch(path.join(PROJECT_ROOT, "build", `${b.board.host.name}-firmware`));
  const configTxt = path.join(b.dir, "config.txt.sd");
  fs.writeFileSync(configTxt, sd.configTxt(b.board.facts));
  const files: [string, string][] = [...boot.map((f): [string, string] => [f, path.basename(f)]), [configTxt, "config.txt"], [b.bin, sd.kernel]];

  // The FAT32 partition, in a file of its own: room for the files and 25% more, whole MiBs.
  const bytes = files.reduce((n, [f]) => n + fs.statSync(f).size, 0);
  const size = Math.max(FAT32_MIN, Math.ceil((bytes * 1.25 + 4 * MiB) / MiB) * MiB);
  const part = path.join(b.dir, "boot-partition.img");
  fs.rmSync(part, { force: true });
  tool("mkfs.fat", ["-F", "32", "-S", "512", "-s", "1", "-h", String(PART_START / 512), "-n", "BULKHEAD", "-C", part, String(size / 1024)]);
  for (const [f, name] of files) tool("mcopy", ["-i", part, f, `::${name}`]);

  // The disk: the partition at 1 MiB, an MBR naming it (type 0x0c: FAT32 with LBA; bootable).
  const out = path.resolve(opts.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const fd = fs.openSync(out, "w");
  try {
    fs.ftruncateSync(fd, PART_START + size);
    fs.writeSync(fd, fs.readFileSync(part), 0, size, PART_START);
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(part);
  tool("sfdisk", ["--quiet", "--no-reread", "--no-tell-kernel", out], `label: dos\nunit: sectors\n\nstart=${PART_START / 512}, size=${size / 512}, type=c, bootable\n`);
  return { build: b, image: out, partition: { start: PART_START, size }, files: files.map(([, n]) => n) };
}
