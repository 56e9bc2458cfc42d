/**
 * One IMAP client connection: the framer, the session state and the moments
 * at which mailbox changes are told to the client.
 *
 * Input flows socket → framer (codec) → one command at a time. Pipelined
 * commands wait in the framer until the running one completes (RFC 3501
 * §5.5 lets a server run them one by one); while a command waits for client
 * input (AUTHENTICATE responses, IDLE's DONE) the next frame goes to it.
 * Held input is bounded: past `MAX_PENDING_INPUT` the socket is paused.
 * APPEND literals stream into a blob (append-upload.ts) and never sit in memory.
 *
 * The socket itself (writes, BYE, STARTTLS, closing) is connection-transport.ts;
 * the watch on the selected mailbox is in view-output.ts. Never throws into
 * the event loop: every failure ends this connection only (ARCHITECTURE rule 9).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AccountStore } from '../store/types.js';
import { capabilityList } from './capabilities.js';
import { ConnectionTransport } from './connection-transport.js';
import { dispatch } from './dispatch.js';
import { framerLimitsOf, parserOptionsOf } from './limits.js';
import { AppendUpload } from './append-upload.js';
import type { MailboxView } from './mailbox-view.js';
import { CommandFramer } from './protocol/framer.js';
import type { CommandFrame, FrameError, FramerEvent } from './protocol/framer-events.js';
import { parseCommand } from './protocol/parser.js';
import type { ParseError } from './protocol/types.js';
import type { CommandContext, ImapServices, SessionState } from './session.js';
import { SelectedMailboxWatch } from './view-output.js';
import { statusLine } from './wire.js';

/** Unread pipelined input held before the socket is paused. */
const MAX_PENDING_INPUT = 128 * 1024;

/** Connection options from the server. */
export interface ConnectionOptions {
  tls: boolean;
  /** Called once when the connection is gone (socket closed), with the logged-in user if any. */
  onClose: (conn: ImapConnection) => void;
  /** Called once when a login succeeds. */
  onLogin?: (conn: ImapConnection) => void;
}

/** One client's session over its socket: the command pump and the CommandContext handlers see. */
export class ImapConnection extends ConnectionTransport implements CommandContext {
  state: SessionState = { kind: 'notAuthenticated' };
  readonly enabled = new Set<string>();
  savedUids: number[] = [];
  private framer: CommandFramer;
  private running = false;
  private pumping = false;
  private waiter: ((frame: CommandFrame | null) => void) | null = null;
  private upload: AppendUpload | null = null;
  private badCommands = 0;
  private readonly mailboxWatch = new SelectedMailboxWatch();
  /** Login timeout before login, autologout (inactivity) after; refreshed by client input. */
  private timer: NodeJS.Timeout;
  private loggedInUser: string | null = null;

  constructor(
    socket: Socket,
    readonly services: ImapServices,
    log: Logger,
    private readonly options: ConnectionOptions,
  ) {
    super(socket, log, options.tls, services.certs);
    this.framer = this.newFramer();
    this.timer = setTimeout(() => this.onTimeout(), services.limits.loginTimeoutMs);
    this.timer.unref();
  }

  /** The user logged in on this connection (for the server's per-user counts). */
  get user(): string | null {
    return this.loggedInUser;
  }

  /** Sends the greeting (RFC 3501 §7.1.1; never PREAUTH). */
  start(): void {
    void this.write(`* OK [CAPABILITY ${this.capabilities()}] ${this.services.hostname} Letterbox IMAP ready\r\n`);
  }

  private newFramer(): CommandFramer {
    const framer = new CommandFramer(framerLimitsOf(this.services.limits));
    framer.setAuthenticated(this.state.kind === 'authenticated' || this.state.kind === 'selected');
    return framer;
  }

  protected override onInput(chunk: Buffer): void {
    if (this.state.kind !== 'notAuthenticated') this.timer.refresh();
    this.framer.push(chunk);
    if (this.framer.bufferedBytes() > MAX_PENDING_INPUT) this.socket.pause();
    void this.pump();
  }

  protected override discardPendingInput(): void {
    this.framer.discardInput();
  }

  protected override restartInput(): void {
    this.framer = this.newFramer();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed) {
        // An APPEND upload keeps pulling (its data and its end) even though a command is under way.
        if (this.running && !this.waiter && !this.upload) break;
        const ev = this.framer.next();
        if (!ev) break;
        await this.onEvent(ev);
      }
    } catch (err) {
      this.log.error({ err }, 'imap connection failed');
      this.bye('Internal error');
    } finally {
      this.pumping = false;
    }
    if (!this.closed && this.socket.isPaused() && this.framer.bufferedBytes() < MAX_PENDING_INPUT / 2) this.socket.resume();
  }

  private async onEvent(ev: FramerEvent): Promise<void> {
    switch (ev.kind) {
      case 'command': {
        const w = this.waiter;
        if (w) {
          this.waiter = null;
          w(ev.frame);
        } else this.runCommand(() => this.execute(ev.frame));
        return;
      }
      case 'continue':
        await this.write('+ Ready for literal data\r\n');
        return;
      case 'append': {
        this.running = true;
        const upload = await AppendUpload.begin(this, this.framer, ev);
        if (upload) this.upload = upload;
        else this.running = false;
        return;
      }
      case 'append-data':
        await this.upload?.data(ev.chunk);
        return;
      case 'append-end': {
        const upload = this.upload;
        this.upload = null;
        if (upload) this.runCommand(() => upload.finish());
        return;
      }
      case 'error':
        await this.onFrameError(ev);
        return;
    }
  }

  /** Runs a command to completion in the background; the pump resumes after it. */
  private runCommand(fn: () => Promise<void>): void {
    this.running = true;
    void fn()
      .catch((err: unknown) => {
        this.log.error({ err }, 'imap command failed');
        this.bye('Internal error');
      })
      .finally(() => {
        this.running = false;
        if (this.state.kind === 'logout') this.end();
        else void this.pump();
      });
  }

  private async execute(frame: CommandFrame): Promise<void> {
    const parsed = parseCommand(frame, parserOptionsOf(this.services.limits, this.state.kind !== 'notAuthenticated'));
    if (!parsed.ok) {
      await this.respondParseError(parsed.error);
      return;
    }
    const outcome = await dispatch(this, parsed.command);
    if (outcome === 'bad') await this.countBad();
  }

  private async respondParseError(e: ParseError): Promise<void> {
    // Code arguments come from the codec, not the client, but stay atoms whatever happens.
    const args = e.codeArgs.map((a) => (/^[\x21-\x7e]+$/.test(a) ? a : '?'));
    const code = e.code ? (args.length === 0 ? e.code : e.code === 'BADCHARSET' ? `${e.code} (${args.join(' ')})` : `${e.code} ${args.join(' ')}`) : null;
    await this.write(statusLine(e.tag ?? '*', e.status, e.message, code));
    if (e.status === 'BAD') await this.countBad();
  }

  private async onFrameError(e: FrameError): Promise<void> {
    if (e.fatal) {
      if (e.tag) await this.write(statusLine(e.tag, 'BAD', e.message, e.code));
      this.bye(e.message);
      return;
    }
    await this.write(statusLine(e.tag ?? '*', e.status, e.message, e.code));
    // Someone announcing a huge literal before logging in is not a mail client (T37).
    if (e.code === 'TOOBIG' && this.state.kind === 'notAuthenticated') this.bye('Literal too large');
    else if (e.status === 'BAD') await this.countBad();
  }

  /** Counts a bad command; past the limit the client gets BYE (Dovecot: 3 before login). */
  private async countBad(): Promise<void> {
    this.badCommands++;
    const l = this.services.limits;
    const max = this.state.kind === 'notAuthenticated' ? l.maxBadCommandsPreAuth : l.maxBadCommands;
    if (this.badCommands > max) this.bye('Too many invalid commands');
  }

  private onTimeout(): void {
    if (this.closed) return;
    if (this.upload || (this.running && !this.waiter)) {
      // A long APPEND or FETCH is activity too; check again later.
      this.timer.refresh();
      return;
    }
    this.bye(this.state.kind === 'notAuthenticated' ? 'Login timeout' : 'Autologout; idle for too long');
  }

  // ── CommandContext ────────────────────────────────────────────────────

  capabilities(): string {
    return capabilityList({ tls: this.tls, authenticated: this.state.kind !== 'notAuthenticated', appendLimit: this.services.limits.maxMessageBytes });
  }

  readContinuation(): Promise<CommandFrame | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
      void this.pump();
    });
  }

  login(user: string, account: AccountStore): boolean {
    if (!this.services.sessions.tryAdd(user, this.remote)) return false;
    this.loggedInUser = user;
    this.state = { kind: 'authenticated', user, account };
    this.framer.setAuthenticated(true);
    this.badCommands = 0;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimeout(), this.services.limits.autologoutMs);
    this.timer.unref();
    this.mailboxWatch.listen(this.services.store, () => (this.state.kind === 'selected' ? this.state.view : null));
    this.options.onLogin?.(this);
    return true;
  }

  select(view: MailboxView): void {
    const s = this.state;
    if (s.kind !== 'authenticated' && s.kind !== 'selected') throw new Error('select needs an authenticated session');
    this.state = { kind: 'selected', user: s.user, account: s.account, view };
    this.mailboxWatch.markChanged();
  }

  unselect(): void {
    const s = this.state;
    if (s.kind === 'selected') this.state = { kind: 'authenticated', user: s.user, account: s.account };
  }

  logout(): void {
    this.state = { kind: 'logout' };
  }

  async syncView(allowExpunge: boolean): Promise<void> {
    const s = this.state;
    if (s.kind === 'selected') await this.mailboxWatch.sync(this, s.view, allowExpunge);
  }

  touchView(): void {
    this.mailboxWatch.markChanged();
  }

  watchView(cb: () => void): () => void {
    return this.mailboxWatch.watch(cb);
  }

  // ── closing ───────────────────────────────────────────────────────────

  protected override onClosed(): void {
    clearTimeout(this.timer);
    this.mailboxWatch.stop();
    const w = this.waiter;
    this.waiter = null;
    w?.(null);
    void this.upload?.abort();
    this.upload = null;
    if (this.loggedInUser) this.services.sessions.remove(this.loggedInUser, this.remote);
    this.options.onClose(this);
  }
}
