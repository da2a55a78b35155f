// Library module of the golden program imports.ts (not compiled on its own).
// `helper` and `count` are private here and in imports.ts: the C names get the module tag.

export const LIB_BASE: u32 = 100;
export let libCalls: u32 = 0;
let count: u32 = 0;

export class Point {
  x: i32 = 0;
  y: i32 = 0;
  move(dx: i32): void {
    this.x += dx;
  }
}

export const enum Color { Red = 1, Green = 2 }

function helper(x: u32): u32 {
  return x + 1;
}

export function libWork(x: u32): u32 {
  libCalls++;
  count += 2;
  const h: u32 = helper(x);
  return h + count;
}

export const origin = new Point();
