// Benchmark kernel: decode an exception syndrome (ESR_EL2) into a packed summary: the exception
// class and instruction length, and for data aborts the ISS fields (ISV, SAS, SSE, SRT, SF, AR,
// WnR, DFSC); for trapped system-register accesses the register encoding and direction.
const enum Ec { Wfx = 0x01, Hvc64 = 0x16, Smc64 = 0x17, SysReg = 0x18, InstAbortLow = 0x20, DataAbortLow = 0x24, DataAbortSame = 0x25 }

/** Bits 0-5 EC, 6 IL, then per class: see each case. Bit 63 marks a syndrome the hypervisor must emulate. */
export function esr_decode(esr: u64): u64 {
  const ec: u32 = u32(esr >> 26n) & 0x3f;
  const il: u32 = u32(esr >> 25n) & 1;
  const iss: u32 = u32(esr) & 0x1ffffff;
  const head: u64 = u64(ec | (il << 6));
  switch (ec) {
    case Ec.DataAbortLow:
    case Ec.DataAbortSame: {
      const isv: u32 = (iss >> 24) & 1;
      const sas: u32 = (iss >> 22) & 3;
      const sse: u32 = (iss >> 21) & 1;
      const srt: u32 = (iss >> 16) & 31;
      const sf: u32 = (iss >> 15) & 1;
      const ar: u32 = (iss >> 14) & 1;
      const wnr: u32 = (iss >> 6) & 1;
      const dfsc: u32 = iss & 0x3f;
      // Translation and access-flag faults with a valid syndrome are MMIO the hypervisor emulates.
      const emulate: u64 = isv != 0 && (dfsc & 0x3c) == 0x04 ? 1n << 63n : 0n;
      const fields: u32 = isv | (sas << 1) | (sse << 3) | (srt << 4) | (sf << 9) | (ar << 10) | (wnr << 11) | (dfsc << 12);
      return head | (u64(fields) << 8n) | (u64(u32(1) << sas) << 32n) | emulate;
    }
    case Ec.SysReg: {
      const op0: u32 = (iss >> 20) & 3;
      const op2: u32 = (iss >> 17) & 7;
      const op1: u32 = (iss >> 14) & 7;
      const crn: u32 = (iss >> 10) & 15;
      const rt: u32 = (iss >> 5) & 31;
      const crm: u32 = (iss >> 1) & 15;
      const read: u32 = iss & 1;
      const enc: u32 = (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
      return head | (u64(enc) << 8n) | (u64(rt) << 24n) | (u64(read) << 29n) | (1n << 63n);
    }
    case Ec.Hvc64:
    case Ec.Smc64:
      return head | (u64(iss & 0xffff) << 8n);
    case Ec.Wfx:
      return head | (u64(iss & 3) << 8n);
    case Ec.InstAbortLow:
      return head | (u64(iss & 0x3f) << 8n);
    default:
      return head;
  }
}
