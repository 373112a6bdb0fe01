import { UserError } from "./state.ts";

/** One option of a verb: `--name`, maybe `-x`, a flag or one taking a value. */
export interface OptionSpec {
  name: string;
  short?: string;
  /** The value's placeholder in help ("DIR"); absent for a flag. */
  value?: string;
  /** May be given more than once (`-e K=V -e K2=V2`). */
  multiple?: boolean;
  help: string;
}

/**
 * A verb's command line. `positionals` names the arguments before the
 * command; with `command`, the first argument after them (or everything
 * after `--`) starts the command to run, whose own options are left alone
 * (`overbox run --rm sh -c 'ls -l'`).
 */
export interface VerbSpec {
  name: string;
  summary: string;
  positionals: string[];
  /** How many of `positionals` are optional (from the end). */
  optional?: number;
  command?: boolean;
  options: OptionSpec[];
  /** More help, after the options. */
  more?: string;
}

export interface Parsed {
  options: Map<string, string | true | string[]>;
  positionals: string[];
  command: string[];
}

/** The options every verb takes. */
export const COMMON_OPTIONS: OptionSpec[] = [
  {
    name: "state",
    value: "DIR",
    help: "the state directory (default $OVERBOX_HOME, else ~/.overbox)",
  },
  { name: "help", short: "h", help: "show this help" },
];

/**
 * Parses `argv` (after the verb) against `spec`. Long options as `--name
 * VALUE` or `--name=VALUE`, short ones as `-w DIR`, `-wDIR`, and flags
 * together (`-it`). Unknown options, missing values and a wrong number of
 * arguments are UserErrors naming what is wrong.
 */
export function parseArgs(spec: VerbSpec, argv: string[]): Parsed {
  const all = [...spec.options, ...COMMON_OPTIONS];
  const parsed: Parsed = { options: new Map(), positionals: [], command: [] };
  const set = (option: OptionSpec, value: string | true) => {
    if (option.multiple) {
      const list = (parsed.options.get(option.name) as string[] | undefined) ?? [];
      parsed.options.set(option.name, [...list, value as string]);
    } else {
      parsed.options.set(option.name, value);
    }
  };
  const usage = `(see overbox ${spec.name} --help)`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      if (!spec.command) throw new UserError(`unexpected "--" ${usage}`);
      parsed.command = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const option = all.find((o) => o.name === name);
      if (!option) throw new UserError(`unknown option --${name} ${usage}`);
      if (!option.value) {
        if (eq >= 0) throw new UserError(`option --${name} takes no value`);
        set(option, true);
      } else if (eq >= 0) {
        set(option, arg.slice(eq + 1));
      } else {
        const value = argv[++i];
        if (value === undefined)
          throw new UserError(`option --${name} needs a value (${option.value})`);
        set(option, value);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const option = all.find((o) => o.short === arg[j]);
        if (!option) throw new UserError(`unknown option -${arg[j]} ${usage}`);
        if (!option.value) {
          set(option, true);
          continue;
        }
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) {
          throw new UserError(`option -${option.short} needs a value (${option.value})`);
        }
        set(option, value);
        break;
      }
      continue;
    }
    if (spec.command && parsed.positionals.length === spec.positionals.length) {
      parsed.command = argv.slice(i);
      break;
    }
    parsed.positionals.push(arg);
  }
  if (parsed.options.has("help")) return parsed;
  const required = spec.positionals.length - (spec.optional ?? 0);
  if (parsed.positionals.length < required) {
    const missing = spec.positionals[parsed.positionals.length]!;
    throw new UserError(`missing ${missing} ${usage}`);
  }
  if (parsed.positionals.length > spec.positionals.length) {
    throw new UserError(
      `unexpected argument "${parsed.positionals[spec.positionals.length]}" ${usage}`,
    );
  }
  return parsed;
}

/** The help of one verb. */
export function verbHelp(spec: VerbSpec): string {
  const names = spec.positionals.map((p, i) =>
    i >= spec.positionals.length - (spec.optional ?? 0) ? `[${p}]` : p,
  );
  const lines = [
    `Usage: overbox ${spec.name} [OPTIONS]${names.length ? " " + names.join(" ") : ""}${
      spec.command ? " [--] CMD [ARG...]" : ""
    }`,
    "",
    spec.summary,
    "",
    "Options:",
  ];
  const rows = [...spec.options, ...COMMON_OPTIONS].map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${o.name}${o.value ? ` ${o.value}` : ""}`;
    return [flag, o.help + (o.multiple ? " (repeatable)" : "")] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  for (const [flag, help] of rows) lines.push(`  ${flag.padEnd(width)}  ${help}`);
  if (spec.more) lines.push("", spec.more);
  return lines.join("\n") + "\n";
}
