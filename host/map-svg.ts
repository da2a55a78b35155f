// `bulkhead map --svg FILE` / `--html FILE`: the memory maps drawn — the board's physical memory and
// each VM's guest-physical space side by side, every range coloured by its owner (host/config/map.ts
// gives the ranges, from the same placement code as check and build).
//
// Address spaces are sparse (a GIC at 128 MiB, RAM at 1 GiB), so the drawing is not to scale: each
// range is a block whose height grows with the logarithm of its size, in address order, and a gap
// between two ranges that do not touch is a dashed break.
import type { Board } from "./board.ts";
import type { Config } from "./config/types.ts";
import { guestMap, physicalMap, type MapRegion } from "./config/map.ts";
import { MiB, KiB, span, vmInterrupts, type Range } from "./config/model.ts";

/** Owner colours: VMs in config order (cycling), then the hypervisor's and the GIC's. */
export const VM_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#ff9da7", "#9c755f"];
export const HYP_COLOUR = "#555555";
export const GIC_COLOUR = "#7b4fa0";
const WITHHELD_COLOUR = "#1b1b1b";
const DMA_COLOUR = "#d62728";

const FONT = 11;
/** A monospace character's advance at FONT (DejaVu Sans Mono: 0.602 em), rounded up. */
const CHAR_W = 6.7;
const BAR_W = 34;
const PAD = 16;
const COLUMN_GAP = 28;
const BREAK_H = 14;
const HEADER_H = 52;
/** Labels longer than this are cut (the whole text is the block's tooltip). */
const LABEL_MAX = 64;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

/** `32 MiB`, `4 KiB`, `1 GiB`, `≈14.9 MiB`: a size as a reader takes it in. */
export function sizeText(size: bigint): string {
  for (const [unit, n] of [["GiB", 1024n * MiB], ["MiB", MiB], ["KiB", KiB]] as const) {
    if (size % n === 0n && size >= n) return `${size / n} ${unit}`;
    if (size >= n) return `≈${(Number((size * 10n) / n) / 10).toFixed(1)} ${unit}`;
  }
  return `${size} B`;
}

/** Block height: 30 px for a page, 4 px more for each doubling, at most 110 px. */
function blockHeight(size: bigint): number {
  const log2 = size > 0n ? size.toString(2).length - 1 : 0;
  return Math.min(110, 30 + 4 * Math.max(0, log2 - 12));
}

function cut(s: string): string {
  return s.length > LABEL_MAX ? s.slice(0, LABEL_MAX - 1) + "…" : s;
}

interface Column {
  title: string;
  subtitle: string;
  regions: MapRegion[];
}

/** Fills: one per owner and kind, as patterns where a solid colour would not tell them apart. */
class Palette {
  readonly defs: string[] = [];
  private readonly vmColour = new Map<string, string>();
  private readonly made = new Set<string>();

  constructor(vmNames: string[]) {
    vmNames.forEach((n, i) => this.vmColour.set(n, VM_COLOURS[i % VM_COLOURS.length]));
  }

  colour(owner: string): string {
    return this.vmColour.get(owner) ?? (owner === "withheld" ? WITHHELD_COLOUR : HYP_COLOUR);
  }

  fill(r: MapRegion): string {
    switch (r.kind) {
      case "free": return "#ffffff";
      case "gic": return GIC_COLOUR;
      case "RAM": return this.colour(r.owners[0]);
      case "emulated": return /GIC/.test(r.what) ? this.pattern("pale-gic", GIC_COLOUR, "#ffffff", 0.45) : this.pattern("pale-hyp", HYP_COLOUR, "#ffffff", 0.45);
      case "reserved": return r.owners[0] === "withheld" ? this.stripes("withheld", [WITHHELD_COLOUR, "#8a8a8a"]) : HYP_COLOUR;
      case "device": return this.stripes(`device-${r.owners[0]}`, [this.colour(r.owners[0]), "#ffffff"], 4, 2);
      case "shared": return this.stripes(`shared-${r.owners.join("-")}`, r.owners.map((o) => this.colour(o)));
    }
  }

  /** Diagonal stripes of `colours` (each `w` px wide; the first `first` px wide when given). */
  private stripes(id: string, colours: string[], w = 6, first?: number): string {
    if (!this.made.has(id)) {
      this.made.add(id);
      const widths = colours.map((_, i) => (i === 0 && first !== undefined ? w + first : w));
      const total = widths.reduce((a, b) => a + b, 0);
      let x = 0;
      const bands = colours.map((c, i) => {
        const band = `<rect x="${x}" y="0" width="${widths[i]}" height="${total}" fill="${c}"/>`;
        x += widths[i];
        return band;
      });
      this.defs.push(`<pattern id="${esc(id)}" width="${total}" height="${total}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">${bands.join("")}</pattern>`);
    }
    return `url(#${esc(id)})`;
  }

  /** `colour` at `opacity` over `ground`. */
  private pattern(id: string, colour: string, ground: string, opacity: number): string {
    if (!this.made.has(id)) {
      this.made.add(id);
      this.defs.push(`<pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${ground}"/><rect width="8" height="8" fill="${colour}" fill-opacity="${opacity}"/></pattern>`);
    }
    return `url(#${id})`;
  }
}

function columnWidth(c: Column): number {
  const label = Math.max(...c.regions.map((r) => Math.max(labelTop(r).length, cut(labelBottom(r)).length)), 0);
  return Math.ceil(BAR_W + 8 + CHAR_W * Math.max(label, c.title.length - 6, c.subtitle.length - 6));
}

function labelTop(r: MapRegion): string {
  return `${span(r.base, r.size)}  ${sizeText(r.size)}`;
}

function labelBottom(r: MapRegion): string {
  const who = r.kind === "free" ? "free" : r.owners.join(" + ");
  const what = r.kind === "free" ? "" : `: ${r.what}`;
  return `${who}${what}${r.where ? ` (${r.where})` : ""}${r.dmaUnisolated ? " — DMA unisolated: reaches all memory" : ""}`;
}

/** One column's blocks, from `y`; returns its SVG and its bottom. */
function drawColumn(c: Column, x: number, y: number, p: Palette): { svg: string[]; bottom: number } {
  const svg = [
    `<text x="${x}" y="${y - 30}" font-size="${FONT + 3}" font-weight="bold" data-column="${esc(c.title)}">${esc(c.title)}</text>`,
    `<text x="${x}" y="${y - 14}" fill="#444">${esc(c.subtitle)}</text>`,
  ];
  let end: bigint | undefined;
  for (const r of c.regions) {
    if (end !== undefined && r.base > end) {
      svg.push(`<line x1="${x - 4}" y1="${y + BREAK_H / 2}" x2="${x + BAR_W + 4}" y2="${y + BREAK_H / 2}" stroke="#999" stroke-dasharray="3 3"/>`);
      y += BREAK_H;
    }
    const h = blockHeight(r.size);
    const stroke = r.dmaUnisolated ? `stroke="${DMA_COLOUR}" stroke-width="3"` : `stroke="#333" stroke-width="1"${r.kind === "free" ? ` stroke-dasharray="4 2"` : ""}`;
    const full = `${labelTop(r)}\n${labelBottom(r)}`;
    svg.push(
      `<g data-kind="${r.kind}" data-owners="${esc(r.owners.join(" "))}"><title>${esc(full)}</title>`,
      `<rect x="${x}" y="${y}" width="${BAR_W}" height="${h}" fill="${p.fill(r)}" ${stroke}/>`,
      `<text x="${x + BAR_W + 8}" y="${y + 12}" fill="#222">${esc(labelTop(r))}</text>`,
      `<text x="${x + BAR_W + 8}" y="${y + 25}" fill="${r.kind === "free" ? "#888" : "#000"}">${esc(cut(labelBottom(r)))}</text>`,
      `</g>`,
    );
    y += h;
    const e = r.base + r.size;
    end = end === undefined || e > end ? e : end;
  }
  return { svg, bottom: y };
}

/** The legend: a swatch for every owner, then for every kind of range. */
function drawLegend(cfg: Config, p: Palette, x: number, y: number): { svg: string[]; bottom: number } {
  const none = { base: 0n, size: 0n, what: "" };
  const entries: { label: string; fill: string; dashed?: boolean }[] = [
    ...cfg.vms.map((v) => ({ label: `vm ${v.name}`, fill: p.colour(v.name) })),
    { label: "hypervisor", fill: HYP_COLOUR },
    { label: "GIC", fill: GIC_COLOUR },
    { label: "withheld from every VM", fill: p.fill({ ...none, kind: "reserved", owners: ["withheld"] }) },
    { label: "emulated for the VM", fill: p.fill({ ...none, kind: "emulated", owners: ["hypervisor"] }) },
    { label: "free RAM", fill: "#ffffff", dashed: true },
  ];
  const svg = [`<text x="${x}" y="${y}" font-weight="bold">owners</text>`];
  let at = x;
  y += 10;
  for (const e of entries) {
    const w = 22 + 8 + Math.ceil(CHAR_W * e.label.length) + 18;
    svg.push(
      `<rect x="${at}" y="${y}" width="22" height="14" fill="${e.fill}" stroke="#333"${e.dashed ? ` stroke-dasharray="4 2"` : ""}/>`,
      `<text x="${at + 30}" y="${y + 11}">${esc(e.label)}</text>`,
    );
    at += w;
  }
  y += 28;
  svg.push(`<text x="${x}" y="${y}" fill="#444">Not to scale: a block's height grows with the logarithm of its size; a dashed line is a gap in the address space. A shared region is striped in its VMs' colours; a device whose DMA is unisolated has a red border.</text>`);
  return { svg, bottom: y + 8 };
}

/** The drawing, as a standalone SVG document. `hyp` is the hypervisor's RAM reserve, as check and build compute it. */
export function mapSvg(board: Board, cfg: Config, hyp: Range, title: string): string {
  const f = board.facts;
  const p = new Palette(cfg.vms.map((v) => v.name));
  const columns: Column[] = [
    { title: `${f.BOARD_NAME}: physical memory`, subtitle: `${f.CPU_COUNT} CPUs, GICv${f.GIC_VERSION}`, regions: physicalMap(board, cfg, hyp) },
    ...cfg.vms.map((vm) => {
      const irqs = vmInterrupts(vm);
      return {
        title: `vm ${vm.name}: guest-physical`,
        subtitle: `CPUs ${vm.cpus.join(", ")}${irqs.length ? `; SPIs ${irqs.join(", ")}` : ""}`,
        regions: guestMap(board, cfg, vm),
      };
    }),
  ];
  const body: string[] = [];
  let x = PAD;
  let bottom = 0;
  const top = PAD + 24 + HEADER_H;
  for (const c of columns) {
    const d = drawColumn(c, x, top, p);
    body.push(...d.svg);
    bottom = Math.max(bottom, d.bottom);
    x += columnWidth(c) + COLUMN_GAP;
  }
  const legend = drawLegend(cfg, p, PAD, bottom + 30);
  const width = Math.max(x - COLUMN_GAP + PAD, 900);
  const height = legend.bottom + PAD;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, monospace" font-size="${FONT}">`,
    `<title>${esc(title)}</title>`,
    `<defs>${p.defs.join("")}</defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD}" y="${PAD + 14}" font-size="${FONT + 5}" font-weight="bold">${esc(title)}</text>`,
    ...body,
    ...legend.svg,
    `</svg>`,
    "",
  ].join("\n");
}

/** The drawing in a page of its own (`bulkhead map --html`). */
export function mapHtml(board: Board, cfg: Config, hyp: Range, title: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>\n<body style="margin:0">\n${mapSvg(board, cfg, hyp, title)}</body></html>\n`;
}
