// docs/config.md's complete examples ("### Example: <board>"), one per board, are configs `bulkhead check` accepts (with
// stand-in files of the sizes they name: an ELF test guest, a 27 MiB Image, a 2 MiB initramfs),
// and its field tables name every field of the schema (host/config/types.ts).
import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { loadBoard } from "../host/board.ts";
import { checkConfig } from "../host/config/check.ts";
import { builtinImage } from "../host/config/images.ts";
import { boardOfConfig, loadConfig } from "../host/config/load.ts";

const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs/config.md"), "utf8");
const tmp = path.join(PROJECT_ROOT, "build/tmp/config-docs");
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("docs/config.md", () => {
  it("has a complete example for every board, and each passes check", async () => {
    fs.mkdirSync(tmp, { recursive: true });
    const elf = builtinImage("baremetal").replace(/\.bin$/, ".elf");
    for (const f of ["control.elf", "loop.elf", "rtos.elf"]) fs.copyFileSync(elf, path.join(tmp, f));
    fs.writeFileSync(path.join(tmp, "Image"), Buffer.alloc(27 << 20));
    fs.writeFileSync(path.join(tmp, "initramfs.cpio"), Buffer.alloc(2 << 20));
    // The first code block of each "### Example: <board>" section.
    const examples = doc.split(/^### Example: /m).slice(1).map((sec) => /```ts\n(.*?)```/s.exec(sec)![1]);
    const boards = new Set<string>();
    for (const [i, text] of examples.entries()) {
      const file = path.join(tmp, `example-${i}.ts`);
      fs.writeFileSync(file, text);
      const cfg = await loadConfig(file);
      const board = await loadBoard(boardOfConfig(cfg, file, undefined));
      expect(checkConfig(board, cfg, {}), `example ${i}:\n${text}`).toEqual([]);
      boards.add(board.host.name);
    }
    expect([...boards].sort()).toEqual(["qemu-virt-gicv3", "rpi4"]);
    // The GICv2 board is the GICv3 example with its board changed: said so in the example.
    expect(doc).toContain(`board: "qemu-virt-gicv3",             // "qemu-virt-gicv2": the same addresses, a GICv2`);
  });

  it("describes every field of a VM, its memory and its devices", () => {
    const types = fs.readFileSync(path.join(PROJECT_ROOT, "host/config/types.ts"), "utf8");
    for (const iface of ["VmConfig", "DeviceRegion", "BoardDevice", "RamRegion", "SharedRegion"]) {
      const body = new RegExp(`export interface ${iface} \\{(.*?)\\n\\}`, "s").exec(types)?.[1] ?? "";
      const fields = [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
      expect(fields.length, iface).toBeGreaterThan(0);
      for (const f of fields) expect(doc, `${iface}.${f}`).toMatch(new RegExp(`\`${f}\``));
    }
  });
});
