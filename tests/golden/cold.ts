// Golden program: `/** @cold */` on a function, a method and a constructor (compiler/check/shape-tags.ts):
// each is `__attribute__((cold))` in its prototype and definition, and a private one is `static`
// without `inline`; untagged functions beside them are unchanged. `/** @noinline */` is
// `__attribute__((noinline))`, a private one also `static` without `inline`.
// Expected C: cold.c.

class Log {
  lines: u32 = 0;
  /** Boot only. @cold */
  constructor() {
    this.lines = 1;
  }
  /**
   * Rarely: a line of text.
   * @cold
   */
  line(n: u32): void {
    this.lines += n;
  }
  count(): u32 {
    return this.lines;
  }
}

const log = new Log();

/** The slow path. @cold */
function slow(x: u32): u32 {
  log.line(1);
  return x * 3;
}

/** @cold */
export function boot(): void {
  log.line(2);
}

/** Out of line, beside fast's other paths. @noinline */
function apart(x: u32): u32 {
  return log.count() * x;
}

export function fast(x: u32): u32 {
  if (x == 7) return slow(x);
  if (x == 9) return apart(x);
  return log.count() + x;
}
