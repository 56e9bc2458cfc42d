import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SMTPServerAuthentication, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Logger } from 'pino';
import type { MailStore } from '../store/types.js';
import type { CertificateStore } from '../tls/types.js';
import type { SmtpLimits } from '../config/types.js';
import type { AuthThrottle } from '../auth/throttle.js';
import { authenticate } from '../auth/authenticate.js';
import { authzidAllowed } from '../auth/sasl-plain.js';
import { decideRecipient } from '../delivery/recipient-policy.js';
import { ConnectionCounter } from '../limits/connection-counter.js';
import { hasDiskHeadroom } from '../limits/disk-headroom.js';
import { GuardedSmtpServer, limitOptions, serveSmtp } from './connection-guard.js';
import { replyFor, SmtpReply } from './replies.js';
import { traceHeaders } from './trace-headers.js';
import { storeHeldMessage, writeMessage } from './message-writer.js';
import { drain, reassemble, rewriteHeader, splitHeader } from './submission-headers.js';
import { ownsAddress, remoteRecipient, SendRateLimiter } from './submission-policy.js';
import { submissionReplies as r } from './submission-replies.js';
import { readOutboundSettings, type StoredOutboundSettings } from './outbound/settings.js';

export interface SubmissionSmtpOptions {
  store: MailStore;
  certs: CertificateStore;
  /** The one throttle shared with IMAP and POP3 (the composition root makes it). */
  throttle: AuthThrottle;
  log: Logger;
  hostname: string;
  limits: SmtpLimits;
  /** true: port 465, TLS from the first byte (RFC 8314 §3.3); false: port 587 with STARTTLS required before AUTH. */
  implicitTls: boolean;
  /** The outbound queue runner, told when new remote mail is queued. */
  queue?: { kick(): void };
  /** Settings below the store's `outbound` document (rate limits). */
  settings?: StoredOutboundSettings;
  /** Clock for the rate limiter (tests). */
  now?: () => number;
  /** How long close() lets sessions finish. Default 10 s. */
  closeTimeoutMs?: number;
}

/** A running submission service (587 or 465). Same life cycle as `InboundSmtp`. */
export interface SubmissionSmtp {
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stops accepting, lets sessions in DATA finish (up to the close timeout), then resolves. */
  close(): Promise<void>;
  reloadTls(): void;
}

interface SessionState {
  local: Set<string>;
  remote: string[];
  rcptErrors: number;
}

const MAX_RECEIVED = 50;

/**
 * Authenticated message submission (RFC 6409) on 587 with STARTTLS (RFC 3207)
 * required before AUTH, or on 465 with implicit TLS (RFC 8314). AUTH PLAIN and
 * LOGIN (RFC 4954) only over TLS, throttled per client IP with the shared
 * throttle. The envelope sender and the From header must belong to the user.
 *
 * Local recipients get their copy in the same synced batch that queues the
 * message for the remote ones; the 250 comes after that batch. Submission does
 * NOT file a copy in the user's Sent folder: mail clients APPEND their own copy
 * over IMAP, and doing both would give two copies.
 */
export function createSubmissionSmtp(opts: SubmissionSmtpOptions): SubmissionSmtp {
  const { store, certs, limits, log, throttle } = opts;
  const sessions = new Map<string, SessionState>();
  const perIp = new ConnectionCounter(limits.maxClientsPerIp);
  const rate = new SendRateLimiter(opts.now);
  const budget = async () => (await readOutboundSettings(store, opts.settings)).rateLimit;
  const userOf = (session: SMTPServerSession): string => String(session.user ?? '');

  const server = new GuardedSmtpServer(
    {
      name: opts.hostname,
      banner: 'Letterbox submission',
      logger: false,
      secure: opts.implicitTls,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: false,
      allowInsecureAuth: false,
      disableReverseLookup: true,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      ...limitOptions(limits, certs, opts.closeTimeoutMs),

      onConnect(session, cb) {
        if (!perIp.tryAdd(session.remoteAddress)) return cb(r.tooManyFromIp());
        sessions.set(session.id, { local: new Set(), remote: [], rcptErrors: 0 });
        cb();
      },

      onClose(session) {
        // Only sessions onConnect admitted were counted.
        if (sessions.delete(session.id)) perIp.remove(session.remoteAddress);
      },

      // RFC 4954 §4 and RFC 4616 §2: the authorization identity, if given, must be the user itself.
      // smtp-server decodes the PLAIN base64 itself; the identity rule is the one IMAP and POP3 apply.
      onAuth(auth: SMTPServerAuthentication, session, cb) {
        const authzid = (auth as SMTPServerAuthentication & { authzid?: string }).authzid ?? '';
        const username = auth.username ?? '';
        const password = auth.password ?? '';
        if (!authzidAllowed(authzid, username)) {
          throttle.recordFailure(session.remoteAddress);
          return cb(r.authFailed());
        }
        authenticate(store, username, password, { ip: session.remoteAddress, throttle }).then(
          (user) => {
            log.info({ cid: session.id, user: user ?? undefined, ok: user !== null }, 'submission login');
            if (user) cb(null, { user });
            else cb(r.authFailed());
          },
          (err: unknown) => {
            log.warn({ err, cid: session.id }, 'authentication failed with an error');
            cb(r.authUnavailable());
          },
        );
      },

      onMailFrom(address, session, cb) {
        const state = sessions.get(session.id);
        if (!state) return cb(r.tempFailure());
        state.local.clear();
        state.remote = [];
        const user = userOf(session);
        if (!store.isWritable()) return cb(r.storageTrouble());
        (async () => {
          if (!address.address || !(await ownsAddress(store, user, address.address))) return r.senderNotOwned();
          if (!(await hasDiskHeadroom(store, limits.maxMessageBytes))) return r.storageTrouble();
          if (!rate.allows(user, await budget())) return r.rateLimited();
          return undefined;
        })().then(
          (reply) => cb(reply ?? null),
          (err: unknown) => cb(replyFor(err)),
        );
      },

      onRcptTo(address, session, cb) {
        const state = sessions.get(session.id);
        if (!state) return cb(r.tempFailure());
        (async () => {
          const at = address.address.lastIndexOf('@');
          const domain = at < 0 ? '' : address.address.slice(at + 1);
          if (at < 0 || store.isLocalDomain(domain)) {
            const decision = await decideRecipient(store, address.address, 0);
            if (decision.kind === 'accept') {
              for (const a of decision.accounts) state.local.add(a);
              return undefined;
            }
            if (decision.kind === 'overQuota') return r.overQuota();
            if (decision.kind === 'unavailable') return r.storageTrouble();
            return rcptError(state, r.unknownUser());
          }
          const remote = remoteRecipient(address.address);
          if (!remote) return rcptError(state, r.badAddress());
          if (!state.remote.includes(remote)) {
            if (!rate.allows(userOf(session), await budget(), state.remote.length + 1)) return r.rateLimited();
            state.remote.push(remote);
          }
          return undefined;
        })().then(
          (reply) => (reply === 'delay' ? undefined : cb(reply ?? null)),
          (err: unknown) => cb(replyFor(err)),
        );

        function rcptError(s: SessionState, reply: SmtpReply): SmtpReply | 'delay' {
          s.rcptErrors++;
          if (s.rcptErrors >= limits.maxRcptErrors) return r.tooManyErrors();
          if (s.rcptErrors >= limits.rcptErrorsBeforeDelay) {
            setTimeout(() => cb(reply), limits.rcptErrorDelayMs).unref();
            return 'delay';
          }
          return reply;
        }
      },

      onData(stream, session, cb) {
        receive(stream, session).then(
          (reply) => (typeof reply === 'string' ? cb(null, reply) : cb(reply)),
          (err: unknown) => {
            log.error({ err, cid: session.id }, 'storing submitted message failed');
            cb(replyFor(err));
          },
        );
      },
    },
    { sessionTimeoutMs: limits.sessionTimeoutMs, greetingDelayMs: limits.greetingDelayMs, exemptAuthenticated: true, hideAuthWithoutTls: true },
  );

  /** Checks and stores one submitted message; returns the 250 text or an error reply. */
  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string | SmtpReply> {
    const state = sessions.get(session.id);
    const user = userOf(session);
    const local = state ? [...state.local] : [];
    const remote = state ? [...state.remote] : [];
    const split = await splitHeader(stream as AsyncIterable<Buffer>);
    if (local.length + remote.length === 0 || !store.isWritable()) {
      await drain(split.tail);
      return local.length + remote.length === 0 ? r.noRecipients() : r.storageTrouble();
    }
    if (split.tooLarge) {
      await drain(split.tail);
      return r.headerTooLarge();
    }
    const rewritten = rewriteHeader(split.header, { hostname: opts.hostname, now: new Date(opts.now?.() ?? Date.now()) });
    const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const claimed = [...rewritten.from, ...rewritten.sender];
    let owned = rewritten.from.length > 0;
    for (const a of claimed) if (owned && !(await ownsAddress(store, user, a))) owned = false;
    if (!owned) {
      await drain(split.tail);
      return r.fromNotOwned();
    }
    const id = randomBytes(8).toString('hex');
    const prefix = traceHeaders({
      sender,
      helo: session.hostNameAppearsAs ?? 'unknown',
      remoteAddress: session.remoteAddress,
      hostname: opts.hostname,
      protocol: 'ESMTPSA',
      id,
      recipients: [...local, ...remote],
      date: new Date(opts.now?.() ?? Date.now()),
    });
    const body = reassemble(rewritten.header, split, stream as { sizeExceeded?: boolean });
    const written = await writeMessage(body, { store, prefix, maxReceived: MAX_RECEIVED });
    if (written.kind === 'oversized') return 'oversized';
    if (written.kind === 'rejected') return written.reply;
    // Without holdUpTo the writer always stores; the held form only comes back when asked for.
    const outcome = written.kind === 'stored' ? written : { kind: 'stored' as const, ...(await storeHeldMessage(store, written.bytes)) };
    await store.queueTransaction({
      add: remote.length > 0 ? [{ blobId: outcome.blobId, index: outcome.index, sender, submitter: user, recipients: remote, createdAt: opts.now?.() ?? Date.now() }] : [],
      deliver: local.length > 0 ? [{ blobId: outcome.blobId, index: outcome.index, accounts: local }] : [],
    });
    rate.record(user, local.length + remote.length);
    log.info({ cid: session.id, id, user, size: outcome.size, local: local.length, remote: remote.length }, 'message submitted');
    if (remote.length > 0) opts.queue?.kick();
    return `Ok: queued as ${id}`;
  }

  const listener = serveSmtp(server, certs, (err) => log.warn({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'submission connection error'));
  return {
    ...listener,
    reloadTls() {
      server.updateSecureContext(certs.tlsOptions());
    },
  };
}
