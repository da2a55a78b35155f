// Where a VM finds its channels (types.ts Channel): each member VM gets a virtual PCI host bridge
// (ECAM, bus 0 only) with one ivshmem-style device per channel it is in, in config order: device k
// (slot k) has its doorbell registers in BAR0 and the channel's memory in BAR2, and its INTA is
// virtual SPI CHANNEL_INTID_FIRST + k. The addresses are the hypervisor's choice, the same on every
// board and in every VM; the checker refuses a VM that maps anything over them (check.ts).
import type { Channel, ChannelAccess, Config, VmConfig } from "./types.ts";

/** The ECAM window of the virtual host bridge (bus 0: 32 devices × 8 functions × 4 KiB). */
export const VPCI_ECAM = 0x30000000n;
export const VPCI_ECAM_SIZE = 0x100000n;
/** The 32-bit memory window the BARs are in (the bridge's `ranges`). */
export const VPCI_MMIO = 0x10000000n;
export const VPCI_MMIO_SIZE = 0x20000000n;
/** BAR0 of slot k: one 4 KiB page of registers at VPCI_MMIO + k × 4 KiB. */
export const BAR0_SIZE = 0x1000n;
/** BAR2s from here, each aligned to its size (a BAR is naturally aligned), in slot order. */
const BAR2_FIRST = VPCI_MMIO + 0x100000n;
/** Device numbers on bus 0. */
export const MAX_CHANNELS_PER_VM = 32;
/**
 * The doorbell INTIDs: above every physical SPI of the supported boards (QEMU virt's GIC has 256
 * SPIs, to INTID 287; the BCM2711's GIC-400 fewer), so that no physical interrupt of the VM can
 * share one, and below 1020 for every slot.
 */
export const CHANNEL_INTID_FIRST = 960;

/** One VM's view of one channel. */
export interface ChannelPort {
  channel: Channel;
  /** Index of the channel in cfg.channels. */
  index: number;
  /** PCI device number on the VM's bus 0. */
  slot: number;
  /** This VM's peer ID: its place among the channel's members. */
  peer: number;
  access: ChannelAccess;
  bar0: bigint;
  bar2: bigint;
  intid: number;
}

export function channelMembers(ch: Channel): [string, ChannelAccess][] {
  return Object.entries(ch.vms);
}

/** The channels `vm` is a member of, in config order (slot k: the k-th of them). */
export function vmChannels(cfg: Config, vm: VmConfig): ChannelPort[] {
  const out: ChannelPort[] = [];
  let bar2 = BAR2_FIRST;
  (cfg.channels ?? []).forEach((channel, index) => {
    const members = channelMembers(channel);
    const peer = members.findIndex(([name]) => name === vm.name);
    if (peer < 0) return;
    const slot = out.length;
    const size = channel.size > 0n ? channel.size : 1n;
    bar2 = (bar2 + size - 1n) / size * size;
    out.push({
      channel, index, slot, peer, access: members[peer][1],
      bar0: VPCI_MMIO + BigInt(slot) * BAR0_SIZE, bar2, intid: CHANNEL_INTID_FIRST + slot,
    });
    bar2 += size;
  });
  return out;
}
