import type { ControlRequest, ControlResult, ControlResults } from '../control/protocol.js';
import { resolveDataDir } from '../config/load.js';
import { UsageError } from './args.js';
import { execute, type ManageIo } from './manage-commands.js';
import { readNewPassword } from './password-input.js';

/**
 * `letterbox relay …` and `letterbox dkim …`: the smarthost and DKIM keys.
 *
 *   relay set host=H [port=N] [tls=starttls|implicit] [user=NAME] [domain=D]
 *       send all mail (or mail for domain D) through H; with user=NAME the
 *       password is read from stdin (first line) — never from the command line
 *   relay show                 list smarthosts (passwords are never shown)
 *   relay clear [DOMAIN]       back to direct delivery
 *   dkim show [DOMAIN]         the DNS TXT records to publish (keys are made on first use),
 *                              each value split into quoted strings of ≤ 255 characters
 *   dkim rotate DOMAIN [SELECTOR]  new key under a new selector; it waits (pending)
 *                              while you publish its record, the old key keeps signing
 *   dkim activate DOMAIN       the waiting key starts signing, the old one is retired —
 *                              keep the retired record published until mail signed
 *                              with it is delivered (a few days), then remove it
 *   dkim remove DOMAIN SELECTOR  forget a retired (or waiting) key
 *
 * Like the other management commands, these go through the running server's
 * control socket, or to the store directly when no server runs.
 */
export const OUTBOUND_HELP = `  relay set host=H [port=N] [tls=starttls|implicit] [user=NAME] [domain=D]
                                 send outbound mail through a smarthost (all mail,
                                 or one destination domain); the password is read
                                 from stdin when user= is given
  relay show | relay clear [DOMAIN]
  dkim show [DOMAIN]             DKIM DNS records to publish (255-char strings)
  dkim rotate DOMAIN [SELECTOR]  new DKIM key, waiting while you publish it
  dkim activate DOMAIN           the waiting key starts signing; the old one retires
  dkim remove DOMAIN SELECTOR    forget a retired or waiting key
`;

/** True for argv that this module handles. */
export function isOutboundCommand(argv: readonly string[]): boolean {
  const first = argv.find((a) => !a.startsWith('-') && !isDataValue(argv, a));
  return first === 'relay' || first === 'dkim';
}

function isDataValue(argv: readonly string[], word: string): boolean {
  const i = argv.indexOf(word);
  return i > 0 && argv[i - 1] === '--data';
}

/** Runs a relay/dkim command; resolves with the exit code (0 ok; failures throw like other commands). */
export async function runOutboundCommand(argv: readonly string[], io: ManageIo): Promise<number> {
  const words: string[] = [];
  let data: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--data') data = argv[++i];
    else if (a.startsWith('--data=')) data = a.slice(7);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else words.push(a);
  }
  const request = await buildRequest(words, io);
  const result = await execute(resolveDataDir({ flag: data }), request);
  io.stdout.write(formatOutboundResult(request, result));
  return 0;
}

async function buildRequest(words: string[], io: ManageIo): Promise<ControlRequest> {
  const [group, action, ...rest] = words;
  const key = `${group} ${action ?? ''}`.trim();
  switch (key) {
    case 'relay set': {
      const kv = new Map<string, string>();
      for (const w of rest) {
        const eq = w.indexOf('=');
        if (eq <= 0) throw new UsageError(`expected key=value, got "${w}"`);
        const k = w.slice(0, eq);
        if (!['host', 'port', 'tls', 'user', 'domain'].includes(k)) throw new UsageError(`unknown setting "${k}" (host, port, tls, user, domain)`);
        kv.set(k, w.slice(eq + 1));
      }
      const host = kv.get('host');
      if (!host) throw new UsageError('usage: letterbox relay set host=H [port=N] [tls=starttls|implicit] [user=NAME] [domain=D]');
      const port = kv.has('port') ? Number(kv.get('port')) : undefined;
      if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`port must be a number, got "${kv.get('port')}"`);
      const user = kv.get('user');
      const request: ControlRequest = { op: 'relay.set', host };
      if (port !== undefined) request.port = port;
      if (kv.has('tls')) request.tls = kv.get('tls');
      if (kv.has('domain')) request.domain = kv.get('domain');
      if (user !== undefined) {
        request.username = user;
        request.password = await readNewPassword(io, `${user} at ${host}`);
      }
      return request;
    }
    case 'relay show':
      if (rest.length) throw new UsageError('usage: letterbox relay show');
      return { op: 'relay.show' };
    case 'relay clear':
      if (rest.length > 1) throw new UsageError('usage: letterbox relay clear [DOMAIN]');
      return rest[0] ? { op: 'relay.clear', domain: rest[0] } : { op: 'relay.clear' };
    case 'dkim show':
      if (rest.length > 1) throw new UsageError('usage: letterbox dkim show [DOMAIN]');
      return rest[0] ? { op: 'dkim.show', domain: rest[0] } : { op: 'dkim.show' };
    case 'dkim rotate':
      if (rest.length < 1 || rest.length > 2) throw new UsageError('usage: letterbox dkim rotate DOMAIN [SELECTOR]');
      return rest[1] ? { op: 'dkim.rotate', domain: rest[0] as string, selector: rest[1] } : { op: 'dkim.rotate', domain: rest[0] as string };
    case 'dkim activate':
      if (rest.length !== 1) throw new UsageError('usage: letterbox dkim activate DOMAIN');
      return { op: 'dkim.activate', domain: rest[0] as string };
    case 'dkim remove':
      if (rest.length !== 2) throw new UsageError('usage: letterbox dkim remove DOMAIN SELECTOR');
      return { op: 'dkim.remove', domain: rest[0] as string, selector: rest[1] as string };
    default:
      throw new UsageError(action === undefined ? `"${group}" needs a subcommand` : `unknown command "${key}"`);
  }
}

const DKIM_STATE_TEXT = {
  active: 'active (signs outgoing mail)',
  pending: 'waiting: publish this record, then run letterbox dkim activate',
  retired: 'retired (keep published until old mail is delivered, then remove)',
} as const;

/**
 * Output: `relay show` one line per smarthost (`* smtp.example.com:587 starttls user=me`);
 * `dkim show|rotate|activate|remove` per key a comment line and a zone-file line
 * `NAME IN TXT ( "…" "…" )` ready to paste.
 */
export function formatOutboundResult(request: ControlRequest, result: ControlResult): string {
  switch (request.op) {
    case 'relay.set': {
      const r = result as ControlResults['relay.set'];
      return `relay for ${r.domain === '*' ? 'all mail' : r.domain} set to ${r.host}:${r.port} (${r.tls})\n`;
    }
    case 'relay.show': {
      const list = (result as ControlResults['relay.show']).relays;
      if (list.length === 0) return 'no relay: mail goes directly to each domain\'s MX\n';
      return list.map((r) => `${r.domain}\t${r.host}:${r.port}\t${r.tls}${r.username !== undefined ? `\tuser=${r.username}` : ''}\n`).join('');
    }
    case 'relay.clear': {
      const d = (result as ControlResults['relay.clear']).domain;
      return `relay for ${d === '*' ? 'all mail' : d} removed\n`;
    }
    case 'dkim.show':
    case 'dkim.rotate':
    case 'dkim.activate':
    case 'dkim.remove':
      return (result as ControlResults['dkim.show']).records
        .map((r) => `; ${r.domain} ${r.algorithm} ${DKIM_STATE_TEXT[r.state]}\n${r.name}. IN TXT ( ${r.txt.map((t) => `"${t}"`).join(' ')} )\n`)
        .join('');
    default:
      return '';
  }
}
