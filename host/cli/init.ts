// `bulkhead init <dir>`: a deployment of one's own, in any folder: a starter config for a board,
// and beside it what makes `import { definePartitions } from "bulkhead"` resolve for the editor and
// for `npx tsc` (bulkhead itself resolves it anyway: host/config/esm-hooks.mjs):
//  - package.json: `"type": "module"`, and bulkhead and typescript as devDependencies;
//  - tsconfig.json: the options `bulkhead check` type-checks a config with;
//  - node_modules/: what `npm install` makes of those dependencies, linked to this checkout so that
//    it works offline (bulkhead's `file:` dependency is a link for npm too).
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import { DEFAULT_BOARD_NAME, boardNames, loadBoard, type BoardFacts } from "../board.ts";
import { hex } from "../config/model.ts";
import { BOARD_FLAG } from "../commands.ts";
import { UsageError, type Command } from "./args.ts";

export const STARTER_CONFIG = "partitions.ts";

export const initCommand: Command = {
  name: "init",
  summary: "start a deployment in a folder of your own: a starter config, package.json and tsconfig.json",
  positionals: { synopsis: "<dir>", min: 1, max: 1 },
  flags: [{ ...BOARD_FLAG, help: `the board the config is for (default ${DEFAULT_BOARD_NAME}): ${BOARD_FLAG.help.split(": ")[1].split(" (")[0]}` }],
  details: [`Writes <dir>/${STARTER_CONFIG}, package.json and tsconfig.json, and links node_modules/bulkhead and node_modules/typescript to this checkout; refuses to overwrite any of them. Then: \`cd <dir>; npx tsc\` type-checks the config as the editor does, \`npx bulkhead check ${STARTER_CONFIG}\` checks it against the board.`],
  async run(a) {
    const dir = path.resolve(a.positional[0]);
    const name = a.get("--board") ?? DEFAULT_BOARD_NAME;
    if (!boardNames().includes(name)) throw new UsageError(`unknown board ${JSON.stringify(name)} (boards: ${boardNames().join(", ")})`);
    const board = await loadBoard(name);
    const files: [string, string][] = [
      [STARTER_CONFIG, starterConfig(board.host.name, board.facts)],
      ["package.json", packageJson(dir)],
      ["tsconfig.json", `${JSON.stringify(TSCONFIG, null, 2)}\n`],
    ];
    const present = files.map(([f]) => f).filter((f) => fs.existsSync(path.join(dir, f)));
    if (present.length) {
      console.error(`bulkhead init: ${dir} already has ${present.join(", ")}: nothing written`);
      return 1;
    }
    fs.mkdirSync(dir, { recursive: true });
    for (const [f, text] of files) fs.writeFileSync(path.join(dir, f), text);
    linkDependencies(dir);
    const shown = path.relative(process.cwd(), dir) || ".";
    console.log(`${shown}: ${files.map(([f]) => f).join(", ")} for board ${board.host.name}`);
    console.log(`next: cd ${shown}; npx tsc; npx bulkhead check ${STARTER_CONFIG}; npx bulkhead run --config ${STARTER_CONFIG}`);
    return 0;
  },
};

/** host/config/load.ts's type-check options, for tsc and the editor. */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022", module: "ESNext", moduleResolution: "bundler", strict: true, noEmit: true,
    allowImportingTsExtensions: true, skipLibCheck: true, types: [], lib: ["ES2022"],
  },
  include: ["*.ts"],
};

function packageJson(dir: string): string {
  const typescript = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "node_modules/typescript/package.json"), "utf8")) as { version: string }).version;
  const pkg = {
    name: path.basename(dir).toLowerCase().replace(/[^a-z0-9._-]/g, "-").replace(/^[._]/, "") || "deployment",
    private: true,
    type: "module",
    devDependencies: { bulkhead: `file:${PROJECT_ROOT}`, typescript },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** node_modules as `npm install` leaves it for package.json's dependencies, linked to this checkout. */
function linkDependencies(dir: string): void {
  const nm = path.join(dir, "node_modules");
  fs.mkdirSync(path.join(nm, ".bin"), { recursive: true });
  const link = (target: string, at: string) => {
    fs.rmSync(at, { force: true });
    fs.symlinkSync(target, at);
  };
  link(PROJECT_ROOT, path.join(nm, "bulkhead"));
  link(path.join(PROJECT_ROOT, "node_modules/typescript"), path.join(nm, "typescript"));
  link("../typescript/bin/tsc", path.join(nm, ".bin/tsc"));
  link("../bulkhead/bin/bulkhead.mjs", path.join(nm, ".bin/bulkhead"));
}

const MiB = 1n << 20n;

/**
 * A bare-metal VM (the checkout's test guest) that runs as written, and a Linux VM to uncomment.
 * Their RAM starts 64 MiB into the board's RAM: the hypervisor's reserve grows to 64 MiB when it
 * carries a Linux Image of up to ~55 MiB with its initrd (docs/config.md, "The reserve").
 */
export function starterConfig(board: string, f: BoardFacts): string {
  const rtosPa = f.RAM_BASE + 64n * MiB;
  const linuxPa = rtosPa + 64n * MiB;
  const linuxCpus = Array.from({ length: f.CPU_COUNT - 1 }, (_, i) => i + 1).join(", ");
  return `// A deployment on ${board}, written by \`bulkhead init\`; docs/config.md (in the bulkhead checkout)
// describes every field. Addresses and sizes are bigints: 0x40000000n.
//   npx tsc                                  type-check this file as the editor does
//   npx bulkhead check ${STARTER_CONFIG}           check it against the board
//   npx bulkhead map ${STARTER_CONFIG}             the board's memory with the owner of every range
//   npx bulkhead run --config ${STARTER_CONFIG}    build and boot it in QEMU
import { definePartitions } from "bulkhead";

const MiB = 1n << 20n;

export default definePartitions({
  board: "${board}",
  vms: [
    {
      // Bare metal: bulkhead's own test guest; give the path of your ELF file or binary instead.
      name: "rtos",
      cpus: [0],
      ram: [{ ipa: 0x40000000n, pa: ${hex(rtosPa)}n, size: 64n * MiB }],
      image: { builtin: "baremetal" },
    },
    // Linux: uncomment, and name your kernel Image and initramfs (paths are relative to this file).
    // {
    //   name: "linux",
    //   cpus: [${linuxCpus}],
    //   ram: [{ ipa: 0x40000000n, pa: ${hex(linuxPa)}n, size: 256n * MiB }],
    //   image: "Image",
    //   initrd: "initramfs.cpio",
    //   bootargs: "console=ttyAMA0 earlycon=pl011,${hex(f.UART_BASE)} rdinit=/init",
    // },
  ],
});
`;
}
