// Golden program: imports across files, private names that collide across modules,
// module initialisation order (bh_init runs lib_imports.ts's initialisers first).
// Expected C: imports.c.
import { LIB_BASE, libWork, libCalls, Point, Color, origin } from "./lib_imports.ts";

let count: u32 = LIB_BASE + 1;
const start: u32 = libWork(1);
const p = new Point();

function helper(x: u32): u32 {
  return x * 3;
}

export function main(): u32 {
  count++;
  p.move(1);
  origin.move(-1);
  const c: u32 = Color.Green;
  const w: u32 = libWork(count);
  const h: u32 = helper(w);
  return h + libCalls + start + c + u32(p.x);
}
