/*
 * Console-flood guest (tests/console-flood.test.ts), two roles from one source:
 *
 * - The flooder (default build, "flood"): every vCPU it has (vCPU 0 starts the others with
 *   PSCI CPU_ON) writes long console lines full of control bytes and faults on an IPA outside
 *   its RAM in a loop, for FLOOD_SECONDS, so that the hypervisor's console and its fault log are
 *   as busy as one VM can make them. Then the secondaries stop and vCPU 0 powers the VM off.
 * - The victim (-DVICTIM, "flood-victim"): one vCPU that waits until the flood is under way, then
 *   writes VICTIM_LINES short lines, timing each character's write (each one a trap to the
 *   hypervisor's emulated UART) and each whole line with the virtual counter, and reports the
 *   worst: `victim-latency: max-char <us> max-line <us> total <us>`.
 *
 * Built by guests/baremetal/build.sh with the bare-metal guest's support files.
 */
#include "arch.h"
#include "check.h"
#include "psci.h"
#include "uart.h"

#define FLOOD_SECONDS   3
#define VICTIM_LINES    32
#define VICTIM_DELAY_MS 300
/* An IPA no VM of the flood config has: every access is a stage-2 abort, injected back. */
#define UNMAPPED_IPA    0x7e000000UL

static unsigned long counter(void)
{
    isb();
    return read_sysreg(cntvct_el0);
}

/* Aborts are stepped over (the flooder's faults); anything else ends the run as a failure. */
void exception_handler(unsigned long index, unsigned long *frame)
{
    unsigned long esr = read_sysreg(esr_el1);
    (void)frame;
    if (index == 4 && (esr >> 26 & 0x3f) == 0x25) {
        write_sysreg(elr_el1, read_sysreg(elr_el1) + 4);
        return;
    }
    check(0, "unexpected exception", "vector %lu ESR 0x%lx ELR 0x%lx", index, esr, read_sysreg(elr_el1));
    finish();
}

#ifdef VICTIM

static unsigned long to_us(unsigned long ticks)
{
    return ticks * 1000000UL / read_sysreg(cntfrq_el0);
}

void secondary_main(unsigned long context)
{
    (void)context;
}

int main(void *dtb)
{
    (void)dtb;
    printf("# console victim: %d lines while another VM floods the console\n", VICTIM_LINES);
    unsigned long start = counter();
    while (to_us(counter() - start) < VICTIM_DELAY_MS * 1000UL)
        ;
    unsigned long max_char = 0, max_line = 0, total = 0;
    for (int n = 0; n < VICTIM_LINES; n++) {
        char text[] = "victim line 00: the quick brown fox\n";
        text[12] = (char)('0' + n / 10);
        text[13] = (char)('0' + n % 10);
        unsigned long line_start = counter();
        for (const char *p = text; *p; p++) {
            unsigned long t = counter();
            uart_putc(*p);
            unsigned long dt = counter() - t;
            if (dt > max_char)
                max_char = dt;
        }
        unsigned long line = counter() - line_start;
        total += line;
        if (line > max_line)
            max_line = line;
    }
    printf("victim-latency: max-char %lu max-line %lu total %lu\n", to_us(max_char), to_us(max_line),
           to_us(total));
    finish();
}

#else

static volatile unsigned long lines_written[4], faults_taken[4];

static void flood(unsigned cpu)
{
    unsigned long end = counter() + FLOOD_SECONDS * read_sysreg(cntfrq_el0);
    while (counter() < end) {
        /* 200 bytes without a newline (the hypervisor cuts lines at 160), controls among them. */
        for (int i = 0; i < 200; i++)
            uart_putc(i % 17 == 0 ? '\x1b' : i % 13 == 0 ? '\r' : (char)('a' + i % 26));
        uart_putc('\n');
        lines_written[cpu]++;
        for (int i = 0; i < 16; i++) {
            __asm__ volatile("ldr xzr, [%0]" : : "r"(UNMAPPED_IPA) : "memory");
            faults_taken[cpu]++;
        }
    }
}

void secondary_main(unsigned long cpu)
{
    flood((unsigned)cpu & 3);
    hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

static int vcpu_off(unsigned long mpidr)
{
    return hvc_call(PSCI_AFFINITY_INFO_64, mpidr, 0, 0) == 1;
}

int main(void *dtb)
{
    (void)dtb;
    printf("# console flood: every vCPU writes and faults for %d s\n", FLOOD_SECONDS);
    unsigned started = 1;
    for (unsigned long cpu = 1; cpu < 4; cpu++) {
        if (hvc_call(PSCI_CPU_ON_64, cpu, (unsigned long)secondary_entry, cpu) == PSCI_SUCCESS)
            started++;
    }
    flood(0);
    for (unsigned long cpu = 1; cpu < started; cpu++)
        while (!vcpu_off(cpu))
            ;
    unsigned long lines = 0, faults = 0;
    for (int i = 0; i < 4; i++) {
        lines += lines_written[i];
        faults += faults_taken[i];
    }
    check(started == 3, "flood on every vCPU", "%u vCPUs, %lu lines, %lu faults", started, lines, faults);
    finish();
}

#endif
