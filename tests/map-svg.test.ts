// `bulkhead map --svg` and `--html` (issue 13, "Look, don't read"): the drawing is rendered by
// headless Chromium (Debian's `chromium`; scripts/setup.sh --test installs it), and the picture must
// show each VM's colour, the hypervisor's and the GIC's, and the page must name every VM.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { cli } from "./cli.ts";
import { GIC_COLOUR, HYP_COLOUR, VM_COLOURS } from "../host/map-svg.ts";
import { colourCounts, readPng } from "./png.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-map-svg-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Chromium, headless, on `file`: a screenshot of `width` × `height` pixels, or the DOM it built. */
function chromium(file: string, what: { screenshot: string; width: number; height: number } | "dom"): string {
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", `--user-data-dir=${path.join(tmp, "profile")}`];
  if (what === "dom") args.push("--dump-dom");
  else args.push(`--window-size=${what.width},${what.height}`, `--screenshot=${what.screenshot}`);
  return execFileSync("chromium", [...args, `file://${file}`], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "ignore"] });
}

/** A deployment with every kind of range: RAM, a passthrough device (DMA unisolated), a shared region, three VMs. */
const CONFIG = `import { definePartitions } from "bulkhead";
const MiB = 1n << 20n;
export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    { name: "linux", cpus: [0, 1], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x50000000n, size: 256n * MiB }],
      devices: [{ name: "virtio", ipa: 0x0a000000n, size: 0x1000n, interrupts: [48], dma: "unisolated" }],
      shared: [{ name: "ring", ipa: 0x60000000n, pa: 0x4ff00000n, size: 0x10000n, peers: ["control-loop"] }] },
    { name: "control-loop", cpus: [2], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }] },
    { name: "logger", cpus: [3], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }] },
  ],
});
`;
const VMS = ["linux", "control-loop", "logger"];

describe("bulkhead map --svg / --html", () => {
  const config = path.join(tmp, "three.ts");
  fs.writeFileSync(config, CONFIG);

  it("draws every VM's ranges in its colour, the hypervisor's and the GIC's, on a picture that is not blank", async () => {
    const svg = path.join(tmp, "three.svg");
    const r = await cli("map", config, "--svg", svg);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${svg}: the memory maps of 3 VMs on qemu-virt-gicv3`);
    const text = fs.readFileSync(svg, "utf8");
    const [, width, height] = /<svg [^>]*width="(\d+)" height="(\d+)"/.exec(text) ?? [];
    expect(Number(width)).toBeGreaterThan(0);
    const png = path.join(tmp, "three.png");
    chromium(svg, { screenshot: png, width: Number(width), height: Number(height) });
    const pixels = readPng(png);
    expect([pixels.width, pixels.height]).toEqual([Number(width), Number(height)]);
    const counts = colourCounts(pixels);
    // Not blank: the background is at most most of it, and each owner's colour fills at least a block's worth.
    const [, background] = [...counts].sort((a, b) => b[1] - a[1])[0];
    expect(background / (pixels.width * pixels.height)).toBeLessThan(0.95);
    for (const [owner, colour] of [...VMS.map((v, i) => [v, VM_COLOURS[i]]), ["hypervisor", HYP_COLOUR], ["GIC", GIC_COLOUR]]) {
      expect(counts.get(colour) ?? 0, `${owner} ${colour}`).toBeGreaterThan(500);
    }
  });

  it("names every VM, its ranges and the shared region's two VMs in the page", async () => {
    const html = path.join(tmp, "three.html");
    const r = await cli("map", config, "--html", html);
    expect(r.status, r.stderr).toBe(0);
    const dom = chromium(html, "dom");
    for (const vm of VMS) expect(dom).toContain(`vm ${vm}: guest-physical`);
    expect(dom).toContain(`linux + control-loop: shared "ring"`);
    expect(dom).toMatch(/0x50000000-0x5fffffff {2}256 MiB/);
    expect(dom).toMatch(/linux: device "virtio" \(ipa 0xa000000-0xa000fff\) — DMA unisolated/);
    expect(dom).toContain("hypervisor: hypervisor's RAM reserve");
    expect(dom).toContain("hypervisor: GIC distributor (GICD)");
    expect(dom).toContain("hypervisor: virtual GIC distributor");
  });

  it("draws a shipped config of each board", async () => {
    for (const board of ["qemu-virt-gicv2", "rpi4"]) {
      const svg = path.join(tmp, `${board}.svg`);
      const r = await cli("map", path.join(PROJECT_ROOT, `board/${board}/configs/default.ts`), "--svg", svg);
      expect(r.status, r.stderr).toBe(0);
      expect(fs.readFileSync(svg, "utf8")).toContain(`${board}: physical memory`);
    }
  });
});
