// QEMU's `virt` machine as Bulkhead runs it (`-machine virt,virtualization=on -cpu cortex-a53 -m 1G
// -smp 4`): the facts its GICv2 and GICv3 variants share. Addresses from QEMU hw/arm/virt.c
// (base_memmap), checked against QEMU 10.0's own device tree (`-machine virt,...,dumpdtb=x.dtb`)
// and its `info mtree` for gic-version=2 and 3. Every frame the hypervisor owns or that reaches
// beyond one VM is declared here or in the variant's board.ts; host/config/reserved.ts keeps
// every VM off all of them.

export const CPU_COUNT: u32 = 4;
/** Guest-physical address size the board's CPUs support (cortex-a53: ID_AA64MMFR0_EL1.PARange = 40 bits). */
export const PA_BITS: u32 = 40;

export const RAM_BASE: u64 = 0x40000000n;
export const RAM_SIZE: u64 = 0x40000000n;
/** One RAM range. */
export const RAM2_BASE: u64 = 0n;
export const RAM2_SIZE: u64 = 0n;
/** The hypervisor is linked here; QEMU keeps its DTB for an ELF kernel at RAM_BASE, below it. */
export const HYP_BASE: u64 = 0x40200000n;

/** VIRT_UART, 4 KiB: the hypervisor's console (each VM gets an emulated PL011 at the same IPA). */
export const UART_BASE: u64 = 0x09000000n;
/** SPI 1 (INTID 33) on virt. */
export const UART_INTID: u32 = 33;
/** 0: QEMU's PL011 needs no baud rate (the hypervisor leaves it as the loader left it). */
export const UART_CLOCK_HZ: u32 = 0;

/** VIRT_GIC_DIST, 64 KiB: the distributor, emulated for every VM. */
export const GICD_BASE: u64 = 0x08000000n;
export const GICD_SIZE: u64 = 0x10000n;

/**
 * No IOMMU: QEMU adds an SMMUv3 only with `-machine iommu=smmuv3`, and the hypervisor has no SMMU
 * driver. A passthrough device that masters the bus reaches all physical memory (see `dma` in
 * host/config/types.ts).
 */
export const HAS_IOMMU: bool = false;

/** No ARM_LOCAL block (a Raspberry Pi's: board/rpi4/board.ts). */
export const ARM_LOCAL_BASE: u64 = 0n;
export const ARM_LOCAL_SIZE: u64 = 0n;

/** Secondary CPUs start through PSCI CPU_ON (QEMU's built-in firmware, SMC conduit at EL2). */
export const SPIN_TABLE_BASE: u64 = 0n;

