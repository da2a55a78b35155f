// Writes the Linux test guest's initramfs (cpio "newc" archive, Linux
// Documentation/driver-api/early-userspace): /bin/busybox, /init, the kernel modules named in
// guests/linux/modules with everything they depend on, and the test scripts of guests/linux/tests/.
// Host tool: guests/linux/build.sh runs it.
//
//   initramfs.ts OUT.cpio BUSYBOX INIT MODULE_ROOT MODULE_LIST SCRIPT_DIR [PROGRAM...]
//
// Each PROGRAM (a static arm64 executable, such as guests/channel/linux-peer.c) goes to /bin.
// MODULE_ROOT is the kernel package's lib/modules/<version>. Debian's package ships no modules.dep
// (depmod writes it at install time), so each module's dependencies are read from the `depends=`
// entry of its ELF `.modinfo` section; /etc/modules lists the modules' paths in load order
// (dependencies first) for /init's insmod.
import fs from "node:fs";
import path from "node:path";

const [out, busybox, init, moduleRoot, moduleList, scriptDir, ...programs] = process.argv.slice(2);
if (!scriptDir) throw new Error("usage: initramfs.ts OUT.cpio BUSYBOX INIT MODULE_ROOT MODULE_LIST SCRIPT_DIR");

const parts: Buffer[] = [];
let ino = 1;
const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

function entry(name: string, mode: number, data: Buffer = Buffer.alloc(0), rdev: [number, number] = [0, 0]): void {
  const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], name.length + 1, 0];
  const header = "070701" + fields.map((f) => f.toString(16).padStart(8, "0")).join("");
  const head = Buffer.from(header + name + "\0", "latin1");
  parts.push(head, pad4(head.length), data, pad4(data.length));
}

/** Every directory on the way to `file`, each once, before the file itself. */
const dirs = new Set<string>();
function mkdirs(file: string): void {
  const parent = path.posix.dirname(file);
  if (parent === "." || dirs.has(parent)) return;
  mkdirs(parent);
  dirs.add(parent);
  entry(parent, 0o040755);
}

/** The names in a module's `.modinfo` `depends=` entry (comma-separated, possibly empty). */
function modinfoDepends(ko: Buffer, file: string): string[] {
  const shoff = Number(ko.readBigUInt64LE(0x28));
  const shentsize = ko.readUInt16LE(0x3a);
  const shnum = ko.readUInt16LE(0x3c);
  const strtab = shoff + ko.readUInt16LE(0x3e) * shentsize;
  const strOff = Number(ko.readBigUInt64LE(strtab + 0x18));
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    const nameAt = strOff + ko.readUInt32LE(sh);
    if (ko.toString("latin1", nameAt, ko.indexOf(0, nameAt)) !== ".modinfo") continue;
    const at = Number(ko.readBigUInt64LE(sh + 0x18));
    const info = ko.toString("latin1", at, at + Number(ko.readBigUInt64LE(sh + 0x20))).split("\0");
    const dep = info.find((s) => s.startsWith("depends="));
    return dep ? dep.slice("depends=".length).split(",").filter(Boolean) : [];
  }
  throw new Error(`${file}: no .modinfo section`);
}

/** Module name (as modinfo spells it: `-` and `_` alike) → its path under MODULE_ROOT. */
const index = new Map<string, string>();
(function walk(dir: string): void {
  for (const d of fs.readdirSync(path.join(moduleRoot, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, d.name);
    if (d.isDirectory()) walk(rel);
    else if (d.name.endsWith(".ko")) index.set(d.name.slice(0, -3).replace(/-/g, "_"), rel);
  }
})("kernel");

/** Module paths in load order: each after everything it depends on. */
const order: string[] = [];
function need(name: string, from: string): void {
  const rel = index.get(name.replace(/-/g, "_"));
  if (!rel) throw new Error(`${from}: no module "${name}" in ${moduleRoot}`);
  if (order.includes(rel)) return;
  for (const dep of modinfoDepends(fs.readFileSync(path.join(moduleRoot, rel)), rel)) need(dep, rel);
  order.push(rel);
}
fs.readFileSync(moduleList, "utf8").split("\n").forEach((line, i) => {
  const name = line.replace(/#.*/, "").trim();
  if (name) need(name, `${moduleList}:${i + 1}`);
});

for (const d of ["bin", "dev", "proc", "sys", "etc", "tests"]) { dirs.add(d); entry(d, 0o040755); }
entry("dev/console", 0o020600, undefined, [5, 1]); // the kernel opens it for init's stdin/stdout/stderr
entry("bin/busybox", 0o100755, fs.readFileSync(busybox));
entry("bin/sh", 0o120777, Buffer.from("busybox"));
entry("init", 0o100755, fs.readFileSync(init));
const kver = path.basename(moduleRoot);
for (const rel of order) {
  const dest = `lib/modules/${kver}/${rel}`;
  mkdirs(dest);
  entry(dest, 0o100644, fs.readFileSync(path.join(moduleRoot, rel)));
}
entry("etc/modules", 0o100644, Buffer.from(order.map((rel) => `/lib/modules/${kver}/${rel}\n`).join("")));
for (const f of fs.readdirSync(scriptDir).sort()) entry(`tests/${f}`, 0o100755, fs.readFileSync(path.join(scriptDir, f)));
for (const p of programs) entry(`bin/${path.basename(p)}`, 0o100755, fs.readFileSync(p));
entry("TRAILER!!!", 0);
// Replaced whole (a rename), and only when it changed: a build reading it meanwhile sees one whole file.
const cpio = Buffer.concat(parts);
if (!fs.existsSync(out) || !fs.readFileSync(out).equals(cpio)) {
  fs.writeFileSync(`${out}.tmp`, cpio);
  fs.renameSync(`${out}.tmp`, out);
}
