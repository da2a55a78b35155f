// ELF guest images: an ELF64 AArch64 file's loadable segments, laid out as one flat image from the
// lowest to the highest physical address they occupy (the gaps and each segment's bss zero), so
// that it is loaded like any other image. Addresses are the guest's (IPAs), as QEMU's loader reads them.

const PT_LOAD = 1;
const EM_AARCH64 = 183;
/** A flattened image larger than this is refused: it would not fit any VM here. */
const MAX_FLAT = 1n << 30n;

export interface ElfImage { load: bigint; entry: bigint; image: Buffer }

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** The flat image of an ELF file; throws a message naming what is wrong. */
export function flattenElf(bytes: Uint8Array): ElfImage {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 64 || bytes[4] !== 2 || bytes[5] !== 1) throw new Error("not a 64-bit little-endian ELF file");
  const machine = dv.getUint16(0x12, true);
  if (machine !== EM_AARCH64) throw new Error(`an ELF file for machine ${machine}, not AArch64 (${EM_AARCH64})`);
  const entry = dv.getBigUint64(0x18, true);
  const phoff = Number(dv.getBigUint64(0x20, true));
  const phentsize = dv.getUint16(0x36, true);
  const phnum = dv.getUint16(0x38, true);
  const segments: { paddr: bigint; offset: number; filesz: number; memsz: bigint }[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 0x38 > bytes.length) throw new Error("program header table outside the file");
    if (dv.getUint32(at, true) !== PT_LOAD) continue;
    const memsz = dv.getBigUint64(at + 0x28, true);
    if (memsz === 0n) continue;
    const offset = Number(dv.getBigUint64(at + 8, true));
    const filesz = Number(dv.getBigUint64(at + 0x20, true));
    if (offset + filesz > bytes.length) throw new Error(`segment ${i} runs past the end of the file`);
    segments.push({ paddr: dv.getBigUint64(at + 0x18, true), offset, filesz, memsz });
  }
  if (!segments.length) throw new Error("no loadable segment");
  const load = segments.reduce((m, s) => (s.paddr < m ? s.paddr : m), segments[0].paddr);
  const end = segments.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n);
  if (end - load > MAX_FLAT) throw new Error(`segments span ${end - load} bytes`);
  const image = Buffer.alloc(Number(end - load));
  for (const s of segments) Buffer.from(bytes.buffer, bytes.byteOffset + s.offset, s.filesz).copy(image, Number(s.paddr - load));
  return { load, entry, image };
}
