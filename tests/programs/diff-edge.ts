// Hand-written edge cases for the differential test (tests/differential.test.ts): both backends
// run every function here and must agree; the test also checks the values noted beside them.
// Functions with parameters compute at run time; the constant ones exercise the checker's folding.

// ---- division overflow: MIN / -1 wraps to MIN, MIN % -1 is 0 (C would trap or be undefined)
export function sdiv8(a: i8, b: i8): i8 { return a / b; }
export function smod8(a: i8, b: i8): i8 { return a % b; }
export function sdiv16(a: i16, b: i16): i16 { return a / b; }
export function sdiv32(a: i32, b: i32): i32 { return a / b; }
export function smod32(a: i32, b: i32): i32 { return a % b; }
export function sdiv64(a: i64, b: i64): i64 { return a / b; }
export function smod64(a: i64, b: i64): i64 { return a % b; }
export function udiv64(a: u64, b: u64): u64 { return a / b; }
/** -2147483648 (divisor is the constant -1: still a checked helper). */
export function intMinDivMinus1(): i32 {
  const a: i32 = -2147483648;
  return a / -1;
}
/** 0 */
export function intMinModMinus1(): i32 {
  const a: i32 = -2147483648;
  return a % -1;
}
/** -9223372036854775808 (folded by the checker) */
export function i64MinDivMinus1Folded(): i64 { return i64(-9223372036854775808n) / i64(-1n); }
/** -128, then 0 */
export function i8MinDivMinus1Folded(): i8 { return i8(-128) / i8(-1); }
export function i8MinModMinus1Folded(): i8 { return i8(-128) % i8(-1); }
/** panics: division by zero (a run-time zero) */
export function divByZero(a: u32): u32 {
  const z: u32 = a - a;
  return a / z;
}
/** panics: remainder by zero, 64-bit */
export function modByZero64(a: i64): i64 {
  let z: i64 = a;
  z -= a;
  return a % z;
}

// ---- shifts: the count is taken modulo 32 (8..32-bit types) or 64; negative counts too
export function shl32(a: u32, n: i32): u32 { return a << n; }
export function shr32(a: i32, n: i32): i32 { return a >> n; }
export function ushr32(a: i32, n: i32): i32 { return a >>> n; }
export function ushr8(a: i8, n: u8): i8 { return a >>> n; }
export function shl8(a: u8, n: u32): u8 { return a << n; }
export function shr16(a: i16, n: i16): i16 { return a >> n; }
export function shl64(a: u64, n: i64): u64 { return a << n; }
export function shr64(a: i64, n: u64): i64 { return a >> n; }
export function shru64(a: u64, n: u64): u64 { return a >> n; }
/** Counts 0, 31, 63 as constants; 32/33/64 only through variables (constants ≥ width are rejected). */
export function shiftConsts(a: u64): u64 {
  const lo: u32 = u32(a);
  const x: u32 = (lo << 0) ^ (lo >>> 31) ^ (lo << 31);
  return u64(x) ^ (a << 63n) ^ (a >> 63n) ^ (a << 0n);
}
/** 1 << 32 on u32 is 1 << 0 = 1; on u64 it is 2^32 */
export function shlByVar(n: u32): u32 { return u32(1) << n; }
export function shlByVar64(n: u64): u64 { return u64(1n) << n; }

// ---- wrap-around of narrow types, negation of MIN, MAX + 1, MIN - 1
/** 0 */
export function u8Wrap(): u8 {
  let x: u8 = 255;
  x++;
  return x;
}
/** 65535 */
export function u16WrapDown(): u16 {
  let x: u16 = 0;
  x--;
  return x;
}
/** 44 (= 300 mod 256) */
export function u8AddWrap(a: u8, b: u8): u8 { return a + b; }
export function u8MulWrap(a: u8, b: u8): u8 { return a * b; }
export function u16MulWrap(a: u16, b: u16): u16 { return a * b; }
export function i16MulWrap(a: i16, b: i16): i16 { return a * b; }
export function i32MulWrap(a: i32, b: i32): i32 { return a * b; }
export function u32MulWrap(a: u32, b: u32): u32 { return a * b; }
/** -128: negating -128 in i8 */
export function i8Neg(a: i8): i8 { return -a; }
/** -128 (folded) */
export function i8NegMinFolded(): i8 { return -i8(-128); }
/** 0: u64 max + 1 */
export function u64MaxPlus1(): u64 {
  let x: u64 = 18446744073709551615n;
  x += 1n;
  return x;
}
/** 9223372036854775807: i64 min - 1 */
export function i64MinMinus1(): i64 {
  let x: i64 = -9223372036854775808n;
  x -= 1n;
  return x;
}
/** 0 (folded) */
export function u64MaxPlus1Folded(): u64 { return u64(18446744073709551615n) + u64(1n); }
/** -2147483648: i32 max + 1 */
export function i32MaxPlus1(a: i32): i32 { return a + 1; }
export function i32MinMinus1(a: i32): i32 {
  let x: i32 = a;
  x--;
  return x;
}

// ---- conversions: truncation, sign and zero extension
/** i64 -> u8: low byte */
export function i64ToU8(a: i64): u8 { return u8(a); }
/** u32 -> i8: low byte, sign-extended */
export function u32ToI8(a: u32): i8 { return i8(a); }
/** i8 -> u64: sign-extended then reinterpreted (-1 -> 2^64-1) */
export function i8ToU64(a: i8): u64 { return u64(a); }
export function u64ToI32(a: u64): i32 { return i32(a); }
export function i16ToU32(a: i16): u32 { return u32(a); }
export function u16ToI16(a: u16): i16 { return i16(a); }
/** bool -> u32 */
export function boolToU32(a: i32, b: i32): u32 { return u32(a < b); }
export function boolToI64(a: u8): i64 { return i64(a == 0); }
/** 255 (folded: u8(-1)) */
export function u8OfMinus1(): u8 { return u8(-1); }
/** -1 (folded: i8(255)) */
export function i8Of255(): i8 { return i8(255); }
/** 4294967295 (folded: u32(-1n)) */
export function u32OfMinus1n(): u32 { return u32(-1n); }
/** -1 (folded: i64(u64 max)) */
export function i64OfU64Max(): i64 { return i64(18446744073709551615n); }

// ---- unary operators on every width
export function notU8(a: u8): u8 { return ~a; }
export function notI16(a: i16): i16 { return ~a; }
export function notU32(a: u32): u32 { return ~a; }
export function negU32(a: u32): u32 { return -a; }
export function negU64(a: u64): u64 { return -a; }
export function negI64(a: i64): i64 { return -a; }

// ---- compound assignments keep the type's width
export function compoundMix(a: u8, b: i16, c: u32, d: i64): u64 {
  let x: u8 = a;
  x += 200;
  x *= 3;
  x <<= 3;
  let y: i16 = b;
  y -= 30000;
  y >>= 1;
  y *= -3;
  let z: u32 = c;
  z -= 1;
  z >>>= 1;
  z ^= 0x80000000;
  let w: i64 = d;
  w *= -7n;
  w >>= 3n;
  w |= 1n;
  return u64(x) + u64(y) + u64(z) + u64(w);
}

// ---- bounds checks: index out of range panics on both
const squares = new Uint16Array([0, 1, 4, 9, 16, 25, 36, 49]);
export function square(i: i32): u16 { return squares[i]; }
export function square64(i: u32): u32 { return u32(squares[i & 7]) + u32(squares[i % 8]); }
