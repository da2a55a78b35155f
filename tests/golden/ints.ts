// Golden program: every integer type, every operator, conversions, compound assignment, ++/--.
// Expected C: ints.c (reviewed by hand; regenerate with UPDATE_GOLDEN=1 and review the diff).

export function ops_u8(a: u8, b: u8, n: u8): u8 {
  let r: u8 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3) ^ (a % 5);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n) ^ (a >>> n);
  r = r ^ (a << 3) ^ (a >> 2) ^ (a >>> 1);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0;
}

export function compound_u8(a: u8, b: u8, n: u8): u8 {
  let r: u8 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r >>>= n;
  r /= 7;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function ops_u16(a: u16, b: u16, n: u16): u16 {
  let r: u16 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3) ^ (a % 5);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n) ^ (a >>> n);
  r = r ^ (a << 3) ^ (a >> 2) ^ (a >>> 1);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0;
}

export function compound_u16(a: u16, b: u16, n: u16): u16 {
  let r: u16 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r >>>= n;
  r /= 7;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function ops_u32(a: u32, b: u32, n: u32): u32 {
  let r: u32 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3) ^ (a % 5);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n) ^ (a >>> n);
  r = r ^ (a << 3) ^ (a >> 2) ^ (a >>> 1);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0;
}

export function compound_u32(a: u32, b: u32, n: u32): u32 {
  let r: u32 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r >>>= n;
  r /= 7;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function ops_u64(a: u64, b: u64, n: u64): u64 {
  let r: u64 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3n) ^ (a % 5n);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n);
  r = r ^ (a << 3n) ^ (a >> 2n);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0n;
}

export function compound_u64(a: u64, b: u64, n: u64): u64 {
  let r: u64 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r /= 7n;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function ops_i8(a: i8, b: i8, n: i8): i8 {
  let r: i8 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3) ^ (a % 5);
  r = r ^ (a / -1) ^ (a % -1);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n) ^ (a >>> n);
  r = r ^ (a << 3) ^ (a >> 2) ^ (a >>> 1);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0;
}

export function compound_i8(a: i8, b: i8, n: i8): i8 {
  let r: i8 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r >>>= n;
  r /= 7;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function ops_i16(a: i16, b: i16, n: i16): i16 {
  let r: i16 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3) ^ (a % 5);
  r = r ^ (a / -1) ^ (a % -1);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n) ^ (a >>> n);
  r = r ^ (a << 3) ^ (a >> 2) ^ (a >>> 1);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0;
}

export function compound_i16(a: i16, b: i16, n: i16): i16 {
  let r: i16 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r >>>= n;
  r /= 7;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function ops_i32(a: i32, b: i32, n: i32): i32 {
  let r: i32 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3) ^ (a % 5);
  r = r ^ (a / -1) ^ (a % -1);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n) ^ (a >>> n);
  r = r ^ (a << 3) ^ (a >> 2) ^ (a >>> 1);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0;
}

export function compound_i32(a: i32, b: i32, n: i32): i32 {
  let r: i32 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r >>>= n;
  r /= 7;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function ops_i64(a: i64, b: i64, n: i64): i64 {
  let r: i64 = a + b;
  r = r ^ (a - b) ^ (a * b);
  r = r ^ (a / b) ^ (a % b);
  r = r ^ (a / 3n) ^ (a % 5n);
  r = r ^ (a / -1n) ^ (a % -1n);
  r = r ^ (a & b) ^ (a | b) ^ ~a ^ -a;
  r = r ^ (a << n) ^ (a >> n);
  r = r ^ (a << 3n) ^ (a >> 2n);
  const lt: bool = (a < b && a <= b) || (!(a > b) && a >= b);
  const eq: bool = a == b || a != b || a === b || a !== b;
  return lt && eq ? r : 0n;
}

export function compound_i64(a: i64, b: i64, n: i64): i64 {
  let r: i64 = a;
  r += b;
  r -= b;
  r *= b;
  r /= b;
  r %= b;
  r &= b;
  r |= b;
  r ^= b;
  r <<= n;
  r >>= n;
  r /= 7n;
  r++;
  r--;
  ++r;
  --r;
  return r;
}

export function conv_u8(x: u8): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_u16(x: u16): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_u32(x: u32): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_u64(x: u64): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_i8(x: i8): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_i16(x: i16): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_i32(x: i32): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_i64(x: i64): u64 {
  let r: u64 = u64(u8(x));
  r ^= u64(u16(x));
  r ^= u64(u32(x));
  r ^= u64(u64(x));
  r ^= u64(i8(x));
  r ^= u64(i16(x));
  r ^= u64(i32(x));
  r ^= u64(i64(x));
  return r;
}

export function conv_direct(a: u64, b: i8, f: bool): u32 {
  const x: u8 = u8(a);
  const y: i32 = i32(b);
  const z: u32 = u32(f);
  const w: i16 = i16(x);
  return u32(x) + u32(y) + z + u32(w);
}

// Conversions of constants fold at compile time, with the target's truncation and sign.
export function conv_const(): u64 {
  const a: u8 = u8(300);
  const b: i8 = i8(255);
  const c: u64 = u64(-1);
  const d: i64 = i64(0xffffffff);
  const e: u32 = u32(-1);
  const f: i16 = i16(0x18000);
  return u64(a) + u64(b) + c + u64(d) + u64(e) + u64(f);
}

// Literals: extremes of each type, hex spelling kept, negative values, MIN of the signed types.
export function literals(): u64 {
  const a: u8 = 255;
  const b: u16 = 0xffff;
  const c: u32 = 4294967295;
  const d: u64 = 0xffffffffffffffffn;
  const e: i8 = -128;
  const f: i16 = -32768;
  const g: i32 = -2147483648;
  const h: i64 = -9223372036854775808n;
  const k: i32 = 2147483647;
  return u64(a) + u64(b) + u64(c) + d + u64(e) + u64(f) + u64(g) + u64(h) + u64(k);
}
