// The terminal as the serial line's keyboard, for an interactive run (`bulkhead run` on a TTY):
// raw mode while QEMU runs — every key, Ctrl-C and Ctrl-\ included, goes to the board UART, where
// the hypervisor gives it to the VM that has the console's focus — and the terminal restored
// however the run ends: QEMU exits or is killed (the launcher calls back: a timeout, the CLI's
// signals, Ctrl-A x), or this process exits. Ctrl-A x ends the run (as in QEMU's own -nographic
// console); Ctrl-A Ctrl-A types one Ctrl-A.
/** What writes to the serial line's receiver. */
export interface SerialInput {
  write(data: string | Uint8Array): void;
}

const CTRL_A = 0x01;

/**
 * Passes the terminal's keys to `input` if stdin is a TTY; `quit` ends the run (Ctrl-A x).
 * Returns what restores the terminal (idempotent).
 */
export function passTerminal(input: SerialInput, quit: () => void): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => {};
  let restored = false;
  let escaped = false;
  const onData = (chunk: Buffer) => {
    const out: number[] = [];
    for (const b of chunk) {
      if (escaped) {
        escaped = false;
        if (b === 0x78 /* x */) {
          restore();
          quit();
          return;
        }
        if (b === CTRL_A) out.push(CTRL_A);
        continue;
      }
      if (b === CTRL_A) escaped = true;
      else out.push(b);
    }
    if (out.length) input.write(Uint8Array.from(out));
  };
  function restore(): void {
    if (restored) return;
    restored = true;
    stdin.off("data", onData);
    process.off("exit", restore);
    stdin.setRawMode(false);
    stdin.pause();
  }
  stdin.setRawMode(true);
  stdin.on("data", onData);
  stdin.resume();
  process.on("exit", restore);
  return restore;
}
