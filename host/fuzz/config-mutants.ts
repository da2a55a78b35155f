// Malformed partition configs, for the config fuzzer (host/fuzz/config-oracle.ts): random mutations
// of the shipped ones (board/qemu-virt-gicv3/configs/*.ts, on both QEMU boards). Two kinds:
//  - object mutations of the loaded config, written back out as TypeScript: what the checker's
//    semantic rules see (overlaps, misalignment, sizes 0 and huge, negative numbers, duplicate
//    names and CPUs, bad interrupts, missing image/dtb/initrd files, more regions than the tables
//    hold), and wrong types, half of them behind `as any` so that tsc lets them through to the
//    runtime shape check (host/config/shape.ts);
//  - text mutations of the source: syntax errors, wrong literal types, unknown identifiers, a
//    missing import, no default export, code that throws while the config is evaluated.
// A mutant is 1-3 mutations, drawn from its own seed (rng.ts mutantSeed): replayable alone.
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import { loadConfig } from "../config/load.ts";
import type { Config, VmConfig } from "../config/types.ts";
import { Rng } from "./rng.ts";

/** A shipped config to mutate: its source (imports made absolute) and the object it evaluates to. */
export interface Base { name: string; board: string; text: string; cfg: Config }

export interface Mutant {
  /** `s<seed>-m<index>`: also the file's name, so a build of it would go to build/<board>/<id>. */
  id: string;
  base: string;
  /** What `--board` names: a shipped board, or a mutation's unknown one. */
  board: string;
  /** The mutations applied, in order. */
  steps: string[];
  /** The file's text; null: the file is not written (a config path that does not exist). */
  text: string | null;
}

/** Every board with shipped configs: board/<name>/board.ts and board/<name>/configs/. */
function shippedBoards(): string[] {
  const root = path.join(PROJECT_ROOT, "board");
  return fs.readdirSync(root).filter((b) => fs.existsSync(path.join(root, b, "board.ts")) && fs.existsSync(path.join(root, b, "configs"))).sort();
}

/**
 * A config's source with every relative path made absolute (imports, image, dtb, initrd: the mutant
 * lives in a temporary directory); a file that only re-exports another board's config (the GICv2
 * board's) gives that config's source, so that text mutations have a config to work on.
 */
function absoluteSource(file: string): { text: string; dir: string } {
  const dir = path.dirname(file);
  const text = fs.readFileSync(file, "utf8");
  const reexport = /export\s*\{\s*default\s*\}\s*from\s*"(\.[^"]*)"/.exec(text);
  if (reexport) return absoluteSource(path.resolve(dir, reexport[1]));
  return { dir, text: text.replace(/((?:from|image:|dtb:|initrd:)\s*")(\.[^"]*)"/g, (_, before: string, p: string) => `${before}${path.resolve(dir, p)}"`) };
}

/** `cfg` with its file paths absolute, taken from `dir`. */
function absoluteFiles(cfg: Config, dir: string): Config {
  const abs = (p: string | undefined) => (p === undefined || p === "generate" ? p : path.resolve(dir, p));
  return {
    ...cfg,
    vms: cfg.vms.map((vm) => ({ ...vm, image: typeof vm.image === "string" ? abs(vm.image)! : vm.image, dtb: abs(vm.dtb), initrd: abs(vm.initrd) })),
  };
}

/** Every shipped config of every board, on its own board. */
export async function loadBases(): Promise<Base[]> {
  const out: Base[] = [];
  for (const board of shippedBoards()) {
    const dir = path.join(PROJECT_ROOT, "board", board, "configs");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
      const { text, dir: from } = absoluteSource(path.join(dir, file));
      const cfg = absoluteFiles(await loadConfig(path.join(dir, file), { typecheck: false }), from);
      out.push({ name: `${board}/${file.replace(/\.ts$/, "")}`, board, text, cfg });
    }
  }
  return out;
}

/** Code written as it is into the mutant (`NaN`, a value `as any`). */
class Raw {
  constructor(readonly code: string) {}
}
const asAny = (v: unknown) => new Raw(`(${toTs(v)} as any)`);

/** A value as a TypeScript expression: bigints as `0x...n`, keys bare when they can be. */
export function toTs(v: unknown, indent = ""): string {
  if (v instanceof Raw) return v.code;
  if (typeof v === "bigint") return `${v < 0n ? "-" : ""}0x${(v < 0n ? -v : v).toString(16)}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  if (v === null || typeof v === "boolean") return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => `${inner}${toTs(x, inner)},\n`).join("")}${indent}]` : "[]";
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
  return entries.length ? `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${toTs(x, inner)},\n`).join("")}${indent}}` : "{}";
}

export function configModule(cfg: unknown): string {
  return `// A config fuzzer mutant (host/fuzz/config-mutants.ts).\nimport { definePartitions } from "${path.join(PROJECT_ROOT, "host/config/types.ts")}";\n\nexport default definePartitions(${toTs(cfg)});\n`;
}

const MiB = 1n << 20n;
/** Addresses worth trying: board RAM's edges, the hypervisor's reserve, GIC frames, UART, virtio, beyond 40 and 48 bits. */
const ADDRESSES = [
  0n, 0x1000n, 0x08000000n, 0x08010000n, 0x08020000n, 0x08040000n, 0x08080000n, 0x080a0000n, 0x080e0000n, 0x09000000n,
  0x09010000n, 0x09020000n, 0x0a000000n, 0x0a000200n, 0x10000000n, 0x3eff0000n, 0x40000000n, 0x41fff000n, 0x42000000n,
  0x46000000n, 0x4a000000n, 0x7ffff000n, 0x80000000n, 1n << 40n, (1n << 40n) - 0x1000n, 1n << 48n, 1n << 63n, (1n << 64n) - 0x1000n,
];
/** Free in every shipped config: device IPAs (QEMU virt's platform bus) and RAM PAs (above every VM's). */
const FREE_IPA = 0x0c000000n;
const FREE_PA = 0x60000000n;
const SIZES = [0n, 1n, 0x1000n, 0x2000n, 2n * MiB, 64n * MiB, 0x3e000000n, 0x40000000n, 1n << 40n, 1n << 63n, 1n << 64n, (1n << 64n) - 0x1000n, -0x1000n];
const CPUS = [-1, 0, 1, 2, 3, 4, 7, 255, 256, 1e9, 2 ** 53, 1.5, NaN, Infinity, -0];
const INTIDS = [-1, 0, 15, 16, 31, 32, 33, 34, 48, 49, 79, 80, 1019, 1020, 1023, 4096, 2 ** 31, 1.5, NaN];
const NAMES = ["", "a", "Alpha", "hyp", "hyp2", "alpha", "beta", "victim", "a-very-long-vm-name", "abcdefghijklmnop", "0day", "a b", "a\nb", "a\"b", "a\\b", "ünï", "a\u001b[2J", "x".repeat(200)];
const IMAGES = ["nothere.bin", "/nonexistent/dir/image.bin", ".", "", "../../..", "/dev/null", path.join(PROJECT_ROOT, "package.json"), path.join(PROJECT_ROOT, "build/guests/baremetal.elf")];
const WRONG = [new Raw("NaN"), new Raw("Infinity"), null, true, "0x40000000", 0x40000000, -1, [], {}, [0x1000n], { ipa: 0n }];

type Region = { ipa: bigint; pa?: bigint; size: bigint; name?: string };
type ObjectMutation = (cfg: Config, r: Rng) => string | null;

/** Earlier mutations may have left anything where an array or a bigint was: later ones take what is there. */
const arr = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
const big = (x: unknown): bigint => (typeof x === "bigint" ? x : 0n);

/** A VM's name in a mutation's description (it may be anything by then). */
const nm = (vm: VmConfig) => toTs(vm.name);

function vmOf(cfg: Config, r: Rng): VmConfig | null {
  const vms = arr(cfg.vms).filter((v) => typeof v === "object" && v !== null);
  return vms.length ? r.pick(vms) : null;
}

/** Every RAM, device and shared region of the config, with its VM and a label. */
function regions(cfg: Config): { vm: VmConfig; where: string; reg: Region }[] {
  const region = (reg: unknown) => typeof reg === "object" && reg !== null && !(reg instanceof Raw);
  return arr(cfg.vms).filter(region).flatMap((vm) => [
    ...arr(vm.ram).map((reg, i) => ({ vm, where: `${nm(vm)}.ram[${i}]`, reg: reg as Region })),
    ...arr(vm.devices).map((reg, i) => ({ vm, where: `${nm(vm)}.devices[${i}]`, reg: reg as Region })),
    ...arr(vm.shared).map((reg, i) => ({ vm, where: `${nm(vm)}.shared[${i}]`, reg: reg as Region })),
  ].filter((x) => region(x.reg)));
}

const FIELDS = ["ipa", "pa", "size"] as const;

const OBJECT_MUTATIONS = {
  "overlap": (cfg, r) => {
    const all = regions(cfg);
    if (all.length < 2) return null;
    // Mostly another VM's physical memory: the overlap both the checker and the proof must refuse.
    const a = r.pick(all), others = all.filter((x) => x.vm !== a.vm);
    const b = others.length && r.chance(0.75) ? r.pick(others) : r.pick(all);
    const field = r.chance(0.7) ? "pa" : "ipa";
    const at = big(b.reg.pa ?? b.reg.ipa) + BigInt(r.int(4)) * 0x1000n;
    a.reg[field] = field === "ipa" ? big(b.reg.ipa) + BigInt(r.int(4)) * 0x1000n : at;
    return `${a.where}.${field} over ${b.where}`;
  },
  "misalign": (cfg, r) => {
    const all = regions(cfg);
    if (!all.length) return null;
    const a = r.pick(all), f = r.pick(FIELDS), by = BigInt(1 + r.int(0xfff));
    a.reg[f] = big(a.reg[f] ?? a.reg.ipa) + by;
    return `${a.where}.${f} += ${by}`;
  },
  "address": (cfg, r) => {
    const all = regions(cfg);
    if (!all.length) return null;
    const a = r.pick(all), f = r.pick(["ipa", "pa"] as const), v = r.pick(ADDRESSES);
    a.reg[f] = r.chance(0.2) ? -v : v;
    return `${a.where}.${f} = ${toTs(a.reg[f])}`;
  },
  "size": (cfg, r) => {
    const all = regions(cfg);
    if (!all.length) return null;
    const a = r.pick(all);
    // Half the time a size that may stay valid (within its own bounds), so some mutants are accepted.
    a.reg.size = r.chance(0.5) ? r.pick(SIZES) : (big(a.reg.size) / BigInt(1 + r.int(4))) & ~0xfffn;
    return `${a.where}.size = ${toTs(a.reg.size)}`;
  },
  "wrong type": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    const v = r.pick(WRONG);
    const targets: [Record<string, unknown>, string][] = [
      [vm as unknown as Record<string, unknown>, r.pick(["name", "cpus", "ram", "image", "uart", "interrupts", "devices", "shared", "entry", "dtb", "initrd", "bootargs", "scrubOnRestart"])],
      ...regions(cfg).filter((x) => x.where.startsWith(`${nm(vm)}.`)).map((x) => [x.reg as unknown as Record<string, unknown>, r.pick(["ipa", "pa", "size", "name", "peers", "dma", "compatible", "interrupts"])] as [Record<string, unknown>, string]),
      [cfg as unknown as Record<string, unknown>, "vms"],
    ];
    const [obj, key] = r.pick(targets);
    const hidden = r.chance(0.5);
    obj[key] = hidden ? asAny(v) : v;
    return `${key} = ${toTs(v)}${hidden ? " as any" : ""}`;
  },
  "delete field": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    const key = r.pick(["name", "cpus", "ram", "image"]);
    (vm as unknown as Record<string, unknown>)[key] = r.chance(0.5) ? asAny(undefined) : undefined;
    return `vm ${nm(vm)}: no ${key}`;
  },
  "duplicate name": (cfg, r) => {
    const vm = vmOf(cfg, r), other = vmOf(cfg, r);
    if (!vm || !other) return null;
    vm.name = other === vm && cfg.vms.length > 1 ? cfg.vms.find((v) => v !== vm)!.name : other.name;
    return `vm name = ${toTs(vm.name)}`;
  },
  "bad name": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    vm.name = r.pick(NAMES);
    return `vm name = ${toTs(vm.name)}`;
  },
  "duplicate cpu": (cfg, r) => {
    const vm = vmOf(cfg, r), other = vmOf(cfg, r);
    if (!vm || !other || !arr(other.cpus).length) return null;
    vm.cpus = [...arr(vm.cpus), r.pick(other.cpus)];
    return `vm ${nm(vm)} cpus = [${vm.cpus}]`;
  },
  "bad cpu": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    vm.cpus = r.chance(0.3) ? [] : [r.pick(CPUS), ...(r.chance(0.5) ? arr(vm.cpus) : [])].map((c) => (Number.isFinite(c) && !Object.is(c, -0) ? c : (new Raw(String(c)) as unknown as number)));
    return `vm ${nm(vm)} cpus = ${toTs(vm.cpus)}`;
  },
  "interrupt": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    const i = r.pick(INTIDS);
    vm.interrupts = [...arr(vm.interrupts), Number.isFinite(i) ? i : (new Raw(String(i)) as unknown as number)];
    return `vm ${nm(vm)} interrupts += ${i}`;
  },
  "many interrupts": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    const n = r.pick([200, 256, 300, 988]);
    vm.interrupts = Array.from({ length: n }, (_, k) => 34 + k).filter((i) => i <= 1019);
    return `vm ${nm(vm)}: ${vm.interrupts.length} interrupts`;
  },
  "many regions": (cfg, r) => {
    const vm = vmOf(cfg, r);
    const ram = arr(vm?.ram)[0];
    if (!vm || !ram) return null;
    // Split ram[0] into n equal pieces, each where it was: the same memory, valid, but many rows.
    const n = r.pick([2, 64, 255, 256, 300]);
    const piece = (big(ram.size) / BigInt(n)) & ~0xfffn;
    if (piece <= 0n) return null;
    const ipa = big(ram.ipa), pa = big(ram.pa ?? ram.ipa);
    vm.ram = [...Array.from({ length: n }, (_, k) => ({ ipa: ipa + BigInt(k) * piece, pa: pa + BigInt(k) * piece, size: piece })), ...vm.ram.slice(1)];
    return `vm ${nm(vm)}: ram in ${n} regions`;
  },
  "device": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    const pa = r.pick(ADDRESSES);
    // Half the time well-formed in every way but where its frames are (a free IPA, any PA): a
    // checker that let a reserved frame or another VM's memory through would accept it.
    const dev: Record<string, unknown> = r.chance(0.5)
      ? { name: `dev${r.int(1000)}`, ipa: FREE_IPA + BigInt(r.int(256)) * 0x1000n, pa, size: 0x1000n, dma: "unisolated" }
      : {
        name: r.pick(["rtc", "virtio", "msi", "uart1", "gpio", "Bad Name", "rtc"]),
        ipa: r.chance(0.5) ? pa : r.pick(ADDRESSES),
        pa,
        size: r.pick([0x1000n, 0x1000n, 0x10000n, 0n, 1n << 40n]),
        dma: r.pick(["none", "unisolated", undefined, asAny("bogus")]),
      };
    if (r.chance(0.3)) dev.interrupts = [r.pick(INTIDS)];
    if (r.chance(0.3)) dev.compatible = r.pick(["arm,pl031", ["virtio,mmio", "x"], "a\"b", "a\nb", asAny(7)]);
    vm.devices = [...arr(vm.devices), dev as never];
    return `vm ${nm(vm)} device ${toTs(dev).replace(/\s+/g, " ")}`;
  },
  "ram region": (cfg, r) => {
    const vm = vmOf(cfg, r), ram0 = arr(vm?.ram)[0];
    if (!vm || !ram0) return null;
    // Another 2 MiB of RAM: at an IPA inside its first region or a free one; at a free PA or another VM's.
    const other = regions(cfg).filter((x) => x.vm !== vm);
    const ipa = r.chance(0.7) ? big(ram0.ipa) + BigInt(r.int(16)) * 0x1000n : 0x80000000n;
    const pa = other.length && r.chance(0.3) ? big(r.pick(other).reg.pa ?? r.pick(other).reg.ipa) : FREE_PA + BigInt(r.int(16)) * 2n * MiB;
    vm.ram = [...vm.ram, { ipa, pa, size: 2n * MiB }];
    return `vm ${nm(vm)} ram += ${toTs({ ipa, pa }).replace(/\s+/g, " ")}`;
  },
  "shared": (cfg, r) => {
    const vm = vmOf(cfg, r), peer = vmOf(cfg, r);
    if (!vm || !peer) return null;
    const s = {
      name: r.pick(["chan", "marker", "Chan", ""]), ipa: r.pick(ADDRESSES), pa: r.pick(ADDRESSES), size: r.pick(SIZES),
      peers: r.pick([[peer.name], [], ["nobody"], [vm.name], [peer.name, peer.name]]),
    };
    if (r.chance(0.5)) { s.ipa = 0x50000000n; s.pa = 0x5e000000n; s.size = 0x1000n; }
    vm.shared = [...arr(vm.shared), s];
    return `vm ${nm(vm)} shared ${toTs(s).replace(/\s+/g, " ")}`;
  },
  "file": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    const key = r.pick(["image", "image", "dtb", "initrd"] as const);
    const v = r.pick(IMAGES);
    (vm as unknown as Record<string, unknown>)[key] = key === "image" && r.chance(0.2) ? { builtin: r.pick(["nosuch", "bench", "attack"]) } : v;
    return `vm ${nm(vm)} ${key} = ${toTs((vm as unknown as Record<string, unknown>)[key]).replace(/\s+/g, " ")}`;
  },
  "entry": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    vm.entry = r.chance(0.5) ? r.pick(ADDRESSES) : big(arr(vm.ram)[0]?.ipa) + BigInt(r.int(0x100000));
    return `vm ${nm(vm)} entry = ${toTs(vm.entry)}`;
  },
  "text fields": (cfg, r) => {
    const vm = vmOf(cfg, r);
    if (!vm) return null;
    vm.bootargs = r.pick(["console=ttyAMA0", "a\"b", "a\\", "line\nbreak", "};/ {", "ünï", "x".repeat(5000)]);
    if (r.chance(0.5)) vm.uart = r.pick(["none", "emulated", asAny("bogus")]) as "none";
    return `vm ${nm(vm)} bootargs = ${JSON.stringify(vm.bootargs).slice(0, 40)}, uart ${toTs(vm.uart)}`;
  },
  "vms": (cfg, r) => {
    const k = r.int(4);
    if (k === 0) cfg.vms = [];
    else if (k === 1 && arr(cfg.vms).length) cfg.vms.splice(r.int(cfg.vms.length), 1);
    else if (k === 2 && arr(cfg.vms).length) cfg.vms.push(structuredClone(r.pick(cfg.vms)));
    else cfg.vms = Array.from({ length: 300 }, (_, i) => ({ name: `v${i}`, cpus: [i], ram: [{ ipa: 0x40000000n, size: 0x1000n }], image: { builtin: "baremetal" } }));
    return ["no vms", "a vm removed", "a vm repeated", "300 vms"][k];
  },
} satisfies Record<string, ObjectMutation>;

type TextMutation = (text: string, r: Rng) => string | null;

/** Replaces one random match of `re` (global) in `text` by `to(match)`. */
function replaceOne(text: string, re: RegExp, r: Rng, to: (m: string) => string): string | null {
  const ms = [...text.matchAll(re)];
  if (!ms.length) return null;
  const m = r.pick(ms);
  return text.slice(0, m.index) + to(m[0]) + text.slice(m.index! + m[0].length);
}

/** The body of the config (after its imports): where text mutations aim, so that most still parse as a module. */
const BODY = /export default[\s\S]*/;

const TEXT_MUTATIONS: Record<string, TextMutation> = {
  "delete a delimiter": (t, r) => replaceOne(t, /[{}[\](),:]/g, r, () => ""),
  "insert a token": (t, r) => {
    const at = r.int(t.length);
    return t.slice(0, at) + r.pick([",", "}", "{", "]", "(", ";", "n", "0x", "\"", "`", "/*", "@", " as ", "=>", "\\", "\u0000", "\u2028"]) + t.slice(at);
  },
  "truncate": (t, r) => t.slice(0, r.int(t.length)),
  "bigint to number": (t, r) => replaceOne(t, /\b(0x[0-9a-fA-F]+|\d+)n\b/g, r, (m) => m.slice(0, -1)),
  "number to string": (t, r) => replaceOne(t, /(?<![\w.])(0x[0-9a-fA-F]+n?|\d+n?)(?![\w.])/g, r, (m) => `"${m}"`),
  "unknown identifier": (t, r) => replaceOne(t, /\b(MiB|IMAGE|definePartitions)\b/g, r, (m) => `${m}X`),
  "no default export": (t) => (t.includes("export default") ? t.replace("export default", "export const cfg =") : null),
  "default export not a config": (t, r) => t.replace(BODY, `export default ${r.pick(["42", "null", "\"vms\"", "[]", "{}", "{ vms: {} }", "undefined as any", "(() => {}) as any"])};\n`),
  "missing import": (t) => t.replace(/from\s+"[^"]*"/, `from "./no-such-module.ts"`),
  "throws when evaluated": (t, r) => {
    const body = BODY.exec(t);
    if (!body) return null;
    const bad = r.pick([
      "(() => { throw new Error(\"thrown by the config\"); })()",
      "(null as any).size",
      "(1 as any as bigint) * 2n",
      "BigInt(\"not a number\")",
      "(() => { throw \"a string\"; })()",
      "(() => { throw Object.create(null); })()",
      "(() => { throw new Error(\"\\u001b[2J\"); })()",
      "(() => { throw Object.assign(new Error(\"two\\nlines\"), { stack: \"x\\n    at y\" }); })()",
      "JSON.parse(\"{\")",
      "((x: any) => x.y.z)({})",
    ]);
    const done = replaceOne(body[0], /\b(0x[0-9a-fA-F]+n|\d+n \* MiB)/g, r, () => bad);
    return done && t.slice(0, body.index) + done;
  },
  "duplicate a line": (t, r) => {
    const lines = t.split("\n"), i = r.int(lines.length);
    lines.splice(i, 0, lines[i]);
    return lines.join("\n");
  },
  "delete a line": (t, r) => {
    const lines = t.split("\n");
    lines.splice(r.int(lines.length), 1);
    return lines.join("\n");
  },
  "wrong string": (t, r) => replaceOne(t, /"(emulated|baremetal|reset|attack|flood|harden|steady|marker)"/g, r, (m) => r.pick([`"${m.slice(1, -1).toUpperCase()}"`, "\"\"", "42", "undefined", "null"])),
};

/**
 * How often each object mutation is drawn: most often those whose mutant breaks one rule and is
 * otherwise valid (so that a checker that missed the rule would accept it, and the proof or the
 * independent checks in config-oracle.ts would say so).
 */
const OBJECT_WEIGHTS: Record<keyof typeof OBJECT_MUTATIONS, number> = {
  "overlap": 5, "misalign": 2, "address": 2, "size": 3, "wrong type": 2, "delete field": 1, "duplicate name": 2, "bad name": 1,
  "duplicate cpu": 3, "bad cpu": 1, "interrupt": 2, "many interrupts": 1, "many regions": 1, "device": 4, "ram region": 3, "shared": 3, "file": 2,
  "entry": 1, "text fields": 1, "vms": 1,
};

export const OBJECT_KINDS = Object.keys(OBJECT_MUTATIONS);
export const TEXT_KINDS = Object.keys(TEXT_MUTATIONS);

/** Mutant `id` of `base`, drawn from `rng`: 1-3 mutations (half the time one), all object or all text. */
export function mutate(base: Base, id: string, r: Rng): Mutant {
  const steps: string[] = [];
  const n = r.chance(0.5) ? 1 : 2 + r.int(2);
  let board = base.board;
  const k = r.int(20);
  if (k === 0) {
    // Configs and boards that do not exist.
    if (r.chance(0.5)) return { id, base: base.name, board, steps: ["the config file does not exist"], text: null };
    board = r.pick(["no-such-board", "", "../qemu-virt-gicv3/..", "qemu-virt-gicv3/../common", "common", "QEMU-VIRT-GICV3"]);
    steps.push(`--board ${JSON.stringify(board)}`);
  }
  if (k < 8) {
    let text = base.text;
    for (let i = 0; i < n; i++) {
      const kind = r.pick(TEXT_KINDS);
      const t = TEXT_MUTATIONS[kind](text, r);
      if (t !== null) { text = t; steps.push(kind); }
    }
    return { id, base: base.name, board, steps, text };
  }
  const cfg = structuredClone(base.cfg);
  for (let i = 0; i < n; i++) {
    const kind = r.weighted(OBJECT_WEIGHTS);
    const what = OBJECT_MUTATIONS[kind](cfg, r);
    if (what !== null) steps.push(`${kind}: ${what}`);
  }
  return { id, base: base.name, board, steps, text: configModule(cfg) };
}
