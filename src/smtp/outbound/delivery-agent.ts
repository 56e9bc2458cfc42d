import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { QueueEntry } from '../../store/types.js';
import { routeFor, type MxHost, type OutboundResolver } from './mx-resolver.js';
import { smarthostFor, type OutboundSettings } from './settings.js';
import { ConnectError, OutboundConnection, type ConnectOptions } from './smtp-client.js';

/**
 * The delivery agent: takes the queue's work for ONE destination domain,
 * finds where it goes (smarthost, MX, or the domain's own address), opens one
 * connection and runs every message's transaction over it (connection reuse
 * per destination), and reports a result per recipient.
 */

/** One message's recipients at this domain. */
export interface DeliveryJob {
  entry: QueueEntry;
  recipients: string[];
}

/** What became of one recipient in this attempt. */
export interface RecipientResult {
  address: string;
  kind: 'sent' | 'temporary' | 'permanent';
  /** RFC 3463 status. */
  status: string;
  reply: string;
  remoteMta?: string;
}

/** What the agent needs from the runner. */
export interface AgentContext {
  resolver: OutboundResolver;
  settings: OutboundSettings;
  /** Our EHLO name. */
  hostname: string;
  /** Port of remote MX servers (25; tests use a high port). */
  mxPort: number;
  trustedCa?: string[];
  localAddress?: string;
  log: Logger;
  /** The wire bytes of a message (fresh stream each call) and their approximate size. */
  message(entry: QueueEntry): Promise<{ stream: Readable; size: number }>;
  /** Registers an open connection so shutdown can cut it; returns the unregister function. */
  track(conn: OutboundConnection): () => void;
  /** Called after each message's transaction, before the next one starts (to record results at once). */
  onResults(entry: QueueEntry, results: RecipientResult[]): Promise<void>;
}

/** RFC 3463 status from a reply: its enhanced code, else derived from the basic code. */
export function statusOf(reply: string, kind: RecipientResult['kind']): string {
  const m = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply);
  if (m?.[1]) return m[1];
  const basic = /^([245])\d\d/.exec(reply)?.[1];
  if (basic) return `${basic}.0.0`;
  return kind === 'sent' ? '2.0.0' : kind === 'permanent' ? '5.0.0' : '4.4.1';
}

/** Connection attempts to make, in order. */
function plan(ctx: AgentContext, domain: string, hosts: MxHost[]): ConnectOptions[] {
  const relay = smarthostFor(ctx.settings, domain);
  const base = { ehloName: ctx.hostname, timeoutMs: ctx.settings.commandTimeoutMs, localAddress: ctx.localAddress, ca: ctx.trustedCa };
  if (relay) {
    const auth = relay.username !== undefined && relay.password !== undefined ? { user: relay.username, pass: relay.password } : undefined;
    return [{ ...base, host: relay.host.replace(/^\[|\]$/g, ''), port: relay.port, servername: relay.host, tls: relay.tls, auth }];
  }
  return hosts.flatMap((h) => h.addresses.map((address) => ({ ...base, host: address, port: ctx.mxPort, servername: h.name, tls: 'opportunistic' as const })));
}

async function connect(ctx: AgentContext, attempts: ConnectOptions[]): Promise<OutboundConnection | ConnectError> {
  let last = new ConnectError('no mail server to connect to', false);
  for (const a of attempts) {
    try {
      return await OutboundConnection.open(a);
    } catch (err) {
      last = err instanceof ConnectError ? err : new ConnectError(String(err), false);
      ctx.log.info({ host: a.host, port: a.port, mx: a.servername, err: last.message }, 'outbound connection failed');
      // Opportunistic TLS that fails to negotiate falls back to plain text once (RFC 7435 §6), like Postfix's "may" level.
      if (a.tls === 'opportunistic' && last.code === 'ETLS') {
        try {
          return await OutboundConnection.open({ ...a, tls: 'none' });
        } catch (err2) {
          last = err2 instanceof ConnectError ? err2 : last;
        }
      }
    }
  }
  return last;
}

/**
 * Delivers `jobs` (all for `domain`). Each job's results are handed to
 * `ctx.onResults` as soon as its transaction ends; jobs that never got a
 * transaction (no route, no connection, connection lost) get temporary or
 * permanent results too. Never rejects for delivery problems.
 */
export async function deliverToDomain(domain: string, jobs: DeliveryJob[], ctx: AgentContext): Promise<void> {
  const all = async (kind: RecipientResult['kind'], status: string, reply: string, from = 0): Promise<void> => {
    for (const job of jobs.slice(from)) {
      await ctx.onResults(job.entry, job.recipients.map((address) => ({ address, kind, status, reply })));
    }
  };
  let hosts: MxHost[] = [];
  if (!smarthostFor(ctx.settings, domain)) {
    const route = await routeFor(ctx.resolver, domain);
    if (route.kind !== 'hosts') return all(route.kind, route.status, route.reason);
    hosts = route.hosts;
  }
  const conn = await connect(ctx, plan(ctx, domain, hosts));
  if (conn instanceof ConnectError) return all('temporary', '4.4.1', `could not deliver to ${domain}: ${conn.message}`);
  const untrack = ctx.track(conn);
  try {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i] as DeliveryJob;
      let outcomes;
      try {
        if (i > 0) await conn.reset();
        const { stream, size } = await ctx.message(job.entry);
        outcomes = await conn.send(job.entry.sender, job.recipients, stream, size);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return await all('temporary', '4.4.2', `connection to ${conn.remote} lost: ${reason}`, i);
      }
      await ctx.onResults(
        job.entry,
        outcomes.map((o) => ({ address: o.recipient, kind: o.kind, status: statusOf(o.reply, o.kind), reply: o.reply, remoteMta: conn.remote })),
      );
    }
  } finally {
    untrack();
    conn.close();
  }
}
