/*
 * Isolation attack guest: run as one VM next to a victim VM, it tries, from
 * EL1 of its own VM, to reach what is not its own (other VMs' memory, the
 * hypervisor, unassigned devices, foreign interrupts and CPUs) and to upset
 * the hypervisor (hostile hypercalls, undecodable MMIO, implementation-defined
 * system registers, instruction fetches from nowhere).  Each attempt is one
 * check: "ok - <attack> contained (<how>)" when the attempt was contained,
 * "FAIL - <attack> (<what happened>)" when not; then "N passed, M failed" and
 * PSCI SYSTEM_OFF.
 *
 * Built by guests/baremetal/build.sh from the bare-metal guest's support files
 * (start.S entry and vectors, uart.c, fdt.c, psci.h) with this directory's
 * files: the probes (probe.c), the attacks by target (memory.c, platform.c,
 * calls.c, host.c) and their assembly (hostile.S).
 */
#include "attack.h"

/* The boards this guest knows (struct board in attack.h says what the device tree does not). */
static const struct board boards[] = {
    {   /* QEMU virt (board/qemu-virt-gicv{2,3}) */
        0x08000000UL, 0x42000000UL, 0x40000000UL, 0x40200000UL, 0x42000000UL, 0x80000000UL, 48, {
            { 0x0a000000UL, "virtio-mmio 0x0a000000" },
            { 0x0a003e00UL, "the last virtio-mmio slot" },
            { 0x08080000UL, "the GIC ITS frame" },
            { 0x09010000UL, "the PL031 RTC" },
            { 0x09020000UL, "fw_cfg" },
            { 0x09030000UL, "the PL061 GPIO" },
            { 0x10000000UL, "the PCIe MMIO window" },
            { 0x3eff0000UL, "the PCIe I/O window" },
            { 0x08030000UL, "0x08030000 (GICH on GICv2)" },
        },
    },
    {   /* Raspberry Pi 4 (board/rpi4): the RAM from 0, the GIC-400 at 0xff841000 */
        0xff841000UL, 0x02000000UL, 0x0UL, 0x80000UL, 0x02000000UL, 0x3b400000UL, 60, {
            { 0xff844000UL, "the GIC virtual interface control (GICH)" },
            { 0xff845000UL, "another CPU's GICH" },
            { 0xff846000UL, "the GIC virtual CPU interface (GICV) at its PA" },
            { 0xff800000UL, "the ARM local interrupt controller" },
            { 0xfe200000UL, "the GPIO block" },
            { 0xfe00b000UL, "the VideoCore mailboxes" },
            { 0xfe007000UL, "the DMA controller" },
            { 0xfe340000UL, "EMMC2" },
            { 0xfd500000UL, "the PCIe root complex" },
        },
    },
};
const struct board *board = &boards[0];
struct dt_info dt;

/* start.S's CPU_ON entry: vCPU 1 is never started by a valid CPU_ON here; if it is, it stops. */
void secondary_main(unsigned long context)
{
    (void)context;
    printf("FAIL - vCPU 1 started by a CPU_ON that should have been refused\n");
    hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

int main(void *dtb)
{
    check_set_note(" contained");
    if (fdt_parse(dtb, &dt) != 0) {
        check(0, "device tree", "x0 0x%lx: not parsed", (unsigned long)dtb);
        finish();
    }
    int gicv3 = (read_sysreg(id_aa64pfr0_el1) >> 24 & 0xf) != 0;
    for (unsigned i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (boards[i].gicd == dt.gic_reg[0])
            board = &boards[i];
    printf("# bulkhead attack guest: RAM 0x%lx size 0x%lx, %d vCPUs, GICv%d\n", dt.mem_base,
           dt.mem_size, dt.ncpus, gicv3 ? 3 : 2);

    /* SGIs and foreign GIC state first, while the victim runs its checks. */
    attack_sgi(gicv3);
    attack_gic(gicv3);
    attack_other_vm_ram();
    attack_hyp_memory();
    attack_devices();
    attack_psci();
    attack_hypercalls();
    attack_undecodable_mmio();
    attack_impdef_sysregs();
    attack_exec();
    attack_semihosting();
    attack_forged_lines();
    hyp_still_answers("at the end");
    attack_semihosting_exit();
    finish();
}
