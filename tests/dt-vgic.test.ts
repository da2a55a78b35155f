// The device tree and the virtual GIC agree (issue 14): every interrupt a generated device tree
// names for a VM (host/config/dts.ts: devices, the timer, the PCI interrupt map, the passthrough
// list) is one that VM's virtual GIC implements (src/gic/vgic.ts vgicInit: the VM's own SPIs from
// the IRQ rows of its tables, the channels' and the emulated UART's virtual SPIs, every SGI and PPI of each vCPU) — for
// every shipped config of every board and for quick mode.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadBoard } from "../host/board.ts";
import { quickConfig } from "../host/config/check.ts";
import { vmChannels } from "../host/config/channels.ts";
import { guestDts } from "../host/config/dts.ts";
import { loadConfig } from "../host/config/load.ts";
import { uartEmulated, vmInterrupts } from "../host/config/model.ts";
import type { Config } from "../host/config/types.ts";

const BOARDS = ["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"];

/** Every INTID a DTS names: `interrupts` cells <type n flags> (0 SPI: 32 + n, 1 PPI: 16 + n) and the PCI `interrupt-map`'s GIC SPIs. */
function namedInterrupts(dts: string): number[] {
  const out: number[] = [];
  for (const m of dts.matchAll(/^\s*interrupts = (.*);$/gm)) {
    for (const c of m[1].matchAll(/<(\d+) (\d+) (?:0x)?[0-9a-f]+>/g)) out.push(Number(c[2]) + (c[1] === "0" ? 32 : 16));
  }
  for (const m of dts.matchAll(/&gic 0 0 0 (\d+) \d+>/g)) out.push(Number(m[1]) + 32);
  return out;
}

describe.each(BOARDS)("%s", (boardName) => {
  it("names in each VM's device tree only interrupts its virtual GIC implements", async () => {
    const board = await loadBoard(boardName);
    const dir = path.join(board.dir, "configs");
    const configs: [string, Config][] = [["quick mode", quickConfig(board, "guest.bin")]];
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".ts"))) configs.push([f, await loadConfig(path.join(dir, f))]);
    let named = 0;
    for (const [file, cfg] of configs) {
      for (const vm of cfg.vms) {
        const spis = new Set([...vmInterrupts(vm), ...vmChannels(cfg, vm).map((p) => p.intid)]);
        // The emulated PL011's SPI: a virtual SPI of every VM with an emulated UART, at the board
        // UART's INTID (src/el2/consolein.ts consoleInputInit; tests/vgic.test.ts, console-input).
        const uart = uartEmulated(vm) ? [board.facts.UART_INTID] : [];
        for (const intid of namedInterrupts(guestDts(board, cfg, vm))) {
          named++;
          const implemented = (intid >= 16 && intid < 32) || spis.has(intid) || uart.includes(intid);
          expect(implemented, `${file}: vm "${vm.name}" is told of INTID ${intid}, which its virtual GIC does not implement`).toBe(true);
        }
      }
    }
    expect(named).toBeGreaterThan(configs.length);
  });
});
