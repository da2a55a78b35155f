/*
 * The bare-metal guests' register frame, for assembly: x0-x30 at SP, a pair per 16 bytes, 256 bytes
 * in all (16-byte aligned). frame_x2_x30 moves x2-x30 to it (stp, str) or from it (ldp, ldr); x0
 * and x1 are the caller's to move, first to free two registers or last.
 */
#define FRAME_SIZE  256

    .macro frame_x2_x30 pair, single
    \pair   x2, x3, [sp, #16]
    \pair   x4, x5, [sp, #32]
    \pair   x6, x7, [sp, #48]
    \pair   x8, x9, [sp, #64]
    \pair   x10, x11, [sp, #80]
    \pair   x12, x13, [sp, #96]
    \pair   x14, x15, [sp, #112]
    \pair   x16, x17, [sp, #128]
    \pair   x18, x19, [sp, #144]
    \pair   x20, x21, [sp, #160]
    \pair   x22, x23, [sp, #176]
    \pair   x24, x25, [sp, #192]
    \pair   x26, x27, [sp, #208]
    \pair   x28, x29, [sp, #224]
    \single x30, [sp, #240]
    .endm
