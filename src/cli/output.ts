import type { ControlRequest, ControlResult, ControlResults } from '../control/protocol.js';
import { formatOutboundResult } from './outbound-commands.js';

/**
 * What the CLI prints on stdout for each successful command. Lists print one
 * item per line with nothing else (easy to pipe), confirmations one sentence:
 *
 * - `domain add|remove` → `domain example.com added` / `… removed`
 * - `domain list` → `example.com`
 * - `user add|remove` → `user a@example.com added` / `… removed`; `user passwd` → `password changed for a@example.com`
 * - `user list` → `a@example.com<TAB>quota=unlimited<TAB>used=1024` (quota in bytes, 0 shown as unlimited)
 * - `alias add|remove` → `alias @example.com -> a@example.com added`, `alias x@example.com removed`
 * - `alias list` → `@example.com -> a@example.com, b@example.com`
 * - `tls ca` → the PEM text
 * - `status` → `key: value` lines, `running: yes|no` first, nested fields as `services.smtp: 127.0.0.1:25`
 */
export function formatResult(request: ControlRequest, result: ControlResult): string {
  switch (request.op) {
    case 'domain.add':
      return `domain ${(result as ControlResults['domain.add']).name} added\n`;
    case 'domain.remove':
      return `domain ${(result as ControlResults['domain.remove']).name} removed\n`;
    case 'domain.list':
      return lines((result as ControlResults['domain.list']).domains);
    case 'user.add':
      return `user ${(result as ControlResults['user.add']).address} added\n`;
    case 'user.remove':
      return `user ${(result as ControlResults['user.remove']).address} removed\n`;
    case 'user.passwd':
      return `password changed for ${(result as ControlResults['user.passwd']).address}\n`;
    case 'user.list':
      return lines(
        (result as ControlResults['user.list']).users.map(
          (u) => `${u.address}\tquota=${u.quotaBytes === 0 ? 'unlimited' : u.quotaBytes}\tused=${u.usedBytes}`,
        ),
      );
    case 'alias.add': {
      const r = result as ControlResults['alias.add'];
      return `alias ${r.source} -> ${r.target} added\n`;
    }
    case 'alias.remove': {
      const r = result as ControlResults['alias.remove'];
      return r.target === undefined ? `alias ${r.source} removed\n` : `alias ${r.source} -> ${r.target} removed\n`;
    }
    case 'alias.list':
      return lines((result as ControlResults['alias.list']).aliases.map((a) => `${a.source} -> ${a.targets.join(', ')}`));
    case 'tls.ca': {
      const pem = (result as ControlResults['tls.ca']).pem;
      return pem.endsWith('\n') ? pem : `${pem}\n`;
    }
    case 'relay.set':
    case 'relay.show':
    case 'relay.clear':
    case 'dkim.show':
    case 'dkim.rotate':
    case 'dkim.activate':
    case 'dkim.remove':
      return formatOutboundResult(request, result);
    case 'dns.inputs':
      // Internal to `letterbox check-dns`, which prints its own report.
      return `${JSON.stringify(result)}\n`;
    case 'status': {
      const { running, ...rest } = result as ControlResults['status'];
      return lines([`running: ${running ? 'yes' : 'no'}`, ...flatten(rest, '')]);
    }
  }
}

function lines(items: string[]): string {
  return items.map((item) => `${item}\n`).join('');
}

function flatten(obj: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push(...flatten(value as Record<string, unknown>, `${prefix}${key}.`));
    else out.push(`${prefix}${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  return out;
}
