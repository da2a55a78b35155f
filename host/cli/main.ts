// `bulkhead <command> ...`: the command table, `bulkhead help [command]` and `--help` (status 0),
// usage errors (status 2, the valid commands or options listed), and refusals (status 1): every
// problem is printed as its own lines, `file:line:col: error: ...` or `vm "x": ...`, never as a
// stack trace (BULKHEAD_DEBUG=1 shows the stack of an unexpected exception).
import { compileCommand } from "../../compiler/cli.ts";
import { CompileError } from "../../compiler/index.ts";
import { benchCommand } from "../bench.ts";
import { BuildError } from "../build.ts";
import { buildCommand, imageCommand, runCommand } from "../commands.ts";
import { checkCommand, mapCommand } from "../config/commands.ts";
import { ConfigLoadError } from "../config/load.ts";
import { initCommand } from "./init.ts";
import { flagSynopsis, parseArgs, UsageError, type Command } from "./args.ts";

const COMMANDS: Command[] = [initCommand, checkCommand, mapCommand, buildCommand, runCommand, imageCommand, compileCommand, benchCommand];

const HELP_FLAG = /^(--help|-h)$/;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(overview());
    return 2;
  }
  if (HELP_FLAG.test(name)) {
    console.log(overview());
    return 0;
  }
  if (name === "help") return helpCommand(rest);
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`bulkhead: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(", ")}, help)`);
    return 2;
  }
  const dashDash = rest.indexOf("--");
  if (rest.slice(0, dashDash < 0 ? undefined : dashDash).some((a) => HELP_FLAG.test(a))) {
    console.log(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(parseArgs(cmd.flags, cmd.positionals, rest));
  } catch (e) {
    return reported(cmd, e);
  }
}

/** What a command threw, printed as its status: refusals as their own lines, anything else as one line. */
function reported(cmd: Command, e: unknown): number {
  if (e instanceof UsageError) {
    console.error(`bulkhead ${cmd.name}: ${e.message}\nusage: ${synopsis(cmd)}`);
    return 2;
  }
  if (e instanceof BuildError || e instanceof ConfigLoadError || e instanceof CompileError) {
    console.error(e.message);
    return 1;
  }
  if (process.env.BULKHEAD_DEBUG) console.error(e);
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(`bulkhead ${cmd.name}: internal error: ${what.split("\n")[0]} (BULKHEAD_DEBUG=1 shows where)`);
  return 1;
}

function helpCommand(args: string[]): number {
  if (args.length === 0) {
    console.log(overview());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === args[0]);
  if (!cmd || args.length > 1) {
    console.error(`bulkhead help: unknown command ${JSON.stringify(args.join(" "))} (commands: ${COMMANDS.map((c) => c.name).join(", ")})`);
    return 2;
  }
  console.log(commandHelp(cmd));
  return 0;
}

function synopsis(cmd: Command): string {
  const flags = cmd.flags.map((f) => `[${flagSynopsis(f)}]`).join(" ");
  return ["bulkhead", cmd.name, cmd.positionals.synopsis, flags].filter((s) => s).join(" ");
}

function overview(): string {
  const w = Math.max(...COMMANDS.map((c) => `${c.name} ${c.positionals.synopsis}`.length));
  return [
    "usage: bulkhead <command> [options]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${`${c.name} ${c.positionals.synopsis}`.padEnd(w)}  ${c.summary}`),
    `  ${"help [command]".padEnd(w)}  this text, or one command's options`,
    "",
    "`bulkhead <command> --help` shows a command's options. docs/config.md describes partition configs.",
  ].join("\n");
}

function commandHelp(cmd: Command): string {
  const out = [`usage: ${synopsis(cmd)}`, "", cmd.summary];
  if (cmd.flags.length) {
    const w = Math.max(...cmd.flags.map((f) => flagSynopsis(f).length));
    out.push("", "options:", ...cmd.flags.map((f) => `  ${flagSynopsis(f).padEnd(w)}  ${f.help}`));
  }
  for (const p of cmd.details ?? []) out.push("", p);
  return out.join("\n");
}
