/*
 * The isolation attack guest's shared parts (guests/attack/main.c says what the guest is): the
 * board facts the device tree does not give, the device tree itself, and the probes — one access,
 * call or branch that may take an exception, recovered from and recorded (probe.c).
 */
#ifndef ATTACK_H
#define ATTACK_H

#include "arch.h"
#include "check.h"
#include "fdt.h"
#include "psci.h"
#include "uart.h"

extern char _text[], _end[];            /* image bounds, from linker.ld */

/* hostile.S */
unsigned long hostile_call(unsigned long x0, unsigned long variant, unsigned long out[31],
                           unsigned long x1);
unsigned long mmio_ldp(unsigned long addr);
unsigned long mmio_stp(unsigned long addr);
unsigned long mmio_str_preindex(unsigned long addr);
unsigned long mmio_ldr_postindex(unsigned long addr);
void exec_at(unsigned long addr);

#define MiB                 (1UL << 20)
#define PAGE                4096UL
#define VICTIM_SIZE         (64 * MiB)      /* the victim's RAM */

/*
 * What the device tree does not say (and must not: it is the VM's view): the partition around this
 * VM (board/<board>/configs/isolation.ts), the board's RAM and its other devices. The board is
 * told by the GIC distributor's address in the device tree. The UART and the GIC are the device
 * tree's (UART, GICD below).
 */
struct board {
    unsigned long gicd;                 /* the board's GICD: which board this is */
    unsigned long victim_pa;            /* the victim's RAM, VICTIM_SIZE at this PA */
    unsigned long hyp_reserve, hyp_code, hyp_reserve_end;   /* the hypervisor's 32 MiB, its code */
    unsigned long ram_end;              /* the end of the board's RAM */
    unsigned victim_spi;                /* the victim's SPI */
    struct { unsigned long addr; const char *what; } devices[10];   /* none of them the VM's */
};
extern const struct board *board;      /* this board (main.c) */
extern struct dt_info dt;               /* the VM's device tree (main.c) */

#define UART                uart_base()
#define GICD                (dt.gic_reg[0])
#define GICD_ISENABLER(n)   (GICD + 0x100 + 4 * (n))
#define GICD_ISPENDR(n)     (GICD + 0x200 + 4 * (n))
#define GICD_SGIR           (GICD + 0xf00)
/* GICv3 redistributors: 128 KiB per CPU (RD frame, then SGI frame); a VM sees one per vCPU. */
#define GICR_SGI(n)         (0x080a0000UL + 0x20000 * (n) + 0x10000)
#define GICR_ISENABLER0     0x100

/* Not (yet) in psci.h. */
#ifndef PSCI_AFFINITY_INFO_64
#define PSCI_AFFINITY_INFO_64   0xC4000004UL
#endif
#ifndef PSCI_INVALID_ADDRESS
#define PSCI_INVALID_ADDRESS    -9L
#endif
#ifndef HVC_CONSOLE_PUTC
#define HVC_CONSOLE_PUTC        0xC6000002UL
#endif

/* ---- probes (probe.c) ---- */

/* How exception_handler recovers from an exception taken while a probe is armed. */
enum { ARM_NONE, ARM_SKIP, ARM_RETURN_X30 };

extern volatile int armed, taken;
extern volatile unsigned long exc_esr, exc_far, exc_elr;

void arm(int how);
static inline unsigned long ec_of(unsigned long esr) { return esr >> 26 & 0x3f; }

unsigned long load32(unsigned long addr);
unsigned long load64(unsigned long addr);
void store32(unsigned long addr, unsigned int v);
void store64(unsigned long addr, unsigned long v);

/* Outcome of one armed access. */
struct outcome {
    int aborted;
    unsigned long value, esr, far;
};

struct outcome try_read(unsigned long addr, int wide);
struct outcome try_write(unsigned long addr, unsigned long v, int wide);
int is_injected_abort(const struct outcome *o, unsigned long addr, int write);
void expect_abort_rw(unsigned long addr, const char *what);

/* ---- the attacks, in the order main() runs them ---- */

void attack_sgi(int gicv3);             /* platform.c */
void attack_gic(int gicv3);
void attack_other_vm_ram(void);         /* memory.c */
void attack_hyp_memory(void);
void attack_devices(void);              /* platform.c */
void attack_psci(void);
void attack_hypercalls(void);           /* calls.c */
void attack_undecodable_mmio(void);
void attack_impdef_sysregs(void);
void attack_exec(void);                 /* memory.c */
void attack_semihosting(void);          /* host.c */
void attack_forged_lines(void);
void attack_semihosting_exit(void);
void hyp_still_answers(const char *after);  /* memory.c */

#endif
