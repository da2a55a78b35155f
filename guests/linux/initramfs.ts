// Writes an initramfs (cpio "newc" archive, Linux Documentation/driver-api/early-userspace) with
// /bin/busybox, /init and the directories they need. Host tool: guests/linux/build.sh runs it.
import fs from "node:fs";

const [busybox, init, out] = process.argv.slice(2);
if (!busybox || !init || !out) throw new Error("usage: initramfs.ts BUSYBOX INIT OUT.cpio");

const parts: Buffer[] = [];
let ino = 1;
const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

function entry(name: string, mode: number, data: Buffer = Buffer.alloc(0), rdev: [number, number] = [0, 0]): void {
  const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], name.length + 1, 0];
  const header = "070701" + fields.map((f) => f.toString(16).padStart(8, "0")).join("");
  const head = Buffer.from(header + name + "\0", "latin1");
  parts.push(head, pad4(head.length), data, pad4(data.length));
}

entry("bin", 0o040755);
entry("dev", 0o040755);
entry("dev/console", 0o020600, undefined, [5, 1]); // the kernel opens it for init's stdin/stdout/stderr
entry("proc", 0o040755);
entry("sys", 0o040755);
entry("bin/busybox", 0o100755, fs.readFileSync(busybox));
entry("bin/sh", 0o120777, Buffer.from("busybox"));
entry("init", 0o100755, fs.readFileSync(init));
entry("TRAILER!!!", 0);
fs.writeFileSync(out, Buffer.concat(parts));
