// The checks of the config's channels (types.ts Channel; layout in channels.ts): each channel once
// (its name, members, memory), then each member VM's view of them (its PCI slots, BAR window and
// doorbell INTIDs), every error naming the channel or the VM and both ranges.
import type { Board } from "../board.ts";
import type { Config } from "./types.ts";
import { CHANNEL_INTID_FIRST, MAX_CHANNELS_PER_VM, VPCI_ECAM, VPCI_ECAM_SIZE, VPCI_MMIO, VPCI_MMIO_SIZE, channelMembers, vmChannels } from "./channels.ts";
import { PAGE, describe, factsOf, hex, overlaps, ramRanges, span, vmInterrupts, vmMappings, type Range } from "./model.ts";
import { describeReserved, reservedRegions } from "./reserved.ts";

const CHANNEL_NAME = /^[a-z][a-z0-9-]{0,15}$/;

/** Every problem of `cfg`'s channels on `board`, one line each. */
export function channelErrors(board: Board, cfg: Config, hyp: Range): string[] {
  const errors: string[] = [];
  const err = (m: string) => errors.push(m);
  const channels = cfg.channels ?? [];
  const f = factsOf(board);
  const ram = ramRanges(f);
  const reserved = reservedRegions(f, hyp);
  const names = new Set(cfg.vms.map((v) => v.name));
  channels.forEach((ch, i) => {
    const who = `channel "${ch.name}"`;
    if (!CHANNEL_NAME.test(ch.name)) err(`${who}: the name must match ${CHANNEL_NAME}`);
    if (channels.findIndex((c) => c.name === ch.name) < i) err(`${who} (channels[${i}]) has the same name as an earlier channel`);
    const members = channelMembers(ch);
    if (members.length < 2) err(`${who} has ${members.length} member VM${members.length === 1 ? "" : "s"} (a channel joins at least two)`);
    for (const [vm] of members) if (!names.has(vm)) err(`${who} names vm "${vm}", which is not a vm of the config`);
    if (ch.size < PAGE || (ch.size & (ch.size - 1n)) !== 0n) { err(`${who} size ${hex(ch.size)} is not a power of two of at least 4 KiB (it is a PCI BAR)`); return; }
    if (ch.pa % ch.size !== 0n) err(`${who} pa ${hex(ch.pa)} is not aligned to its size ${hex(ch.size)}`);
    const mem = `${who} ${span(ch.pa, ch.size)}`;
    if (!ram.some(([s, e]) => ch.pa >= s && ch.pa + ch.size <= e)) err(`${mem} is outside board RAM ${ram.map(([s, e]) => span(s, e - s)).join(" and ")}`);
    for (const r of reserved) if (overlaps(ch.pa, ch.size, r.base, r.size)) err(`${mem} overlaps ${describeReserved(r)}`);
    for (const vm of cfg.vms) {
      for (const m of vmMappings(cfg, vm)) {
        if (m.kind !== "channel" && !m.fromPeer && overlaps(ch.pa, ch.size, m.pa, m.size)) err(`${mem} overlaps vm "${vm.name}" ${describe(m)} ${span(m.pa, m.size)}`);
      }
    }
    channels.slice(0, i).forEach((o) => {
      if (o.size > 0n && overlaps(ch.pa, ch.size, o.pa, o.size)) err(`${mem} overlaps channel "${o.name}" ${span(o.pa, o.size)}`);
    });
  });

  for (const vm of cfg.vms) {
    const ports = vmChannels(cfg, vm);
    if (ports.length === 0) continue;
    const who = `vm "${vm.name}"`;
    if (ports.length > MAX_CHANNELS_PER_VM) err(`${who} is in ${ports.length} channels; its PCI bus holds at most ${MAX_CHANNELS_PER_VM}`);
    const last = ports[ports.length - 1];
    if (last.bar2 + last.channel.size > VPCI_MMIO + VPCI_MMIO_SIZE) {
      err(`${who}: its channels' memory (BAR2s up to ${hex(last.bar2 + last.channel.size - 1n)}) does not fit in its PCI window ${span(VPCI_MMIO, VPCI_MMIO_SIZE)}`);
    }
    const window: [string, bigint, bigint][] = [["PCI ECAM", VPCI_ECAM, VPCI_ECAM_SIZE], ["PCI memory window", VPCI_MMIO, VPCI_MMIO_SIZE]];
    for (const m of vmMappings(cfg, vm)) {
      if (m.kind === "channel") continue;
      for (const [what, base, size] of window) {
        if (overlaps(m.ipa, m.size, base, size)) err(`${who} ${describe(m)} IPA ${span(m.ipa, m.size)} overlaps its ${what} IPA ${span(base, size)} (it is in a channel)`);
      }
    }
    const irqs = new Set(vmInterrupts(vm));
    for (const p of ports) {
      if (irqs.has(p.intid)) err(`${who} interrupt ${p.intid} is the doorbell of its channel "${p.channel.name}" (INTIDs ${CHANNEL_INTID_FIRST} and up are its channels')`);
    }
  }
  return errors;
}
