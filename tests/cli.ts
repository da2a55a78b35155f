// `bulkhead <argv>` run in the test's own process (no Node start-up per call): its status and what
// it printed on stdout and stderr, each line joined by "\n".
import { main } from "../host/cli/main.ts";

export async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    return { status: await main(argv), stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}
