// The virtual GIC's delivery, the hardware side: each CPU's pending interrupts (vgic-state.ts)
// moved into its list registers (lr.ts) and the underflow and maintenance interrupts that keep them
// moving; physical interrupts a vCPU owns (its timer PPIs, its VM's SPIs) injected with the HW bit
// (GICv3) or EOI maintenance (GICv2); SGIs between vCPUs of one VM (decoded by sgi.ts) delivered
// through the target's pending set and a kick SGI. The list registers are only ever touched by
// their own CPU.
import { CPU_COUNT, GIC_VERSION, UART_INTID } from "@board";
import { CPU_VM, CPU_VCPU, NO_VM, VM_COUNT, VM_VCPUS, VM_UART, IRQ_FIRST, IRQ_INTID } from "@config";
import { lock, unlock } from "../el2/lock.ts";
import { lineEnd, put, putDec, putHex, vmLineBegin } from "../el2/console.ts";
import { cpuOfVcpu } from "../el2/placement.ts";
import {
  VgicCpu, VgicVm, vgicCpus, vgicVms, GROUP_RESET, PRIORITY_MASK, isOwned, isGroup1, groupEnabled, markPending,
} from "./vgic-state.ts";
import { LR_INVALID, LR_PENDING, FILL_BLOCKED, FILL_WATCH_GROUPS, fillLrs, lrEncode, lrIntid, lrState, lrHw, lrPhysical, lrAwaitsMaintenance } from "./lr.ts";
import { SgiRequest, decodeSgi1r, decodeSgir } from "./sgi.ts";
import { vwriteApply } from "./vwrite.ts";
import {
  KICK_SGI, MAINTENANCE_PPI, HYP_TIMER_PPI, HW_PPIS, isSpi, gicAcknowledge, gicIntid, gicPriorityDrop, gicDeactivate, gicKick,
  gicLrCount, gicReadLr, gicWriteLr, gicSetMaintenance, gicGuestGroups, MAINTAIN_UNDERFLOW, MAINTAIN_GROUPS, gicDistributorOff, gicDistributorOn, gicSetupSpi, gicInitCpu,
  gicEmptyLrs, gicEoiedLrs, gicSetPrivateEnabled, gicWritePrivateBits, gicResetVirtualCpu, gicWriteBits, gicRoute, GICD_ICENABLER, GICD_ICPENDR, GICD_ICACTIVER,
  VTIMER_PPI, PTIMER_PPI,
} from "./gic.ts";

/** Boot CPU, after vgicdInit(): each VM's SPIs, routed to its vCPU 0's CPU, and each vCPU's groups. @cold */
export function vgicInit(): void {
  gicDistributorOff();
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    const c: VgicCpu = vgicCpus[cpu];
    c.vm = u32(CPU_VM[cpu]);
    c.vcpu = u32(CPU_VCPU[cpu]);
    for (let w: u32 = 0; w < 32; w++) c.group[w] = GROUP_RESET;
  }
  for (let vm: u32 = 0; vm < VM_COUNT; vm++) {
    if (vm >= CPU_COUNT) break;
    const d: VgicVm = vgicVms[vm];
    d.vcpus = u32(VM_VCPUS[vm]);
    const cpu0: u32 = cpuOfVcpu(vm, 0n);
    for (let r: u32 = u32(IRQ_FIRST[vm]); r < u32(IRQ_FIRST[vm + 1]); r++) {
      const intid: u32 = u32(IRQ_INTID[r]);
      if (!isSpi(intid) || (intid == UART_INTID && VM_UART[vm] != 0n) || cpu0 >= CPU_COUNT) continue;
      d.owned[intid >> 5] = d.owned[intid >> 5] | (u32(1) << (intid & 31));
      d.target[intid] = 0;
      if (intid > d.maxIntid) d.maxIntid = intid;
      gicSetupSpi(intid, cpu0);
    }
  }
  gicDistributorOn();
}

/** Every CPU, before its vCPU first runs. @cold */
export function vgicInitCpu(cpu: u32): void {
  gicInitCpu(cpu);
  if (cpu >= CPU_COUNT) return;
  const n: u32 = gicLrCount();
  vgicCpus[cpu].lrCount = n;
  vgicCpus[cpu].lrMask = (u32(1) << n) - 1;
}

/** Moves this CPU's pending interrupts into its list registers; arms the maintenance interrupt while some wait (fillLrs says for what). */
export function vgicFlush(cpu: u32): void {
  if (cpu >= CPU_COUNT) return;
  const c: VgicCpu = vgicCpus[cpu];
  if (c.pendingCount == 0 && c.maintenance == 0 && !c.refresh && c.requestWords == 0) return;
  const vm: u32 = c.vm;
  if (vm >= CPU_COUNT) return;
  const enabled: bool = (c.ctlr & 3) != 0;
  lock(c.lock);
  // Only the registers in use are read (ICH_ELRSR_EL2 / GICH_ELRSR: the others hold nothing).
  const n: u32 = c.lrCount > 16 ? 16 : c.lrCount;
  for (let i: u32 = 0; i < n; i++) c.lr[i] = 0n;
  let used: u32 = ~gicEmptyLrs() & ((u32(1) << n) - 1);
  while (used != 0) {
    const i: u32 = ctz32(used);
    used = used & (used - 1);
    c.lr[i & 15] = gicReadLr(i);
  }
  // The guest's state writes first (src/gic/vwrite.ts): an interrupt made active takes a register before a fill.
  const written: u32 = c.requestWords != 0 ? vwriteApply(cpu, c) : 0;
  // The groups the guest has enabled now (its ICC_IGRPEN<n>_EL1 / GICV_CTLR, which do not trap).
  const groups: u32 = gicGuestGroups();
  const r: u32 = fillLrs(c, GIC_VERSION, enabled, groups);
  unlock(c.lock);
  let changed: u32 = (r | written) & 0xffff;
  while (changed != 0) {
    const i: u32 = ctz32(changed);
    changed = changed & (changed - 1);
    gicWriteLr(i, c.lr[i & 15]);
  }
  const causes: u32 = ((r & FILL_BLOCKED) != 0 ? MAINTAIN_UNDERFLOW : 0) | ((r & FILL_WATCH_GROUPS) != 0 ? MAINTAIN_GROUPS : 0);
  if (causes != c.maintenance || ((causes & MAINTAIN_GROUPS) != 0 && groups != c.maintenanceGroups)) {
    c.maintenance = causes;
    c.maintenanceGroups = groups;
    gicSetMaintenance(causes, groups);
  }
}

/**
 * Run on CPU `cpu` when its vCPU starts afresh (PSCI CPU_ON, its VM restarting) or parks: the list
 * registers and the pending set are emptied, and the private interrupts' configuration goes back
 * to reset. No hardware interrupt the vCPU held may stay active, or it would never fire again:
 * those in a list register and those waiting in the pending set (acknowledged and priority-dropped
 * at the physical GIC, so still active there; e.g. the timer, fired while the guest's distributor
 * was disabled) are deactivated, and the timer PPIs' active state is cleared besides.
 * @cold
 */
export function vgicResetCpu(cpu: u32): void {
  if (cpu >= CPU_COUNT) return;
  const c: VgicCpu = vgicCpus[cpu];
  for (let i: u32 = 0; i < 16; i++) {
    if (i >= c.lrCount) break;
    const v: u64 = gicReadLr(i);
    const held: bool = lrState(GIC_VERSION, v) != LR_INVALID || lrAwaitsMaintenance(GIC_VERSION, v);
    if (held && lrHw(GIC_VERSION, v)) gicDeactivate(lrPhysical(GIC_VERSION, v));
    gicWriteLr(i, 0n);
  }
  lock(c.lock);
  for (let w: u32 = 0; w < 32; w++) {
    const hw: u32 = c.pending[w] & c.hw[w];
    for (let b: u32 = 0; b < 32 && (hw >> b) != 0; b++) {
      if (((hw >> b) & 1) != 0) gicDeactivate(w * 32 + b);
    }
    c.pending[w] = 0;
    c.hw[w] = 0;
  }
  c.pendingWords = 0;
  c.pendingCount = 0;
  for (let w: u32 = 0; w < 32; w++) {
    c.setActive[w] = 0;
    c.clearActive[w] = 0;
    c.unpend[w] = 0;
  }
  c.requestWords = 0;
  c.privEnabled = 0;
  c.privConfig = 0;
  c.group[0] = GROUP_RESET;
  for (let i: u32 = 0; i < 32; i++) c.privPriority[i] = 0;
  c.sleep = true;
  unlock(c.lock);
  gicSetPrivateEnabled(cpu, VTIMER_PPI, false);
  gicSetPrivateEnabled(cpu, PTIMER_PPI, false);
  gicWritePrivateBits(cpu, GICD_ICACTIVER, HW_PPIS);
  // An interrupt the guest acknowledged and never completed leaves its priority active in the
  // virtual CPU interface, masking every interrupt of equal or lower priority.
  gicResetVirtualCpu();
  if (c.maintenance != 0) {
    c.maintenance = 0;
    gicSetMaintenance(0, 0);
  }
}

/**
 * A restarting or powered-off VM's distributor back to reset: disabled, its SPIs disabled, neither
 * pending nor active at the physical GIC, routed to vCPU 0. Run once every vCPU of the VM has
 * parked (each deactivated what it held: vgicResetCpu), so clearing the active state here ends no
 * activation of the VM's next run.
 * @cold
 */
export function vgicResetVm(vm: u32): void {
  if (vm >= CPU_COUNT) return;
  const d: VgicVm = vgicVms[vm];
  vgicSetCtlr(vm, 0);
  const cpu0: u32 = cpuOfVcpu(vm, 0n);
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    if (vgicCpus[cpu].vm != vm) continue;
    for (let w: u32 = 1; w < 32; w++) vgicCpus[cpu].group[w] = GROUP_RESET;
  }
  for (let w: u32 = 1; w < 32; w++) {
    const owned: u32 = d.owned[w];
    if (owned == 0) continue;
    gicWriteBits(GICD_ICENABLER, w, owned);
    gicWriteBits(GICD_ICPENDR, w, owned);
    gicWriteBits(GICD_ICACTIVER, w, owned);
    for (let b: u32 = 0; b < 32; b++) {
      if (((owned >> b) & 1) == 0) continue;
      const intid: u32 = w * 32 + b;
      d.priority[intid & 1023] = 0;
      d.target[intid & 1023] = 0;
      if (cpu0 < CPU_COUNT) gicRoute(intid, cpu0);
    }
  }
}

/** Makes `intid` pending for the vCPU of physical CPU `cpu` (any CPU may call); kicks that CPU if it is not this one. */
export function vgicRaise(cpu: u32, intid: u32, priority: u32, hw: bool, source: u32, self: u32): void {
  if (cpu >= CPU_COUNT) return;
  const c: VgicCpu = vgicCpus[cpu];
  lock(c.lock);
  markPending(c, intid, priority, hw, source);
  unlock(c.lock);
  if (cpu != self) gicKick(cpu);
}

/** The priority the guest gave `intid` (private ones: of the vCPU `c`). */
function virtualPriority(c: VgicCpu, intid: u32): u32 {
  if (intid < 32) return u32(c.privPriority[intid & 31]);
  return c.vm < CPU_COUNT ? u32(vgicVms[c.vm].priority[intid & 1023]) : 0;
}

/** GICD_CTLR (EnableGrp0/EnableGrp1) of VM `vm` set: in its distributor and each of its vCPUs' copies (VgicCpu.ctlr). Rare: a guest enables its distributor at boot. @cold */
export function vgicSetCtlr(vm: u32, ctlr: u32): void {
  if (vm >= CPU_COUNT) return;
  vgicVms[vm].ctlr = ctlr;
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    if (vgicCpus[cpu].vm == vm) vgicCpus[cpu].ctlr = ctlr;
  }
}

const sgiRequests = pool(CPU_COUNT, SgiRequest);

/** Delivers a decoded SGI from vCPU `selfVcpu` (on CPU `cpu`) of VM `vm`: only to vCPUs of that VM. */
function deliverSgi(cpu: u32, vm: u32, req: SgiRequest): void {
  const d: VgicVm = vgicVms[vm];
  if (req.outside) {
    d.deniedSgis++;
    if (!d.sgiLogged) {
      d.sgiLogged = true;
      vmLineBegin(vm);
      put("SGI to a CPU outside the VM dropped (logged once)");
      lineEnd();
    }
  }
  const self: u32 = vgicCpus[cpu].vcpu;
  let targets: u32 = req.targets;
  while (targets != 0) {
    const t: u32 = ctz32(targets);
    targets = targets & (targets - 1);
    const target: u32 = cpuOfVcpu(vm, u64(t));
    if (target >= CPU_COUNT) continue;
    // ICC_SGI0R_EL1 generates only Group 0 SGIs: a target that has this one in Group 1 gets nothing
    // (IHI 0069 ICC_SGI0R_EL1; QEMU and KVM alike).
    if (req.group0 && isGroup1(vgicCpus[target], req.intid)) continue;
    // To itself: straight into a free list register, as a hardware interrupt goes (injectDirect),
    // unless a register already holds that SGI (the pending-set path merges it: fillLrs).
    if (target == cpu && !lrsHold(cpu, req.intid) && injectDirect(cpu, req.intid, false, self)) continue;
    vgicRaise(target, req.intid, u32(vgicCpus[target].privPriority[req.intid & 31]), false, self, cpu);
  }
  vgicFlush(cpu);
}

/** A trapped write of ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1 (GICv3 guests; `group0`: the last). */
export function vgicSgi1r(cpu: u32, vm: u32, value: u64, group0: bool): void {
  if (cpu >= CPU_COUNT || vm >= CPU_COUNT) return;
  const req: SgiRequest = sgiRequests[cpu];
  decodeSgi1r(value, vgicCpus[cpu].vcpu, vgicVms[vm].vcpus, req);
  req.group0 = group0;
  deliverSgi(cpu, vm, req);
}

/** A guest write of GICD_SGIR (GICv2 guests). */
export function vgicSgir(cpu: u32, vm: u32, value: u32): void {
  if (cpu >= CPU_COUNT || vm >= CPU_COUNT) return;
  const req: SgiRequest = sgiRequests[cpu];
  decodeSgir(value, vgicCpus[cpu].vcpu, vgicVms[vm].vcpus, req);
  req.group0 = false;
  deliverSgi(cpu, vm, req);
}

/**
 * The fast path for an interrupt of the vCPU of CPU `cpu` (the calling one) — a hardware one (its
 * timer, its VM's SPIs: `hw`) or an SGI it sends itself (from vCPU `source`): straight into an
 * empty list register when nothing waits in the pending set. Priority order still holds: with the
 * set empty every waiting interrupt is already in a register, and the virtual CPU interface
 * presents the highest first. Another CPU adding to the set meanwhile kicks this CPU, whose flush
 * then runs as usual. False: take the pending-set path.
 *
 * An INTID in two list registers is UNPREDICTABLE (IHI 0069 4.4.6, IHI 0048 5.3.6). Usually the
 * INTID cannot be in one already — its physical interrupt stays active until the guest deactivates
 * that register. A timer PPI never is: the guest cannot clear its physical active state, and its
 * software pending state is the physical one (src/gic/vgicd.ts writePrivateBits). But a guest can
 * clear the physical active state of its SPI (GICD_ICACTIVER) while a register still holds it, so
 * for an SPI vgicIrq checks the registers in use first (lrsHold), and the pending-set path then
 * merges the new activation into that register (fillLrs). So does deliverSgi for an SGI, which
 * may be in a register still (pending, or active in the guest's handler).
 */
function injectDirect(cpu: u32, intid: u32, hw: bool, source: u32): bool {
  if (cpu >= CPU_COUNT) return false;
  const c: VgicCpu = vgicCpus[cpu];
  if (c.pendingCount != 0 || (c.ctlr & 3) == 0 || (intid < 32 && ((c.privEnabled >> intid) & 1) == 0)) return false;
  // What the register needs, read before the GIC's registers: a device read is a compiler barrier.
  const group1: bool = isGroup1(c, intid);
  const priority: u32 = virtualPriority(c, intid) & PRIORITY_MASK;
  const implemented: u32 = c.lrMask;
  // Only into a group the guest has enabled (see fillLrs: one of a disabled group waits in the pending set).
  if (!groupEnabled(gicGuestGroups(), group1)) return false;
  const elrsr: u32 = gicEmptyLrs();
  const empty: u32 = elrsr & implemented;
  if (empty == 0) return false;
  gicWriteLr(ctz32(empty), lrEncode(GIC_VERSION, intid, priority, hw, source, group1));
  return true;
}

/**
 * Whether the vCPU of CPU `cpu` (the calling one) has an interrupt waiting for it: in its pending
 * set, or pending in a list register. A WFI at EL2 wakes only on a physical interrupt, and the
 * physical source of a list register with the HW bit (the timer, an SPI) stays active, silent,
 * until the guest deactivates it: a vCPU that waits in the hypervisor must not wait then.
 */
export function vgicWaiting(cpu: u32): bool {
  if (cpu >= CPU_COUNT) return false;
  const c: VgicCpu = vgicCpus[cpu];
  if (c.pendingCount != 0) return true;
  const empty: u32 = gicEmptyLrs();
  const used: u32 = ~empty & c.lrMask;
  for (let i: u32 = 0; i < 16 && (used >> i) != 0; i++) {
    if (((used >> i) & 1) != 0 && (lrState(GIC_VERSION, gicReadLr(i)) & LR_PENDING) != 0) return true;
  }
  return false;
}

/**
 * GICv2: the physical interrupts of the registers whose EOI the guest has completed (GICH_EISR0)
 * are deactivated, and the registers freed. Run on the maintenance interrupt, on its own CPU.
 */
function vgicEoiMaintenance(): void {
  const done: u32 = gicEoiedLrs();
  for (let i: u32 = 0; i < 16 && (done >> i) != 0; i++) {
    if (((done >> i) & 1) == 0) continue;
    const v: u64 = gicReadLr(i);
    if (lrHw(2, v)) gicDeactivate(lrPhysical(2, v));
    gicWriteLr(i, 0n);
  }
}

/** Whether one of the list registers of CPU `cpu` (the calling one) holds `intid`. */
function lrsHold(cpu: u32, intid: u32): bool {
  const empty: u32 = gicEmptyLrs();
  const used: u32 = ~empty & vgicCpus[cpu].lrMask;
  for (let i: u32 = 0; i < 16 && (used >> i) != 0; i++) {
    if (((used >> i) & 1) != 0 && lrIntid(GIC_VERSION, gicReadLr(i)) == intid) return true;
  }
  return false;
}

/**
 * Acknowledges this CPU's highest-priority pending physical IRQ and drops its running priority
 * (EOImode 1: it stays active until deactivated). The raw IAR (gicIntid() 1020 and up: nothing was
 * pending, and nothing is done).
 */
export function vgicAcknowledge(): u32 {
  const iar: u32 = gicAcknowledge();
  if (gicIntid(iar) < 1020) gicPriorityDrop(iar);
  return iar;
}

/**
 * The early path of an acknowledged IRQ (src/el2/trap.ts trap_irq), for the interrupt a running
 * guest takes most: its vCPU's own timer (HW_PPIS: a PPI, private to this CPU, so no other VM's),
 * while a list register is free and nothing waits in the pending set: straight into that register
 * (injectDirect). False: vgicIrq takes it as any other (a spurious IAR, 1020 and up, included).
 */
export function vgicOwnPpi(cpu: u32, iar: u32): bool {
  const intid: u32 = gicIntid(iar);
  // A switch, not `!=` twice: GCC makes that two compares and a branch, not four instructions and a branch.
  switch (intid) {
    case VTIMER_PPI:
    case PTIMER_PPI:
      break;
    default:
      return false;
  }
  // `& 31` changes nothing but tells the C compiler it is a PPI: the private priority and group, no SPI branch.
  return injectDirect(cpu, intid & 31, true, 0);
}

/**
 * A physical IRQ taken at EL2, acknowledged and its priority dropped (vgicAcknowledge) by the
 * caller (src/el2/trap.ts trap_irq, src/el2/idle.ts):
 * - the vCPU's timer PPIs and the VM's own SPIs: into a free list register (injectDirect) or the
 *   pending set, with the HW bit, so that the list register links the virtual INTID to the
 *   physical one. The guest acknowledges and EOIs it at its virtual CPU interface without any
 *   exit; its EOI (deactivation) of a HW list register deactivates the physical interrupt in the
 *   GIC. The timer's output stays asserted while its condition holds, so if the guest has not
 *   re-armed or masked the timer, the interrupt fires again at once — exactly the
 *   level-sensitive behaviour the guest expects, and with no hypervisor involvement between the
 *   guest's EOI and the next expiry. An SPI is taken only on a CPU of the VM that owns it: the
 *   physical route of an owned SPI names only its VM's CPUs (vgicInit, src/gic/vgicd.ts routeSpi),
 *   and every other SPI is the hypervisor's or left disabled.
 * - the kick SGI: other CPUs added to this vCPU's pending set; the flush below delivers them.
 * - the maintenance interrupt: list registers drained (underflow) or, on GICv2, EOIs completed
 *   (vgicEoiMaintenance); the flush refills them.
 * - the EL2 timer: deactivated; the caller checks the watchdog (src/el2/trap.ts).
 * - the board UART's: returned still active, for the console's input (src/el2/consolein.ts).
 * - anything else: deactivated and logged once per VM.
 * Returns the INTID (1020 and up: spurious, nothing done).
 */
export function vgicIrq(cpu: u32, iar: u32): u32 {
  const intid: u32 = gicIntid(iar);
  if (intid >= 1020) return intid;
  // The board UART's input: src/el2/consolein.ts takes it (and deactivates it), from trap_irq.
  if (intid == UART_INTID) return intid;
  const vm: u32 = cpu < CPU_COUNT ? u32(CPU_VM[cpu]) : NO_VM;
  if (vm >= CPU_COUNT) {
    gicDeactivate(iar);
    return intid;
  }
  const d: VgicVm = vgicVms[vm];
  const hwPpi: bool = intid >= 16 && intid < 32 && ((HW_PPIS >> intid) & 1) != 0;
  if (hwPpi || isOwned(d, intid)) {
    // An SPI may already sit in a list register (see injectDirect); a timer PPI cannot.
    if ((hwPpi || !lrsHold(cpu, intid)) && injectDirect(cpu, intid, true, 0)) return intid;
    const priority: u32 = virtualPriority(vgicCpus[cpu], intid);
    vgicRaise(cpu, intid, priority, true, 0, cpu);
  } else {
    // Completed EOIs first: the maintenance interrupt stays asserted while one is due.
    if (GIC_VERSION == 2 && intid == MAINTENANCE_PPI) vgicEoiMaintenance();
    gicDeactivate(iar);
    if (intid != KICK_SGI && intid != MAINTENANCE_PPI && intid != HYP_TIMER_PPI && !d.unknownIrqLogged) {
      d.unknownIrqLogged = true;
      vmLineBegin(vm);
      put("physical interrupt ");
      putDec(u64(intid));
      put(" has no owner here, deactivated (logged once), IAR ");
      putHex(u64(iar));
      lineEnd();
    }
  }
  vgicFlush(cpu);
  return intid;
}
