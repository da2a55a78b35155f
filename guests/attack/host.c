/*
 * Attacks on the host and the console: QEMU's semihosting, and lines forged to pass for the
 * hypervisor's.
 */
#include "attack.h"

/* ---- 11. the host, through QEMU's semihosting ---- */

/*
 * Arm semihosting (`hlt #0xf000`, operation in w0, parameter block in x1) is serviced by QEMU
 * itself at EL1 when it is enabled: no EL2 trap can stop it. Hypervisor runs never enable it, so
 * each call must be an undefined instruction in the guest (EC 0x00) and reach nothing on the host.
 */
#define SYS_OPEN            0x01UL
#define SYS_SYSTEM          0x12UL
#define SYS_EXIT_EXTENDED   0x20UL

static unsigned long semihost(unsigned long op, unsigned long param)
{
    register unsigned long x0 __asm__("x0") = op;
    register unsigned long x1 __asm__("x1") = param;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

/* One semihosting call, which must be refused as an undefined instruction. */
static void expect_no_semihosting(unsigned long op, unsigned long param, const char *what)
{
    arm(ARM_SKIP);
    unsigned long r = semihost(op, param);
    armed = ARM_NONE;
    check(taken && ec_of(exc_esr) == 0, what, "%s, ESR 0x%lx, x0 0x%lx",
          taken ? "undefined instruction" : "serviced by the host", exc_esr, r);
}

void attack_semihosting(void)
{
    static const char path[] = "/etc/hostname";
    static const char command[] = "touch /tmp/bulkhead-semihosting-attack";
    unsigned long open_block[3] = { (unsigned long)path, 0 /* "r" */, sizeof path - 1 };
    unsigned long system_block[2] = { (unsigned long)command, sizeof command - 1 };
    expect_no_semihosting(SYS_OPEN, (unsigned long)open_block, "semihosting SYS_OPEN of a host file");
    expect_no_semihosting(SYS_SYSTEM, (unsigned long)system_block, "semihosting SYS_SYSTEM (a host shell command)");
}

/* Last of all: a forged end of the whole run, with status 0, before anyone else has finished. */
void attack_semihosting_exit(void)
{
    unsigned long exit_block[2] = { 0x20026 /* ADP_Stopped_ApplicationExit */, 0 };
    expect_no_semihosting(SYS_EXIT_EXTENDED, (unsigned long)exit_block, "semihosting SYS_EXIT_EXTENDED (end the run)");
}

/* ---- 12. forged hypervisor lines and terminal control ---- */

/*
 * Lines that would pass for the hypervisor's (its run status, another VM's power-off) if the
 * console let a guest return to the start of the line, erase it, or drive the terminal. The
 * hypervisor must show the control bytes (tests/isolation.test.ts reads them back).
 */
void attack_forged_lines(void)
{
    uart_puts("\r[hyp] run ended: status 0\n");
    uart_puts("\x1b[2K\x1b[1G[hyp] vm victim: powered off\n");
    uart_puts("\xc2\x9b" "2K\x08\x08\x08[hyp] run ended: status 0\x7f\n");
    check(1, "forged hypervisor lines and terminal controls", "written; the console shows their control bytes");
}
