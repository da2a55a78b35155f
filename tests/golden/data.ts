// Golden program: module constants and variables, constant tables, strings, and the index proofs
// that elide bounds checks (constants, masks, remainders, right shifts, small types, loop counters).
// Expected C: data.c.

export const VERSION: u32 = 3;
const LIMIT: u64 = 0x1000n;
const NEG: i32 = -5;
const ON: bool = true;
const NAME: string = "bulkhead";
const DERIVED: u32 = VERSION * 4 + 1;
export let ticks: u64 = 0n;
let flag: bool = false;
let last: i16 = -1;
let computed: u32 = twice(VERSION);

const squares = new Uint32Array([0, 1, 4, 9, 16, 25, 36, 49]);
const signs = new Int8Array([-128, -1, 0, 127]);
const masks = new BigUint64Array([0xffn, 0xffff0000n]);
const big = new Uint16Array(256);
const small = new Uint32Array(10);

function twice(x: u32): u32 {
  return x * 2;
}

export function index(i: u32, j: u8, k: u64): u32 {
  let s: u32 = squares[3] + squares[i & 7] + squares[i % 8] + squares[i >> 29] + u32(big[j]);
  s += small[i];
  s += u32(signs[u32(k) & 3]);
  s += u32(masks[u32(k >> 63n)]);
  for (let n: u32 = 0; n < 10; n++) s += small[n];
  for (let n: u32 = 0; n < 11; n++) s += small[n];
  s += squares.length + u32(masks.length);
  return s;
}

export function state(): u32 {
  ticks += LIMIT;
  flag = !flag && ON;
  last = i16(NEG);
  computed += DERIVED;
  return flag ? computed : u32(last);
}

export function strings(i: u32): u32 {
  if (i > NAME.length) panic("index past the name");
  const s: string = "a \"quoted\"\tline\n";
  return u32(NAME.charCodeAt(i)) + s.length + u32("xyz".charCodeAt(0));
}
