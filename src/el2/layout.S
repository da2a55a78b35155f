/* The linker's section boundaries (board/common/hyp.ld), for the EL2 stage-1 map (src/el2/mmu.ts). */
#include "asm.h"

.macro symbol_address name, sym
    .global \name
\name:
    adr_l x0, \sym
    ret
.endm

    .text
    symbol_address hyp_start_address, __hyp_start
    symbol_address hyp_text_end_address, __text_end
    symbol_address hyp_rodata_end_address, __rodata_end
    symbol_address hyp_end_address, __hyp_end
