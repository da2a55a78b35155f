// What the hypervisor image carries for each VM, and where: its image (an ELF file's segments laid
// out flat), its initrd and its device tree, one after another above the hypervisor's code, inside
// its RAM reserve at the bottom of board RAM. The reserve is HYP_RESERVE, or more in 32 MiB steps
// when the files need it (a Linux Image of ~27 MiB and its initramfs make it 64 MiB).
// `check`, `map` and `build` size the reserve and place the files with these functions alone, so
// that a VM's RAM over the reserve is refused by `check` exactly as by `build` (docs/config.md,
// "The reserve").
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import type { Board, BoardFacts } from "../board.ts";
import { HYP_RESERVE, MiB, PAGE, alignUp, builtinImagePath, factsOf, oneLine, resolveDtb, resolveImage, resolveInitrd, type Range } from "./model.ts";
import { compileDtb, guestDts, type InitrdPlace } from "./dts.ts";
import { guestImageBytes } from "./tables.ts";
import type { Config, VmConfig } from "./types.ts";

/** The hypervisor's code, data and bss fit below this offset from HYP_BASE (board/common/hyp.ld); the carried files follow. */
export const HYP_CODE_MAX = 4n * MiB;
/** The slot of a generated device tree (a VM's is a few KiB; the build refuses one that outgrows it). */
export const DTB_ROOM = 64n * 1024n;
const RESERVE_STEP = 32n * MiB;

/**
 * A VM's generated device tree, compiled, or why the build cannot carry it (it does not compile, or
 * it outgrows its DTB_ROOM slot): check asks first, with the initrd placed as the build places it,
 * so that it refuses what the build would, in the same words.
 */
export function generatedDtb(board: Board | BoardFacts, cfg: Config, vm: VmConfig, initrd?: InitrdPlace): Buffer | string {
  let blob: Buffer;
  try {
    blob = compileDtb(guestDts(board, cfg, vm, initrd), vm.name);
  } catch (e) {
    return oneLine((e as Error).message);
  }
  if (BigInt(blob.length) > DTB_ROOM) return `vm "${vm.name}": its device tree is ${blob.length} bytes; at most ${DTB_ROOM} fit its slot`;
  return blob;
}

/** Whether this process has built the test guests: once is enough (the config fuzzer checks hundreds of configs). */
let guestsBuilt = false;

/** Builds the test guests (guests/baremetal/build.sh, once per process) and returns the built-in's image. */
export function builtinImage(name: string): string {
  if (guestsBuilt) return builtinImagePath(name);
  try {
    execFileSync("bash", [path.join(PROJECT_ROOT, "guests/baremetal/build.sh"), path.dirname(builtinImagePath(name))], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`building the test guests failed: ${String(err.stderr ?? e).trim()}`);
  }
  guestsBuilt = true;
  return builtinImagePath(name);
}

/** The image file of `vm`: its path (from `baseDir`, else the config's directory), or a built-in test guest, built on demand. */
export function imageFile(cfg: Config, vm: VmConfig, baseDir?: string): string {
  return typeof vm.image === "object" ? builtinImage(vm.image.builtin) : resolveImage(cfg, vm, baseDir);
}

/** The files a VM carries, as far as they exist: sizes are what is copied (an ELF file flattened). */
export interface CarriedFiles {
  vm: string;
  image?: { file: string; bytes: Buffer };
  initrd?: { file: string; size: bigint };
  /** The config's own .dtb; absent: generated, into a DTB_ROOM slot. */
  dtb?: { file: string; size: bigint };
}

const isFile = (f: string | undefined): f is string => f !== undefined && fs.existsSync(f) && fs.statSync(f).isFile();

/** Each VM's files. A missing or unreadable file is left out: the checker names it. */
export function carriedFiles(cfg: Config, baseDir?: string): CarriedFiles[] {
  return cfg.vms.map((vm) => {
    const out: CarriedFiles = { vm: vm.name };
    const image = imageFile(cfg, vm, baseDir);
    if (isFile(image)) {
      try {
        out.image = { file: image, bytes: guestImageBytes(fs.readFileSync(image)) };
      } catch {
        // Not an image the loader takes (the checker says why): nothing carried.
      }
    }
    const initrd = resolveInitrd(cfg, vm, baseDir);
    if (isFile(initrd)) out.initrd = { file: initrd, size: BigInt(fs.statSync(initrd).size) };
    const dtb = resolveDtb(cfg, vm, baseDir);
    if (isFile(dtb)) out.dtb = { file: dtb, size: BigInt(fs.statSync(dtb).size) };
    return out;
  });
}

/** Where one VM's files go (PAs inside the reserve). */
export interface Slots { vm: string; initrdPa?: bigint; imagePa: bigint; dtbPa: bigint }

export interface Layout {
  /** The hypervisor's RAM reserve: [RAM_BASE, RAM_BASE + reserve). */
  hyp: Range;
  /** Where the carried files start (HYP_BASE + HYP_CODE_MAX). */
  imagesBase: bigint;
  slots: Slots[];
}

/**
 * The reserve and every file's place: for each VM in order its initrd, its image and its DTB, each
 * page aligned; the reserve holds the boot DTB and stub below HYP_BASE, the hypervisor's code, and
 * all of them, rounded up to 32 MiB (never below HYP_RESERVE).
 */
export function layout(board: Board | BoardFacts, files: CarriedFiles[]): Layout {
  const f = factsOf(board);
  const imagesBase = f.HYP_BASE + HYP_CODE_MAX;
  let cursor = imagesBase;
  const take = (size: bigint): bigint => {
    const at = cursor;
    cursor = alignUp(cursor + size, PAGE);
    return at;
  };
  const slots = files.map((c): Slots => {
    const initrdPa = c.initrd ? take(c.initrd.size) : undefined;
    const imagePa = take(BigInt(c.image?.bytes.length ?? 0));
    return { vm: c.vm, initrdPa, imagePa, dtbPa: take(c.dtb?.size ?? DTB_ROOM) };
  });
  const need = cursor - f.RAM_BASE;
  const reserve = need <= HYP_RESERVE ? HYP_RESERVE : alignUp(need, RESERVE_STEP);
  return { hyp: [f.RAM_BASE, f.RAM_BASE + reserve], imagesBase, slots };
}

/** The hypervisor's reserve for `cfg`'s files: what check, map and build all use. */
export function reserveOf(board: Board | BoardFacts, cfg: Config, baseDir?: string): Range {
  return layout(board, carriedFiles(cfg, baseDir)).hyp;
}
