// The Bulkhead subset's built-in types and conversions (see docs/subset.md).
// Ambient: every file under src/ sees these without an import. The compiler gives them
// the target's exact semantics; `tsc` only sees the aliases, which is enough to keep
// 64-bit values (bigint) apart from the narrower ones (number).

type u8 = number;
type u16 = number;
type u32 = number;
type i8 = number;
type i16 = number;
type i32 = number;
type u64 = bigint;
type i64 = bigint;
type bool = boolean;

/** Conversions: truncate, zero- or sign-extend, exactly as a C cast does. */
declare function u8(x: number | bigint | boolean): u8;
declare function u16(x: number | bigint | boolean): u16;
declare function u32(x: number | bigint | boolean): u32;
declare function i8(x: number | bigint | boolean): i8;
declare function i16(x: number | bigint | boolean): i16;
declare function i32(x: number | bigint | boolean): i32;
declare function u64(x: number | bigint | boolean): u64;
declare function i64(x: number | bigint | boolean): i64;

/** Stops the CPU with a reason (C: bh_panic). Never returns. */
declare function panic(reason: string): never;

/** Requests `bytes` alignment (a power of two) for a module-level array. */
declare function aligned<T>(array: T, bytes: number): T;

/** A fixed pool of `count` statically allocated instances of a class with a no-argument constructor. */
declare function pool<T>(count: number, cls: new () => T): T[];
