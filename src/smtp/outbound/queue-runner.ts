import type { Logger } from 'pino';
import type { MailStore, QueueEntry, QueueTransaction } from '../../store/types.js';
import { dsnChanges, mergeTransactions } from './bounce-writer.js';
import { deliverToDomain, type DeliveryJob, type RecipientResult } from './delivery-agent.js';
import { dkimPrefix } from './dkim-sign.js';
import { wireMessage } from './message-source.js';
import { systemResolver, type OutboundResolver } from './mx-resolver.js';
import { readOutboundSettings, retryDelay, smarthostFor, type OutboundSettings, type StoredOutboundSettings } from './settings.js';
import type { OutboundConnection } from './smtp-client.js';

export interface OutboundQueueOptions {
  store: MailStore;
  log: Logger;
  /** Our host name: EHLO, Reporting-MTA of DSNs. */
  hostname: string;
  /** DNS for MX lookups; default: the system resolver. Tests inject a fake. */
  resolver?: OutboundResolver;
  /** Settings below the store's `outbound` document (boot config, tests). */
  settings?: StoredOutboundSettings;
  /** Clock (ms since 1970); tests inject one to skip retry waits. */
  now?: () => number;
  /** Port of remote MX servers: 25, except in tests. */
  mxPort?: number;
  /** Extra CA certificates (PEM) trusted for verified (smarthost) connections. */
  trustedCa?: string[];
  /** Local address outbound connections come from (multi-homed boxes, tests). */
  localAddress?: string;
  /** Told how many recipients a run delivered to, once that is recorded (the admin page's "sent today"). */
  onDelivered?: (recipients: number) => void;
}

/** The running queue. */
export interface OutboundQueue {
  /** Runs the queue now (new mail, or the clock moved); resolves when that run is over. */
  kick(): Promise<void>;
  /** Stops: cuts open connections, waits for the run in progress; nothing more is recorded. Idempotent. */
  close(): Promise<void>;
}

/** Longest sleep between runs: settings changes and missed timers are picked up at least this often. */
const MAX_SLEEP_MS = 5 * 60_000;

/**
 * The outbound queue runner (RFC 5321 §4.5.4.1 retry strategy). Each run takes
 * the due entries, durably marks the attempt (attempt count, next retry time,
 * "attempt in progress"), delivers per destination domain, and records each
 * message's results as soon as its transaction ends. Permanent failures and
 * expiry produce one failure DSN per run (never for `<>`); a message still
 * pending after the warning delay produces one delay DSN. An entry with no
 * pending recipient left is removed, in the same batch as its DSN.
 *
 * Delivery is at least once: if the process dies after the remote's 250 and
 * before that result is synced (milliseconds), the recipient is tried again
 * after the restart and may get the message twice. Nothing is lost: entries
 * found with an attempt in progress at start-up are retried at once.
 */
export function startOutboundQueue(opts: OutboundQueueOptions): OutboundQueue {
  const { store, log } = opts;
  const clock = opts.now ?? Date.now;
  const resolver = opts.resolver ?? systemResolver();
  const open = new Set<OutboundConnection>();
  let closing = false;
  let firstRun = true;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  function schedule(delayMs: number): void {
    if (closing) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void kick(), Math.max(0, Math.min(delayMs, MAX_SLEEP_MS)));
    timer.unref();
  }

  function kick(): Promise<void> {
    if (closing) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await runOnce();
        } catch (err) {
          log.error({ err }, 'outbound queue run failed; retrying later');
          schedule(60_000);
        }
      } while (again && !closing);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  async function runOnce(): Promise<void> {
    const settings = await readOutboundSettings(store, opts.settings);
    const now = clock();
    const entries = await store.listQueue();
    const interrupted = firstRun ? new Set(entries.filter((e) => e.attemptStartedAt !== null).map((e) => e.id)) : new Set<string>();
    firstRun = false;
    if (interrupted.size > 0) log.warn({ entries: [...interrupted] }, 'outbound: attempts interrupted by a restart are retried now');
    const pending = entries.filter((e) => e.recipients.some((r) => r.state === 'pending'));
    const due = pending.filter((e) => e.nextAttemptAt <= now || interrupted.has(e.id));
    const expired = due.filter((e) => now - e.createdAt >= settings.retry.giveUpAfterMs);
    for (const e of expired) await finish(e, expiredResults(e), settings, now);
    const work = due.filter((e) => !expired.includes(e));
    if (work.length > 0) await attempt(work, settings, now);
    if (closing) return;
    const left = (await store.listQueue()).filter((e) => e.recipients.some((r) => r.state === 'pending'));
    if (left.length > 0) schedule(Math.min(...left.map((e) => e.nextAttemptAt)) - clock());
  }

  function expiredResults(e: QueueEntry): RecipientResult[] {
    return e.recipients
      .filter((r) => r.state === 'pending')
      .map((r) => ({ address: r.address, kind: 'permanent', status: '4.4.7', reply: `delivery time expired; last error: ${r.lastResult ?? 'none'}`, remoteMta: r.remoteMta }));
  }

  async function attempt(work: QueueEntry[], settings: OutboundSettings, now: number): Promise<void> {
    // Durable before any connection: a crash from here on is seen at start-up.
    const current = new Map<string, QueueEntry>();
    const marked = work.map((e) => ({ ...e, attempts: e.attempts + 1, attemptStartedAt: now, nextAttemptAt: now + retryDelay(settings.retry, e.attempts + 1) }));
    await store.queueTransaction({ update: marked });
    for (const e of marked) current.set(e.id, e);
    const results = new Map<string, RecipientResult[]>();
    const writes = new Map<string, Promise<void>>();

    // One group per destination: a domain, or a smarthost (which takes every domain it serves over one connection).
    const byDomain = new Map<string, { domain: string; jobs: DeliveryJob[] }>();
    for (const e of marked) {
      const perKey = new Map<string, { domain: string; recipients: string[] }>();
      for (const r of e.recipients) {
        if (r.state !== 'pending') continue;
        const domain = r.address.slice(r.address.lastIndexOf('@') + 1).toLowerCase();
        const relay = smarthostFor(settings, domain);
        const key = relay ? `relay ${relay.host}:${relay.port}` : domain;
        const group = perKey.get(key) ?? { domain, recipients: [] };
        group.recipients.push(r.address);
        perKey.set(key, group);
      }
      for (const [key, { domain, recipients }] of perKey) {
        const group = byDomain.get(key) ?? { domain, jobs: [] };
        group.jobs.push({ entry: e, recipients });
        byDomain.set(key, group);
      }
    }

    const ctx = {
      resolver,
      settings,
      hostname: opts.hostname,
      mxPort: opts.mxPort ?? 25,
      trustedCa: opts.trustedCa,
      localAddress: opts.localAddress,
      log,
      message: async (entry: QueueEntry) => {
        const prefix = await dkimPrefix(store, entry.blobId, settings, log);
        const size = (await store.getIndex(entry.blobId).catch(() => null))?.size ?? 0;
        return { stream: wireMessage(store, entry.blobId, prefix), size: size + (prefix?.length ?? 0) };
      },
      track: (conn: OutboundConnection) => {
        open.add(conn);
        return () => open.delete(conn);
      },
      onResults: async (entry: QueueEntry, list: RecipientResult[]) => {
        if (closing) return;
        results.set(entry.id, [...(results.get(entry.id) ?? []), ...list]);
        // Record deliveries at once (the at-least-once window); serialised per entry.
        const state = current.get(entry.id) as QueueEntry;
        const next = { ...state, recipients: state.recipients.map((r) => applyResult(r, list)) };
        current.set(entry.id, next);
        const write = (writes.get(entry.id) ?? Promise.resolve()).then(() => store.queueTransaction({ update: [next] })).then(() => undefined);
        writes.set(entry.id, write);
        await write;
      },
    };

    const domains = [...byDomain.values()];
    const workers = Array.from({ length: Math.max(1, Math.min(settings.maxConnections, domains.length)) }, async () => {
      for (let item = domains.shift(); item && !closing; item = domains.shift()) {
        await deliverToDomain(item.domain, item.jobs, ctx);
      }
    });
    await Promise.all(workers);
    await Promise.all(writes.values());
    if (closing) return;
    for (const e of marked) {
      const list = results.get(e.id) ?? [];
      await finish(current.get(e.id) as QueueEntry, list, settings, clock(), true);
    }
  }

  /** Records final results of an entry for this run: DSNs, then removal or the next wait, in one batch. */
  async function finish(entry: QueueEntry, list: RecipientResult[], settings: OutboundSettings, now: number, applied = false): Promise<void> {
    const updated: QueueEntry = applied ? { ...entry } : { ...entry, recipients: entry.recipients.map((r) => applyResult(r, list)) };
    updated.attemptStartedAt = null;
    const newlyFailed = list.filter((r) => r.kind === 'permanent');
    let tx: QueueTransaction = {};
    if (newlyFailed.length > 0) {
      tx = await dsnChanges(store, {
        hostname: opts.hostname,
        entry,
        kind: 'failed',
        now: new Date(now),
        recipients: newlyFailed.map((r) => ({ address: r.address, status: r.status, diagnostic: r.reply, remoteMta: r.remoteMta })),
      });
    }
    const stillPending = updated.recipients.filter((r) => r.state === 'pending');
    const warnAfter = settings.retry.delayWarningAfterMs;
    if (stillPending.length > 0 && !updated.delayWarned && warnAfter > 0 && now - updated.createdAt >= warnAfter) {
      updated.delayWarned = true;
      const warning = await dsnChanges(store, {
        hostname: opts.hostname,
        entry,
        kind: 'delayed',
        now: new Date(now),
        willRetryUntil: new Date(updated.createdAt + settings.retry.giveUpAfterMs),
        recipients: stillPending.map((r) => ({ address: r.address, status: r.status ?? '4.0.0', diagnostic: r.lastResult ?? 'not delivered yet', remoteMta: r.remoteMta })),
      });
      tx = mergeTransactions(tx, warning);
    }
    tx = mergeTransactions(tx, stillPending.length === 0 ? { remove: [entry.id] } : { update: [updated] });
    await store.queueTransaction(tx);
    const sent = list.filter((r) => r.kind === 'sent').length;
    if (sent > 0) opts.onDelivered?.(sent);
    log.info(
      { id: entry.id, delivered: updated.recipients.filter((r) => r.state === 'delivered').length, failed: newlyFailed.length, pending: stillPending.length },
      stillPending.length === 0 ? 'outbound: message done' : 'outbound: message deferred',
    );
  }

  // Entries interrupted by a crash, and anything already due, go at once.
  void kick();

  return {
    kick,
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      for (const c of open) c.abort();
      await running;
    },
  };
}

/** A queue recipient after this attempt's result for it (if any). Pure. */
function applyResult(r: QueueEntry['recipients'][number], list: RecipientResult[]): QueueEntry['recipients'][number] {
  const res = list.find((x) => x.address === r.address);
  if (!res || r.state !== 'pending') return r;
  const state = res.kind === 'sent' ? 'delivered' : res.kind === 'permanent' ? 'failed' : 'pending';
  return { ...r, state, lastResult: res.reply, status: res.status, ...(res.remoteMta ? { remoteMta: res.remoteMta } : {}) };
}
