// Raspberry Pi 4 Model B (BCM2711: 4x Cortex-A72, GIC-400), booted by the stock firmware, and QEMU's
// `raspi4b` model of it (`-machine raspi4b`: 2 GiB, 4 CPUs). Target facts only: subset constants,
// imported by src/ as "@board" and read by host tools. Where each address comes from:
//   [QEMU]    QEMU 10.0 hw/arm/bcm2838.c (ctrl_base 0xff800000, BCM2838_GIC_BASE 0x40000, the
//             GIC_*_OFS frame offsets, GIC_NUM_IRQS), include/hw/arm/bcm2838_peripherals.h
//             (GIC_SPI_INTERRUPT_*), include/hw/arm/raspi_platform.h (UART0_OFFSET 0x201000 from
//             peri_base 0xfe000000), hw/arm/raspi.c and raspi4b.c (the boot and the memory);
//   [BCM2711] the BCM2711 ARM Peripherals document (the "low peripheral" mode: main peripherals at
//             0xfe000000, ARM_LOCAL and the GIC-400 at 0xff800000) and Linux's bcm2711.dtsi
//             (gicv2: reg 0x40041000 0x1000, 0x40042000 0x2000, 0x40044000 0x2000, 0x40046000
//             0x2000 in the SoC bus view, which maps to 0xff841000..; uart0: GIC_SPI 121).
// Every frame the hypervisor owns or that reaches beyond one VM is declared here; host/config/
// reserved.ts keeps every VM off all of them.

export const BOARD_NAME = "rpi4";

export const CPU_COUNT: u32 = 4;
/**
 * Guest-physical address size for stage 2. The Cortex-A72 implements 44 bits (ID_AA64MMFR0_EL1.
 * PARange = 0b0100, QEMU's cortex-a72 too); 40 bits hold every BCM2711 address (its 35-bit map,
 * the peripherals at 0xfe000000-0xffffffff included) and keep the stage-2 walk at 2 levels of 4 KiB.
 */
export const PA_BITS: u32 = 40;

/**
 * The RAM below the GPU carve-out, which every RPi4 (1, 2, 4 and 8 GB) has: 0x0-0x3b3fffff is what
 * the stock firmware's device tree gives the ARM with the default `gpu_mem=76` on boards of 1 GB or
 * more; the VideoCore's memory follows, to 0x3fffffff. QEMU's raspi4b has RAM all the way to 2 GiB
 * and its VideoCore memory (vcram-base) at 0x3c000000, above this. The hypervisor's reserve is at
 * its bottom.
 */
export const RAM_BASE: u64 = 0x0n;
export const RAM_SIZE: u64 = 0x3b400000n;
/**
 * The RAM above the carve-out, for VMs: 1 GiB at 0x40000000 on the 2 GB model (QEMU raspi4b's, and
 * the firmware's second memory range on it; the 4 and 8 GB models have this and more). A config
 * that uses it needs a board of 2 GB or more.
 */
export const RAM2_BASE: u64 = 0x40000000n;
export const RAM2_SIZE: u64 = 0x40000000n;
/**
 * The hypervisor is linked here: where the firmware loads a 64-bit `kernel` (its default
 * kernel_address, written in config.txt too) and where QEMU's raspi loader puts a raw -kernel image
 * (hw/arm/boot.c KERNEL64_LOAD_ADDR above loader_start 0). Below it, and never written by the
 * hypervisor but for the spin table: the firmware's (QEMU's) stub at 0 and the spin table at
 * 0xd8-0xf7 (the hypervisor's reserve covers them, so no VM maps them either).
 */
export const HYP_BASE: u64 = 0x80000n;

/**
 * The PL011 (UART0), 4 KiB at 0xfe201000 [QEMU UART0_OFFSET, BCM2711 §11]: the hypervisor's console,
 * on GPIO 14 (TXD) and 15 (RXD) once the firmware's `dtoverlay=disable-bt` gives it those pins
 * (docs/rpi4.md), and QEMU's first serial port. Each VM gets an emulated PL011 at the same IPA.
 */
export const UART_BASE: u64 = 0xfe201000n;
/** GIC_SPI 121, INTID 153 [QEMU GIC_SPI_INTERRUPT_UART0, bcm2711.dtsi uart0]. */
export const UART_INTID: u32 = 153;
/**
 * The PL011's reference clock: 48 MHz, as config.txt's init_uart_clock sets it (board/rpi4/sdcard.ts;
 * bcm2711.dtsi's uart0 clock is the firmware's 48 MHz). The stock firmware programs only the primary
 * UART, the mini-UART on a Pi 4: the hypervisor programs the PL011 for 115200 itself (src/el2/pl011.ts).
 */
export const UART_CLOCK_HZ: u32 = 48000000;

export const GIC_VERSION: u32 = 2;
/** GIC-400 distributor, 4 KiB at 0xff841000 [QEMU ctrl_base + BCM2838_GIC_BASE + GIC_DIST_OFS]. Emulated for every VM. */
export const GICD_BASE: u64 = 0xff841000n;
export const GICD_SIZE: u64 = 0x1000n;
/** Redistributors exist only on GICv3. */
export const GICR_BASE: u64 = 0n;
export const GICR_SIZE: u64 = 0n;
/** CPU interface (GICC, 8 KiB: GICC_DIR at +0x1000) at +0x2000 [QEMU GIC_CPU_OFS]. */
export const GICC_BASE: u64 = 0xff842000n;
export const GICC_SIZE: u64 = 0x2000n;
/**
 * Virtual interface control (GICH) at +0x4000 [QEMU GIC_VIFACE_THIS_OFS]: the current CPU's view,
 * 4 KiB; the per-CPU views follow at +0x5000 + 0x200 * cpu [GIC_VIFACE_OTHER_OFS], inside the
 * GICV2_WINDOW reserved with it.
 */
export const GICH_BASE: u64 = 0xff844000n;
export const GICH_SIZE: u64 = 0x1000n;
/** Virtual CPU interface (GICV, 8 KiB) at +0x6000 [QEMU GIC_VCPU_OFS]: mapped only at each VM's GICC address. */
export const GICV_BASE: u64 = 0xff846000n;
export const GICV_SIZE: u64 = 0x2000n;
/**
 * The GIC-400 packs its frames 8 KiB apart (GIC-400 TRM, Table 3-1: GICD 0x1000, GICC 0x2000, GICH
 * 0x4000 and its per-CPU aliases 0x5000, GICV 0x6000): each frame is reserved with its whole 8 KiB.
 */
export const GICV2_WINDOW: u64 = 0x2000n;
/** No GICv2m MSI frame and no ITS on the BCM2711's GIC-400. */
export const GICV2M_BASE: u64 = 0n;
export const GICV2M_SIZE: u64 = 0n;
export const GITS_BASE: u64 = 0n;
export const GITS_SIZE: u64 = 0n;

/**
 * ARM_LOCAL, 4 KiB at 0xff800000 [QEMU ctrl_base: the bcm2836 control block; BCM2711 §6.5;
 * bcm2711.dtsi local_intc, 0x40000000 in the SoC view]: the core timer's prescaler and source (which
 * set how fast every core's arch timer counts), the routing of each core's local interrupts, and
 * the per-core mailboxes any core can raise. No VM may map it.
 */
export const ARM_LOCAL_BASE: u64 = 0xff800000n;
export const ARM_LOCAL_SIZE: u64 = 0x1000n;

/**
 * No IOMMU: the BCM2711 has no SMMU in front of its DMA masters (the DMA engines, EMMC2, the
 * PCIe/xHCI, GENET). A passthrough device that masters the bus reaches all physical memory.
 */
export const HAS_IOMMU: bool = false;

/**
 * There is no PSCI firmware: the stock firmware's stub (armstub8) holds CPUs 1-3 in a loop on the
 * spin table, each reading its entry address at 0xd8 + 8 * cpu (CPU 1: 0xe0, ... CPU 3: 0xf0) and
 * waiting in WFE; QEMU's raspi boot stub does the same (hw/arm/raspi.c, write_smpboot64).
 */
export const SPIN_TABLE_BASE: u64 = 0xd8n;
