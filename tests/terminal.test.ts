// `bulkhead run` on a terminal (qemu/terminal.ts): through a pseudo-terminal (Python's pty module
// runs the CLI on its slave side), the keys reach the focused VM, Ctrl-A x ends the run, and the
// terminal is back in its own mode (canonical, echoing) afterwards. The console config's
// bare-metal VMs echo what they get (board/qemu-virt-gicv3/configs/console.ts).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../compiler/program.ts";

const DRIVER = `
import os, pty, select, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("node", ["node", "bin/bulkhead.mjs", "run", "--config", "board/qemu-virt-gicv3/configs/console.ts", "--timeout", "60"])
out = b""
def wait_for(s, t=50):
    global out
    end = time.time() + t
    while time.time() < end and s not in out:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            out += d
    return s in out
raw = not (termios.tcgetattr(fd)[3] & termios.ICANON)
ready = wait_for(b"[deaf] deaf: ready")
raw = raw or not (termios.tcgetattr(fd)[3] & termios.ICANON)
os.write(fd, b"typed-here\\r")
got = wait_for(b"[left] echo: got typed-here")
os.write(fd, b"\\x01x")
_, status = os.waitpid(pid, 0)
lflag = termios.tcgetattr(fd)[3]
print("ready", ready, "raw-while-running", raw, "got", got, "status", status >> 8,
      "restored", bool(lflag & termios.ICANON) and bool(lflag & termios.ECHO))
`;

describe("bulkhead run on a terminal", () => {
  it("passes the keys to the focused VM in raw mode, ends on Ctrl-A x, and restores the terminal", () => {
    const out = execFileSync("python3", ["-c", DRIVER], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 90_000 });
    expect(out.trim()).toBe("ready True raw-while-running True got True status 1 restored True");
  }, 120_000);
});
