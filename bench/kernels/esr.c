/* Benchmark kernel, hand-written C: the same decoding as esr.ts. */
#include <stdint.h>

enum { EC_WFX = 0x01, EC_HVC64 = 0x16, EC_SMC64 = 0x17, EC_SYSREG = 0x18, EC_IABT_LOW = 0x20, EC_DABT_LOW = 0x24, EC_DABT_CUR = 0x25 };

uint64_t esr_decode(uint64_t esr)
{
    uint32_t ec = (esr >> 26) & 0x3f;
    uint32_t il = (esr >> 25) & 1;
    uint32_t iss = esr & 0x1ffffff;
    uint64_t head = ec | (il << 6);
    switch (ec) {
    case EC_DABT_LOW:
    case EC_DABT_CUR: {
        uint32_t isv = (iss >> 24) & 1, sas = (iss >> 22) & 3, sse = (iss >> 21) & 1, srt = (iss >> 16) & 31;
        uint32_t sf = (iss >> 15) & 1, ar = (iss >> 14) & 1, wnr = (iss >> 6) & 1, dfsc = iss & 0x3f;
        uint64_t emulate = isv && (dfsc & 0x3c) == 0x04 ? 1ull << 63 : 0;
        uint32_t fields = isv | sas << 1 | sse << 3 | srt << 4 | sf << 9 | ar << 10 | wnr << 11 | dfsc << 12;
        return head | (uint64_t)fields << 8 | (uint64_t)(1u << sas) << 32 | emulate;
    }
    case EC_SYSREG: {
        uint32_t op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7, crn = (iss >> 10) & 15;
        uint32_t rt = (iss >> 5) & 31, crm = (iss >> 1) & 15, read = iss & 1;
        uint32_t enc = op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
        return head | (uint64_t)enc << 8 | (uint64_t)rt << 24 | (uint64_t)read << 29 | 1ull << 63;
    }
    case EC_HVC64:
    case EC_SMC64:
        return head | (uint64_t)(iss & 0xffff) << 8;
    case EC_WFX:
        return head | (uint64_t)(iss & 3) << 8;
    case EC_IABT_LOW:
        return head | (uint64_t)(iss & 0x3f) << 8;
    default:
        return head;
    }
}
