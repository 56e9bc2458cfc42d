import type { Logger } from 'pino';
import type { MailStore } from '../store/types.js';
import type { AuthThrottle } from '../auth/throttle.js';
import { authenticate } from '../auth/authenticate.js';
import { decodeSaslPlain } from '../auth/sasl-plain.js';
import { maskCommand, MASK } from '../log/mask-command.js';
import type { Pop3Limits } from './limits.js';
import { CREDENTIAL_KEYWORDS, continuation, err, keywordOf, multiline, ok, parseCommand, type FramedLine, type Pop3Command } from './protocol.js';
import { Maildrop, type MaildropLocks } from './maildrop.js';
import { quickRetr, runTransactionCommand } from './transaction.js';
import { ReadAhead } from './read-ahead.js';
import type { Pop3Output } from './send-message.js';

/** What the connection does after a line was handled. */
export type SessionAction = 'continue' | 'close' | 'starttls';

/** The session's view of its connection. `secure` turns true after STLS. */
export interface Pop3SessionIo extends Pop3Output {
  readonly secure: boolean;
  readonly remoteAddress: string;
}

/** Everything a session needs; one object per listener, shared by its sessions. */
export interface Pop3SessionContext {
  store: MailStore;
  throttle: AuthThrottle;
  limits: Pop3Limits;
  hostname: string;
  /** Offer STLS (the plain port); false on the implicit-TLS port. */
  stls: boolean;
  /** Allow USER/PASS/AUTH without TLS (the owner's explicit choice; off by default). */
  allowPlaintextAuth: boolean;
  locks: MaildropLocks;
}

/**
 * RFC 1939 §3 session states. AUTHORIZATION may be in the middle of a SASL
 * exchange (waiting for the client's response line); TRANSACTION holds the
 * maildrop snapshot and the lock; UPDATE is the commit after QUIT.
 */
export type Pop3State =
  | { phase: 'AUTHORIZATION'; user: string | null; saslPending: boolean }
  | { phase: 'TRANSACTION'; drop: Maildrop; release: () => void; readAhead: ReadAhead }
  | { phase: 'UPDATE'; drop: Maildrop; release: () => void }
  | { phase: 'CLOSED' };

/**
 * One POP3 conversation, independent of sockets: the connection feeds it
 * framed lines one at a time (never concurrently) and acts on the returned
 * action. It writes replies through `io` and never closes anything itself.
 * `abort()` must be called when the connection goes away: it releases the
 * maildrop lock without committing deletions (RFC 1939 §6: no QUIT, no UPDATE).
 */
export class Pop3Session {
  state: Pop3State = { phase: 'AUTHORIZATION', user: null, saslPending: false };
  private badCommands = 0;
  private authFailures = 0;

  constructor(
    private readonly ctx: Pop3SessionContext,
    private readonly io: Pop3SessionIo,
    private readonly log: Logger,
  ) {}

  /** RFC 1939 §4 greeting. No APOP timestamp (T55: APOP is not offered). */
  greeting(): string {
    return ok(`${this.ctx.hostname} POP3 ready`);
  }

  /** After a completed STLS handshake (RFC 2595 §4): forget what the client said before it. */
  tlsStarted(): void {
    if (this.state.phase === 'AUTHORIZATION') this.state = { phase: 'AUTHORIZATION', user: null, saslPending: false };
  }

  /** The connection is gone: drop the lock, delete nothing. A commit already in UPDATE finishes on its own. */
  abort(): void {
    if (this.state.phase === 'TRANSACTION') {
      this.state.readAhead.clear();
      this.state.release();
    }
    if (this.state.phase !== 'UPDATE') this.state = { phase: 'CLOSED' };
  }

  /**
   * Handles one framed line. Rejects only on connection failure (the caller
   * closes). A RETR whose response is prepared is answered synchronously and
   * returns its action directly (a download is thousands of these in a row);
   * everything else returns a promise.
   */
  handle(line: FramedLine): SessionAction | Promise<SessionAction> {
    const state = this.state;
    if (state.phase === 'TRANSACTION' && line.kind === 'line' && line.octets <= this.ctx.limits.maxLineLength && !this.log.isLevelEnabled('debug')) {
      const quick = quickRetr(this.io, state.drop, state.readAhead, line.bytes);
      if (quick === undefined) return 'continue';
      if (quick !== false) return quick.then(() => 'continue');
    }
    return this.handleLine(line);
  }

  private async handleLine(line: FramedLine): Promise<SessionAction> {
    if (this.state.phase === 'CLOSED' || this.state.phase === 'UPDATE') return 'close';
    if (line.kind === 'overflow') return this.bad('Line too long');
    const text = line.bytes.toString('utf8');
    if (this.state.phase === 'AUTHORIZATION' && this.state.saslPending) {
      this.log.debug({ cmd: MASK }, 'pop3 sasl response');
      this.state.saslPending = false;
      return this.finishPlain(text);
    }
    // RFC 2449 §4: 255 octets per command line; credential lines get a larger bounded budget (see Pop3Limits).
    if (line.octets > this.ctx.limits.maxLineLength && !CREDENTIAL_KEYWORDS.has(keywordOf(text))) return this.bad('Line too long');
    if (this.log.isLevelEnabled('debug')) this.log.debug({ cmd: maskCommand(text) }, 'pop3 command');
    const cmd = parseCommand(text);
    if (cmd.name === 'ERROR') return this.bad(cmd.message);
    if (cmd.name === 'CAPA') return this.reply(multiline('Capability list follows', this.capabilities()));
    if (this.state.phase === 'AUTHORIZATION') return this.authorization(cmd);
    if (cmd.name === 'QUIT') return this.quit(this.state.drop, this.state.release);
    const handled = await runTransactionCommand(this.ctx.store, this.io, this.state.drop, this.state.readAhead, cmd);
    return handled ? 'continue' : this.bad('Command not valid in this state');
  }

  /** RFC 2449 §5 CAPA; the list depends on TLS and state (RFC 2595 §4, RFC 5034 §3). */
  private capabilities(): string[] {
    const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'LOGIN-DELAY 0'];
    if (this.authAllowed()) caps.push('USER', 'SASL PLAIN');
    if (this.state.phase === 'AUTHORIZATION' && this.ctx.stls && !this.io.secure) caps.push('STLS');
    return caps;
  }

  private authAllowed(): boolean {
    return this.io.secure || this.ctx.allowPlaintextAuth;
  }

  /** RFC 1939 §4, RFC 2595 §4 (STLS), RFC 5034 §4 (AUTH). */
  private async authorization(cmd: Pop3Command): Promise<SessionAction> {
    const state = this.state as Extract<Pop3State, { phase: 'AUTHORIZATION' }>;
    const refusal = err('Plaintext authentication is not allowed without TLS; use STLS first', 'AUTH');
    switch (cmd.name) {
      case 'QUIT':
        await this.io.write(ok('Bye'));
        this.state = { phase: 'CLOSED' };
        return 'close';
      case 'STLS':
        if (!this.ctx.stls || this.io.secure) return this.reply(err('TLS is already active or not available here'));
        await this.io.write(ok('Begin TLS negotiation'));
        return 'starttls';
      case 'USER':
        if (!this.authAllowed()) return this.reply(refusal);
        state.user = cmd.user;
        return this.reply(ok('Send your password'));
      case 'PASS': {
        if (!this.authAllowed()) return this.reply(refusal);
        const user = state.user;
        state.user = null;
        if (user === null) return this.reply(err('Send USER first'));
        return this.login(user, cmd.password);
      }
      case 'AUTH':
        if (!this.authAllowed()) return this.reply(refusal);
        if (cmd.mechanism !== 'PLAIN') return this.reply(err('Unsupported authentication mechanism'));
        if (cmd.initialResponse === null) {
          state.saslPending = true;
          return this.reply(continuation());
        }
        return this.finishPlain(cmd.initialResponse);
      case 'APOP':
        return this.reply(err('APOP is not supported'));
      default:
        return this.bad('Command not valid in this state');
    }
  }

  /** RFC 5034 §4 with RFC 4616 PLAIN: "*" cancels, bad base64 or shape fails like a wrong password. */
  private async finishPlain(response: string): Promise<SessionAction> {
    if (response === '*') return this.reply(err('Authentication cancelled'));
    const plain = decodeSaslPlain(response);
    if (!plain.ok) return this.reply(err('Invalid SASL PLAIN response', 'AUTH'));
    return this.login(plain.credentials.authcid, plain.credentials.password);
  }

  /** Checks credentials (throttled per IP, shared with SMTP and IMAP), takes the lock, snapshots the INBOX. */
  private async login(address: string, password: string): Promise<SessionAction> {
    const canonical = await authenticate(this.ctx.store, address, password, { ip: this.io.remoteAddress, throttle: this.ctx.throttle });
    if (canonical === null) {
      this.log.info({ user: address.slice(0, 254) }, 'pop3 login failed');
      if (++this.authFailures >= this.ctx.limits.maxAuthFailures) {
        await this.io.write(err('Authentication failed; too many attempts', 'AUTH'));
        this.state = { phase: 'CLOSED' };
        return 'close';
      }
      return this.reply(err('Authentication failed', 'AUTH'));
    }
    // RFC 3206 §4 / RFC 1939 §8: one session per maildrop; checked only after the password, so it reveals nothing.
    const release = this.ctx.locks.tryLock(this.ctx.store, canonical);
    if (!release) return this.reply(err('Maildrop is in use by another session', 'IN-USE'));
    let drop: Maildrop;
    try {
      drop = await Maildrop.open(this.ctx.store, canonical);
    } catch (error) {
      release();
      this.log.warn({ err: error, user: canonical }, 'pop3 could not open maildrop');
      return this.reply(err('Maildrop not available; try again later', 'SYS/TEMP'));
    }
    if (this.state.phase === 'CLOSED') {
      release(); // the connection went away while we were reading the store
      return 'close';
    }
    this.state = { phase: 'TRANSACTION', drop, release, readAhead: new ReadAhead(this.ctx.store, drop) };
    this.badCommands = 0;
    this.log.setBindings({ user: canonical });
    const { count, octets } = drop.stat();
    this.log.info({ messages: count }, 'pop3 login');
    return this.reply(ok(`Logged in; maildrop has ${count} messages (${octets} octets)`));
  }

  /** RFC 1939 §6: QUIT in TRANSACTION enters UPDATE; +OK only once the deletions are durable. */
  private async quit(drop: Maildrop, release: () => void): Promise<SessionAction> {
    this.state = { phase: 'UPDATE', drop, release };
    let reply: string;
    try {
      const removed = await drop.commit();
      reply = ok(`Bye; ${removed} messages deleted`);
      this.log.info({ deleted: removed }, 'pop3 update committed');
    } catch (error) {
      this.log.warn({ err: error }, 'pop3 update failed');
      reply = err('Deleted messages were not removed; try again later', 'SYS/TEMP');
    } finally {
      release();
      this.state = { phase: 'CLOSED' };
    }
    await this.io.write(reply).catch(() => undefined);
    return 'close';
  }

  private async reply(text: string): Promise<SessionAction> {
    await this.io.write(text);
    return 'continue';
  }

  /** Unknown, malformed, too long or out-of-state: -ERR, and close once the budget is spent (Dovecot: 3 before login). */
  private async bad(message: string): Promise<SessionAction> {
    const limit = this.state.phase === 'AUTHORIZATION' ? this.ctx.limits.maxBadCommandsPreAuth : this.ctx.limits.maxBadCommandsPostAuth;
    if (++this.badCommands >= limit) {
      await this.io.write(err(`${message}; too many bad commands, closing`));
      this.abort();
      return 'close';
    }
    return this.reply(err(message));
  }
}
