import { packageVersion } from '../config/environment.js';
import { resolveDataDir } from '../config/load.js';
import { MailError } from '../errors.js';
import { ADMIN_HELP, isAdminCommand, runAdminCommand } from './admin-command.js';
import { parseArgs, UsageError } from './args.js';
import { runManageCommand, type ManageIo } from './manage-commands.js';
import { isOutboundCommand, OUTBOUND_HELP, runOutboundCommand } from './outbound-commands.js';
import { runStart } from './start-command.js';

const HELP = `letterbox - a mail server for your own domain

Usage: letterbox COMMAND [--data DIR]

Commands:
  start                          run the mail server in the foreground
  status                         show whether the server runs, and counts
  domain add|remove NAME         manage local domains
  domain list
  user add ADDRESS [--quota N]   add an account; the password is read from stdin
                                 (first line) or asked twice on a terminal
  user passwd ADDRESS            change a password (same input rules)
  user remove ADDRESS
  user list [DOMAIN]
  alias add SOURCE TARGET        SOURCE is name@domain or @domain (catch-all)
  alias remove SOURCE [TARGET]
  alias list [DOMAIN]
  tls ca                         print the box's CA certificate (PEM) to install
                                 on your devices
${OUTBOUND_HELP}${ADMIN_HELP}  check-dns [--json] [--domain D]
                                 check the domains' DNS and print what to fix
                                 (exit 0 OK, 1 WARN, 2 FAIL, 3 UNKNOWN; see
                                 "letterbox check-dns --help")

Options:
  --data DIR     data directory (default: $LETTERBOX_DATA, else /var/lib/letterbox
                 on the device, else ./data in the source checkout)
  --quota N      mailbox quota in bytes, or with K/M/G/T (0 = unlimited)
  -h, --help     show this help
  -V, --version  show the version

Commands change a running server through DIR/control.sock, or the data
directory directly when no server runs. Exit status: 0 success, 1 the
operation failed, 2 the command was mistyped.
`;

/** Streams the CLI uses; tests may pass their own. */
export type CliIo = ManageIo;

/**
 * Entry point of the `letterbox` command (bin/letterbox.js). Resolves with the
 * exit code: 0 on success, 1 when an operation fails (the message is printed
 * on stderr as `letterbox: …`), 2 for usage errors (unknown command or
 * option, missing arguments). Never rejects for expected failures; `start`
 * resolves only after the server has stopped.
 */
export async function main(argv: string[], io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    // check-dns has its own options and monitoring-style exit codes.
    // The DNS self-check's code loads only for its own command (not for `start`).
    if (argv.includes('check-dns')) {
      const dnsCommand = await import('./check-dns-command.js');
      if (dnsCommand.isCheckDnsCommand(argv)) return await dnsCommand.runCheckDnsCommand(argv, io);
    }
    // relay/dkim take key=value settings and read relay passwords from stdin.
    if (isOutboundCommand(argv) && !argv.includes('--help') && !argv.includes('-h')) return await runOutboundCommand(argv, io);
    const args = parseArgs(argv);
    if (args.version) {
      io.stdout.write(`letterbox ${packageVersion()}\n`);
      return 0;
    }
    if (args.help || args.words[0] === 'help') {
      io.stdout.write(HELP);
      return 0;
    }
    if (args.words.length === 0) {
      // No command is a usage error: help goes to stderr so scripts see nothing on stdout.
      io.stderr.write(HELP);
      return 2;
    }
    const dataDir = resolveDataDir({ flag: args.data });
    const command = args.words[0] as string;
    if (isAdminCommand(argv)) return await runAdminCommand(argv, dataDir, io);
    if (command === 'start') {
      if (args.words.length > 1) throw new UsageError('usage: letterbox start [--data DIR]');
      return await runStart(dataDir, io);
    }
    if (!['domain', 'user', 'alias', 'tls', 'status'].includes(command)) throw new UsageError(`unknown command "${command}"`);
    await runManageCommand(args, dataDir, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`letterbox: ${err.message}\nRun "letterbox --help" for usage.\n`);
      return 2;
    }
    const message = err instanceof MailError || err instanceof Error ? err.message : String(err);
    io.stderr.write(`letterbox: ${message}\n`);
    return 1;
  }
}
