// The console's input. The board UART's receive interrupt brings the bytes typed on its line, and
// each goes to the emulated PL011 of the VM that has the console's focus (src/stage2/vuart.ts),
// which raises that VM's UART interrupt. Ctrl-\ typed three times in a row moves the focus to the
// next VM that has an emulated UART (as Xen's Ctrl-A three times does; Ctrl-A is QEMU's, screen's
// and minicom's own escape, Ctrl-\ reaches the board through all of them), and the hypervisor says
// on its own line which VM has it now. Ctrl-\ once or twice, then another byte, delivers them all.
//
// What no VM can do to another through it (docs/architecture.md, "The console"):
// - Read another VM's input: a byte goes only to the focused VM's FIFO; only the board's line
//   (the escape) moves the focus, never a guest.
// - Stall the input, or anyone: the interrupt is taken by a CPU whose vCPU runs — routed away from
//   one whose vCPU stops (consoleInputCpuOff), so a VM that powers off or parks its CPUs cannot
//   keep it; the focus switch needs no guest; each interrupt reads at most INPUT_BURST bytes; a
//   focused VM that does not read fills its own bounded FIFO, and further bytes are dropped,
//   counted and logged at powers of two.
import { CPU_COUNT, UART_INTID } from "@board";
import { VM_COUNT, VM_UART, vmName } from "@config";
import { SpinLock, lock, unlock } from "./lock.ts";
import { consoleSetFocus, consoleTypedAt, lineBegin, lineEnd, put, putDec, vmLineBegin } from "./console.ts";
import { UART_NO_INPUT, uartGetc, uartRxEnable } from "./pl011.ts";
import { GICD_ISENABLER, gicDeactivate, gicRoute, gicSetupSpi, gicWriteBits, gicWriteConfig } from "../gic/gic.ts";
import { vgicFlush } from "../gic/vgic.ts";
import { vspiDeclareLevel } from "../gic/vspi.ts";
import { vms } from "../stage2/vm.ts";
import { vuartReceive } from "../stage2/vuart.ts";

/** Ctrl-\ (FS), ESCAPE_REPEAT times in a row: the focus moves on. */
const ESCAPE: u32 = 0x1c;
const ESCAPE_REPEAT: u32 = 3;
/** Bytes read per interrupt at most: more wait in the board UART's FIFO, whose interrupt stays asserted. */
const INPUT_BURST: u32 = 64;
const NO_FOCUS: u32 = 0xffffffff;

/** Serialises the input (one interrupt at a time: the routing may move mid-way) and the routing. */
const inputLock = new SpinLock();
/** The VM input goes to (NO_FOCUS: none has an emulated UART); how many escapes are held back. */
let focus: u32 = NO_FOCUS;
let escapes: u32 = 0;
/** Bit p: the vCPU of CPU p is on; the CPU the interrupt is routed to (CPU_COUNT: none yet). */
let runningCpus: u32 = 0;
let inputCpu: u32 = CPU_COUNT;

/** The VM after `from` (in config order, wrapping) that has an emulated UART; NO_FOCUS if none. @cold */
function nextFocus(from: u32): u32 {
  for (let k: u32 = 1; k <= VM_COUNT; k++) {
    const vm: u32 = (from + k) % VM_COUNT;
    if (VM_UART[vm] != 0n) return vm;
  }
  return NO_FOCUS;
}

/** `[hyp] console input: <vm> (Ctrl-\ three times: next VM)`. @cold */
function sayFocus(vm: u32): void {
  lineBegin("hyp");
  put("console input: ");
  put(vmName(vm));
  put(" (Ctrl-\\ three times: next VM)");
  lineEnd();
}

/**
 * Boot CPU, after the virtual GICs: each emulated UART's interrupt a virtual SPI of its VM, at the
 * INTID its device tree names (the board UART's: the physical one is the hypervisor's); the board
 * UART's receive interrupts on, level-sensitive and enabled (routed by the first vCPU that
 * starts: consoleInputCpuOn); the focus on the first VM with an emulated UART.
 * @cold
 */
export function consoleInputInit(): void {
  for (let vm: u32 = 0; vm < VM_COUNT; vm++) {
    if (VM_UART[vm] != 0n) vspiDeclareLevel(vm, UART_INTID);
  }
  focus = nextFocus(VM_COUNT - 1);
  if (focus == NO_FOCUS) return;
  consoleSetFocus(focus);
  gicSetupSpi(UART_INTID, 0);
  gicWriteConfig(UART_INTID, false);
  uartRxEnable();
  gicWriteBits(GICD_ISENABLER, UART_INTID >> 5, u32(1) << (UART_INTID & 31));
  sayFocus(focus);
}

/** @cold */
function routeTo(cpu: u32): void {
  inputCpu = cpu;
  gicRoute(UART_INTID, cpu);
}

/** CPU `cpu`'s vCPU is on: it takes the interrupt if the CPU that has it is not running a vCPU. @cold */
export function consoleInputCpuOn(cpu: u32): void {
  if (cpu >= CPU_COUNT) return;
  lock(inputLock);
  runningCpus = runningCpus | (u32(1) << cpu);
  if (inputCpu >= CPU_COUNT || ((runningCpus >> inputCpu) & 1) == 0) routeTo(cpu);
  unlock(inputLock);
}

/**
 * CPU `cpu`'s vCPU is off (parked, or its VM off): the interrupt moves to another CPU whose vCPU
 * is on, if any (else the next to start takes it). A parked CPU never takes an interrupt (it
 * waits with them masked), so input must not wait for it.
 * @cold
 */
export function consoleInputCpuOff(cpu: u32): void {
  if (cpu >= CPU_COUNT) return;
  lock(inputLock);
  runningCpus = runningCpus & ~(u32(1) << cpu);
  if (inputCpu == cpu && runningCpus != 0) {
    let next: u32 = 0;
    while (((runningCpus >> next) & 1) == 0) next++;
    routeTo(next);
  }
  unlock(inputLock);
}

/** Byte `c` to the focused VM's UART; false if its FIFO was full (the byte is dropped). @cold */
function deliver(c: u32, cpu: u32): bool {
  if (focus >= VM_COUNT || focus >= CPU_COUNT) return true;
  return vuartReceive(focus, vms[focus].uart, u8(c), cpu);
}

/**
 * The board UART's receive interrupt, taken on CPU `cpu` (src/el2/trap.ts): up to INPUT_BURST
 * bytes to the focused VM, the escape recognised, and the interrupt deactivated.
 * @cold
 */
export function consoleInputIrq(cpu: u32): void {
  let switched: bool = false;
  let dropped: bool = false;
  let typed: u32 = NO_FOCUS;
  lock(inputLock);
  const from: u32 = focus;
  const before: u32 = from < CPU_COUNT ? vms[from].uart.dropped : 0;
  for (let i: u32 = 0; i < INPUT_BURST; i++) {
    const c: u32 = uartGetc();
    if (c == UART_NO_INPUT) break;
    if (c == ESCAPE && focus != NO_FOCUS) {
      escapes++;
      if (escapes == ESCAPE_REPEAT) {
        escapes = 0;
        focus = nextFocus(focus);
        consoleSetFocus(focus);
        switched = true;
      }
      continue;
    }
    // Escapes short of the sequence were input after all.
    for (; escapes > 0; escapes--) dropped = !deliver(ESCAPE, cpu) || dropped;
    dropped = !deliver(c, cpu) || dropped;
    typed = focus;
  }
  const to: u32 = focus;
  unlock(inputLock);
  gicDeactivate(UART_INTID);
  // Input for this CPU's own vCPU: into a list register now (another CPU's was kicked).
  vgicFlush(cpu);
  if (dropped) reportDrops(from, before);
  if (typed != NO_FOCUS) consoleTypedAt(typed);
  if (switched) sayFocus(to);
}

/**
 * `[hyp] vm <name>: N console input bytes dropped so far ...`, when the count, `before` at the
 * start of the burst, has passed a power of two (1, 2, 4, 8, ...).
 * @cold
 */
function reportDrops(vm: u32, before: u32): void {
  if (vm >= CPU_COUNT) return;
  const n: u32 = vms[vm].uart.dropped;
  let p: u32 = 1;
  while (p <= before && p < 0x80000000) p = p << 1;
  if (n < p) return;
  vmLineBegin(vm);
  putDec(u64(n));
  put(" console input bytes dropped so far (receive FIFO full; logged at powers of two)");
  lineEnd();
}
