// The command line of a `bulkhead` command, parsed against its declared flags: an unknown flag, a
// flag without its value or a stray argument is refused with the valid ones listed (UsageError),
// never ignored. `--flag VALUE` and `--flag=VALUE` are the same; a flag whose value is optional
// (`--gdb[=PORT]`) takes one only as `--flag=VALUE`. After `--`, everything is positional.

/** A flag a command accepts. */
export interface Flag {
  /** `--board`, `-o`. */
  name: string;
  /** The value's placeholder (`NAME`): the flag takes a value. Absent: a switch. */
  value?: string;
  /** The value may be left out (`--gdb` or `--gdb=PORT`). */
  optionalValue?: boolean;
  help: string;
}

/** What a command's positional arguments are: their synopsis and how many it takes. */
export interface Positionals { synopsis: string; min: number; max: number }

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export class Args {
  constructor(readonly positional: string[], private readonly values: Map<string, string | true>) {}

  /** The flag's value; undefined when not given (a switch given: ""). */
  get(name: string): string | undefined {
    const v = this.values.get(name);
    return v === true ? "" : v;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

/** `--board NAME`, `--verbose`, `--gdb[=PORT]`: a flag as usage lines show it. */
export function flagSynopsis(f: Flag): string {
  if (!f.value) return f.name;
  return f.optionalValue ? `${f.name}[=${f.value}]` : `${f.name} ${f.value}`;
}

/** Parses `argv` against `flags`. */
export function parseArgs(flags: Flag[], positionals: Positionals, argv: string[]): Args {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const valid = () => (flags.length ? `its options: ${flags.map(flagSynopsis).join(", ")}` : "it takes no options");
  const values = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith("-") || arg === "-") { positional.push(arg); continue; }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = byName.get(name);
    if (!flag) throw new UsageError(`unknown option ${name} (${valid()})`);
    if (values.has(name)) throw new UsageError(`${name} is given twice`);
    if (!flag.value) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      values.set(name, true);
    } else if (eq > 0) {
      values.set(name, arg.slice(eq + 1));
    } else if (flag.optionalValue) {
      values.set(name, true);
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value: ${flagSynopsis(flag)}`);
      values.set(name, argv[++i]);
    }
  }
  if (positional.length < positionals.min) throw new UsageError(`missing ${positionals.synopsis}`);
  if (positional.length > positionals.max) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positional[positionals.max])}${positionals.max ? ` (it takes ${positionals.synopsis})` : " (it takes no arguments)"}`);
  }
  return new Args(positional, values);
}

/** A `bulkhead` command: its synopsis, its flags, what it does, and the work. */
export interface Command {
  name: string;
  /** One line: what the command does (`bulkhead help` lists it). */
  summary: string;
  positionals: Positionals;
  flags: Flag[];
  /** Paragraphs `bulkhead help <command>` shows after the options. */
  details?: string[];
  /** The command's status: 0 done, 1 refused (the reason printed), 2 misused. */
  run(args: Args): Promise<number> | number;
}
