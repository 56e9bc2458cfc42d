/** A command line after option parsing. */
export interface ParsedArgs {
  /** Words that are not options, in order: command, subcommand, arguments. */
  words: string[];
  data?: string;
  quota?: string;
  help: boolean;
  version: boolean;
}

/** A mistake in how the command was typed; the CLI prints it with a usage hint and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_OPTIONS = new Set(['--data', '--quota']);

/**
 * Splits argv into words and options. Options may appear anywhere, as
 * `--data DIR` or `--data=DIR`. There is deliberately no `--password` option:
 * passwords given in argv end up in shell history and in `ps` output.
 * Throws `UsageError` for an unknown option or a missing value.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { words: [], help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      continue;
    }
    if (arg === '--version' || arg === '-V') {
      parsed.version = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_OPTIONS.has(name)) {
      if (name === '--password' || name === '-p') throw new UsageError('passwords are never taken from the command line: pipe one line to stdin, or type it when asked');
      throw new UsageError(`unknown option ${name}`);
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (name === '--data') parsed.data = value;
    else parsed.quota = value;
  }
  return parsed;
}

/**
 * Parses a quota: a whole number of bytes, optionally with a binary suffix
 * K, M, G or T (`500M` = 500 MiB); `0` means unlimited. Throws `UsageError`.
 */
export function parseQuota(text: string): number {
  const m = /^(\d+)\s*([KMGT]i?B?|B)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid quota "${text}" (expected bytes, e.g. 1073741824 or 1G)`);
  const unit = (m[2] ?? 'B').charAt(0).toUpperCase();
  const factor = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit] ?? 1;
  const bytes = Number(m[1]) * factor;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`quota "${text}" is too large`);
  return bytes;
}
