import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Logger } from 'pino';
import type { MailStore } from '../store/types.js';
import type { CertificateStore } from '../tls/types.js';
import type { SmtpLimits } from '../config/types.js';
import { decideRecipient } from '../delivery/recipient-policy.js';
import { ConnectionCounter } from '../limits/connection-counter.js';
import { hasDiskHeadroom } from '../limits/disk-headroom.js';
import { GuardedSmtpServer, limitOptions, serveSmtp } from './connection-guard.js';
import { replies, replyFor, type SmtpReply } from './replies.js';
import { traceHeaders } from './trace-headers.js';
import { storeHeldMessage, writeMessage, type WriteOutcome } from './message-writer.js';
import { rewriteHeaderBlock, rewriteStoredMessage, runMessageChecks, type MessageCheck } from './inbound-auth.js';
import type { MessageIndex } from '../mime/types.js';
import { Readable } from 'node:stream';

export interface InboundSmtpOptions {
  store: MailStore;
  certs: CertificateStore;
  hostname: string;
  limits: SmtpLimits;
  log: Logger;
  /** How long close() lets sessions finish before cutting them off. Default 10 s. */
  closeTimeoutMs?: number;
  /**
   * Checks of the whole message after it is stored and before it is delivered
   * (e.g. `inboundAuthCheck` from inbound-auth.ts: SPF/DKIM/DMARC). Their
   * verdicts can refuse the message or add/drop header fields.
   */
  checks?: readonly MessageCheck[];
}

/** A running inbound (MX, port 25) SMTP service. */
export interface InboundSmtp {
  /** Starts listening; resolves with the bound address. */
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stops accepting, lets sessions in DATA finish (up to the close timeout), then resolves. */
  close(): Promise<void>;
}

/** Per-session state smtp-server does not keep for us. */
interface SessionState {
  accounts: Set<string>;
  rcptErrors: number;
}

/** RFC 5321 §2.4: mail loops; Postfix's hopcount_limit. */
const MAX_RECEIVED = 50;

/**
 * Messages up to this size wait in memory while the checks run, so they are
 * written to the SD card once. 50 sessions × 256 KiB bounds it at 12.5 MiB.
 */
const HOLD_IN_MEMORY_BYTES = 256 * 1024;

/** Applies the checks' header changes to a message held in memory. */
function rewriteHeld(bytes: Buffer, insert: string, drops: Parameters<typeof rewriteHeaderBlock>[2]): Buffer {
  const end = bytes.indexOf('\r\n\r\n');
  const cut = end < 0 ? bytes.length : end + 2;
  return Buffer.concat([rewriteHeaderBlock(bytes.subarray(0, cut), insert, drops), bytes.subarray(cut)]);
}

/**
 * Inbound SMTP on port 25 (RFC 5321): accepts mail for local users and aliases,
 * never relays, never offers AUTH, offers STARTTLS (RFC 3207) with our certificate.
 * A 250 to DATA is sent only after the message and its index are synced to disk.
 */
export function createInboundSmtp(opts: InboundSmtpOptions): InboundSmtp {
  const { store, certs, limits, log } = opts;
  const sessions = new Map<string, SessionState>();
  const perIp = new ConnectionCounter(limits.maxClientsPerIp);

  const fail = (cb: (err?: Error | null) => void, reply: SmtpReply) => cb(reply);

  const server = new GuardedSmtpServer(
    {
      name: opts.hostname,
      banner: 'Letterbox',
      logger: false,
      disabledCommands: ['AUTH'],
      authOptional: true,
      disableReverseLookup: true,
      hideENHANCEDSTATUSCODES: false,
      ...limitOptions(limits, certs, opts.closeTimeoutMs),

      onConnect(session, cb) {
        if (!perIp.tryAdd(session.remoteAddress)) return fail(cb, replies.tooManyFromIp());
        sessions.set(session.id, { accounts: new Set(), rcptErrors: 0 });
        cb();
      },

      onClose(session) {
        // Only sessions onConnect admitted were counted.
        if (sessions.delete(session.id)) perIp.remove(session.remoteAddress);
      },

      onMailFrom(_address, session, cb) {
        const state = sessions.get(session.id);
        if (state) state.accounts.clear();
        if (!store.isWritable()) return fail(cb, replies.storageTrouble());
        hasDiskHeadroom(store, limits.maxMessageBytes).then(
          (room) => (room ? cb() : fail(cb, replies.storageTrouble())),
          () => fail(cb, replies.storageTrouble()),
        );
      },

      onRcptTo(address, session, cb) {
        const state = sessions.get(session.id);
        if (!state) return fail(cb, replies.tempFailure());
        const declared = Number((session.envelope.mailFrom as SMTPServerAddress & { args?: Record<string, string> })?.args?.SIZE ?? 0) || 0;
        decideRecipient(store, address.address, declared).then(
          (decision) => {
            switch (decision.kind) {
              case 'accept':
                for (const a of decision.accounts) state.accounts.add(a);
                return cb();
              case 'overQuota':
                return fail(cb, replies.overQuota());
              case 'unavailable':
                return fail(cb, replies.storageTrouble());
              case 'relay':
              case 'unknown':
                return rcptError(state, decision.kind === 'relay' ? replies.relayDenied() : replies.unknownUser(), cb);
            }
          },
          (err: unknown) => {
            log.warn({ err, cid: session.id }, 'recipient check failed');
            fail(cb, replyFor(err));
          },
        );
      },

      onData(stream, session, cb) {
        receiveMessage(stream, session).then(
          (reply) => (typeof reply === 'string' ? cb(null, reply) : cb(reply)),
          (err: unknown) => {
            log.error({ err, cid: session.id }, 'storing message failed');
            cb(replyFor(err));
          },
        );
      },
    },
    { sessionTimeoutMs: limits.sessionTimeoutMs, greetingDelayMs: limits.greetingDelayMs, exemptAuthenticated: false },
  );

  /**
   * RFC 5321 §4.5.4 leaves error limits to us; directory-harvest defence
   * (security-cases T19): from the Nth bad recipient each error is slowed
   * down, and at the limit the session ends with 421.
   */
  function rcptError(state: SessionState, reply: SmtpReply, cb: (err?: Error | null) => void): void {
    state.rcptErrors++;
    if (state.rcptErrors >= limits.maxRcptErrors) return cb(replies.tooManyRcptErrors());
    if (state.rcptErrors >= limits.rcptErrorsBeforeDelay) {
      setTimeout(() => cb(reply), limits.rcptErrorDelayMs).unref();
      return;
    }
    cb(reply);
  }

  /** Stores the message, then delivers it in one synced batch; returns the 250 text or an error reply. */
  async function receiveMessage(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string | SmtpReply> {
    const state = sessions.get(session.id);
    const accounts = state ? [...state.accounts] : [];
    if (accounts.length === 0 || !store.isWritable()) {
      stream.resume();
      return accounts.length === 0 ? replies.unknownUser() : replies.storageTrouble();
    }
    const id = randomBytes(8).toString('hex');
    const mailFrom = session.envelope.mailFrom;
    const prefix = traceHeaders({
      sender: mailFrom ? mailFrom.address : '',
      helo: session.hostNameAppearsAs ?? 'unknown',
      remoteAddress: session.remoteAddress,
      hostname: opts.hostname,
      protocol: session.secure ? 'ESMTPS' : session.transmissionType === 'SMTP' ? 'SMTP' : 'ESMTP',
      id,
      recipients: session.envelope.rcptTo.map((r) => r.address),
      date: new Date(),
    });
    const checks = opts.checks ?? [];
    const outcome = await writeMessage(stream, { store, prefix, maxReceived: MAX_RECEIVED, holdUpTo: checks.length > 0 ? HOLD_IN_MEMORY_BYTES : 0 });
    if (outcome.kind === 'oversized') return 'oversized'; // smtp-server replies 552 5.3.4 itself
    if (outcome.kind === 'rejected') return outcome.reply;
    const stored = checks.length > 0 ? await checkAndStore(outcome, session) : outcome.kind === 'stored' ? outcome : await storeHeldMessage(store, outcome.bytes);
    if ('reply' in stored) return stored.reply;
    await store.deliver({ blobId: stored.blobId, index: stored.index, accounts });
    log.info({ cid: session.id, id, size: stored.size, rcpts: accounts.length }, 'message delivered');
    return `Ok: queued as ${id}`;
  }


  /**
   * Runs the message checks (SPF/DKIM/DMARC) before anything is delivered.
   * A message held in memory is written once, with the headers the checks add;
   * a large one already on disk is rewritten into a new body and the first discarded.
   */
  async function checkAndStore(
    outcome: Exclude<WriteOutcome, { kind: 'oversized' | 'rejected' }>,
    session: SMTPServerSession,
  ): Promise<{ blobId: string; size: number; index: MessageIndex } | { reply: SmtpReply }> {
    const mailFrom = session.envelope.mailFrom;
    const ctx = {
      sender: mailFrom ? mailFrom.address : '',
      recipients: session.envelope.rcptTo.map((r) => r.address),
      remoteAddress: session.remoteAddress,
      helo: session.hostNameAppearsAs ?? '',
      readMessage: () => (outcome.kind === 'held' ? Readable.from([outcome.bytes]) : store.readBlob(outcome.blobId)),
      ...(outcome.kind === 'held' ? { held: outcome.bytes } : {}),
    };
    const verdict = await runMessageChecks(opts.checks ?? [], ctx, (check, err) => log.warn({ err, cid: session.id, check }, 'message check failed'));
    if (outcome.kind === 'held') {
      if (verdict.kind === 'refuse') return { reply: verdict.reply };
      const bytes = verdict.headers || verdict.drops.length > 0 ? rewriteHeld(outcome.bytes, verdict.headers ?? '', verdict.drops) : outcome.bytes;
      return storeHeldMessage(store, bytes);
    }
    if (verdict.kind === 'refuse') {
      await store.discardBlob(outcome.blobId);
      return { reply: verdict.reply };
    }
    if (!verdict.headers && verdict.drops.length === 0) return outcome;
    const rewritten = await rewriteStoredMessage(store, outcome.blobId, verdict.headers ?? '', verdict.drops);
    await store.discardBlob(outcome.blobId);
    return rewritten;
  }

  return serveSmtp(server, certs, (err) => log.warn({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'smtp connection error'));
}
