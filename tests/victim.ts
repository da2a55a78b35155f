// The fuzzer's victim (guests/fuzz/victim.c) as a neighbour that must not notice, run with
// "watch=V": it ends once VM V is off (HVC_HEALTH) and reports V's health. Shared by the health tests.
import { MAX_LATE_US } from "../host/fuzz-guest.ts";

/** What went wrong with the victim (empty: nothing), given what VM `vm`'s health must read at the end. */
export function watchingVictim(lines: string[], vm: number, restarts: number, cause: number): { problems: string[]; worstLateUs: number; beats: number } {
  const problems: string[] = [];
  const summary = lines.find((l) => l.startsWith("[victim] victim: "));
  const m = summary ? /^\[victim\] victim: watched VM off after beats (\d+) worst-late (\d+) us, .*canary-bad (\d+) of/.exec(summary) : null;
  if (!m) return { problems: [`no victim report ended by the watched VM's power-off: ${summary ?? "none"}`], worstLateUs: -1, beats: 0 };
  const [beats, late, canaries] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (late > MAX_LATE_US) problems.push(`the victim's heartbeat was ${late} us late (bound ${MAX_LATE_US} us)`);
  if (canaries !== 0) problems.push(`${canaries} of the victim's canaries changed`);
  const health = `[victim] victim: VM ${vm}'s health: off after ${restarts} restarts, last cause ${cause}`;
  if (!lines.includes(health)) problems.push(`no "${health}"`);
  for (const l of lines) if (/^\[victim\] FAIL/.test(l)) problems.push(l);
  if (!lines.includes("[victim] 5 passed, 0 failed")) problems.push("the victim's checks did not all pass");
  return { problems, worstLateUs: late, beats };
}
