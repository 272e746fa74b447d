// The shape every `medtrace` subcommand shares: its options (parsed with
// node:util parseArgs, strict), its help text, and exit codes that scripts can rely on.
import { parseArgs } from 'node:util';

/** Exit codes: 0 done, 1 the work failed (e.g. a bundle was refused), 2 the command was used wrongly. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help after the flag, e.g. `<url>`. */
  valueName?: string;
  description: string;
  /** The environment variable a string option falls back to (and, for `node`, sets). */
  env?: string;
  required?: boolean;
  /** A string option that may be given several times (its value is then a string[]). */
  multiple?: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positionals as shown in the usage line, e.g. `<file>`. */
  args?: string;
  /** How many positionals the command takes. */
  positionals?: { min: number; max: number };
  /** Paragraphs printed after the usage line. */
  description: string;
  options: Record<string, OptionSpec>;
  examples?: string[];
  run(args: ParsedArgs): Promise<number>;
}

/** A mistake in how the command was called: printed with a hint to `--help`, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs & { help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
    if (spec.multiple) options[name].multiple = true;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  if (help) return { values, positionals: parsed.positionals, help };

  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min) throw new UsageError(`missing argument ${command.args ?? ''}`.trim());
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`);
  }
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.type !== 'string') continue;
    if (values[name] === undefined && spec.env && process.env[spec.env]) values[name] = process.env[spec.env];
    if (spec.required && (values[name] === undefined || values[name] === '')) {
      throw new UsageError(`--${name} is required${spec.env ? ` (or set ${spec.env})` : ''}`);
    }
  }
  return { values, positionals: parsed.positionals, help };
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: medtrace ${command.name}${command.args ? ` ${command.args}` : ''} [options]`, '', command.description.trim(), ''];
  lines.push('Options:');
  const rows: [string, string][] = [];
  for (const [name, spec] of [...Object.entries(command.options), ['help', HELP_OPTION] as const]) {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : ''}`;
    const extras = [spec.required ? 'required' : '', spec.env ? `env ${spec.env}` : ''].filter(Boolean).join('; ');
    rows.push([flag, extras ? `${spec.description} (${extras})` : spec.description]);
  }
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  if (command.examples?.length) {
    lines.push('', 'Examples:');
    for (const example of command.examples) lines.push(`  ${example}`);
  }
  return lines.join('\n') + '\n';
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A whole number option within [min, max]; `fallback` when absent. */
export function intOption(args: ParsedArgs, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}, got '${raw}'`);
  }
  return value;
}

export function portOption(args: ParsedArgs, name: string, fallback: number): number {
  return intOption(args, name, fallback, { min: 0, max: 65535 });
}

/**
 * Resolves on the first SIGINT or SIGTERM, for commands that run until Ctrl-C. Later signals are
 * ignored while the command stops what it started (its stops are bounded by their own timeouts):
 * a Ctrl-C often arrives twice, once from the terminal and once relayed by a wrapper (npm, tsx).
 */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first !== undefined) return;
      first = signal;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
