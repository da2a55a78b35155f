// Golden program: statements. if/else chains, while, do, for (one and several declarators),
// switch with fallthrough and default, break, continue, return, ?:, const enum.
// Expected C: control.c.

const enum Kind { None = 0, Small = 1, Large = 2, Huge = 0x100 }

export function classify(x: u32): u32 {
  if (x == 0) {
    return Kind.None;
  } else if (x < 100) {
    return Kind.Small;
  } else if (x < 0x10000) return Kind.Large;
  else return Kind.Huge;
}

export function loops(n: u32): u32 {
  let s: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    i++;
    if ((i & 1) == 0) continue;
    if (i > 1000) break;
    s += i;
  }
  do {
    s--;
  } while (s > 10);
  for (let j: u32 = 0, k: u32 = n; j < k; j++) s += j;
  for (let j: u32 = 0, m: u64 = 1n; j < 4; j++) s += u32(m);
  for (;;) {
    if (s > 5) break;
    s++;
  }
  for (i = 0; i < 3; i++) s ^= i;
  return s;
}

export function sw(k: u32, x: u32): u32 {
  let r: u32 = 0;
  switch (k) {
    case Kind.None:
      r = 1;
      break;
    case Kind.Small:
    case Kind.Large:
      r = x;
    // falls through
    case 7:
      r += 2;
      break;
    case 0x20: {
      r = 3;
      return r;
    }
    default:
      r = 9;
  }
  return r;
}

export function choose(c: bool, a: i32, b: i32): i32 {
  const m: i32 = c ? a : b;
  const n: i32 = a > b ? 1 : -1;
  return !c && m > 0 ? m : n;
}

export function early(x: u32): void {
  if (x == 3) return;
  panic("not three");
}

// A function whose last statement is not a return: the C ends in a panic (unreachable in TS).
export function lastIsSwitch(x: u32): u32 {
  switch (x) {
    case 1:
      return 10;
    default:
      return 20;
  }
}
