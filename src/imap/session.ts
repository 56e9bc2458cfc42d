/**
 * IMAP session state (RFC 3501 §3) as a discriminated union, the services a
 * session works with, and the contract command handlers see.
 *
 *   notAuthenticated ──LOGIN/AUTHENTICATE──▶ authenticated ──SELECT──▶ selected
 *          │                                     ▲  │                    │
 *          └──────────────LOGOUT──────▶ logout ◀─┘  └──CLOSE/UNSELECT────┘
 *
 * TLS is orthogonal (STARTTLS before login, or implicit on 993) and kept as
 * a flag beside the state.
 */
import type { Logger } from 'pino';
import type { AuthThrottle } from '../auth/index.js';
import type { AccountStore, MailStore } from '../store/types.js';
import type { CertificateStore } from '../tls/types.js';
import type { ImapLimits } from './limits.js';
import type { MailboxView, RecentRegistry, ViewCache } from './mailbox-view.js';
import type { HeaderCache } from './search-headers.js';
import type { CommandFrame } from './protocol/framer-events.js';
import type { CommandOf, ImapCommandName } from './protocol/types.js';

/** The four states of RFC 3501 §3. */
export type SessionState =
  | { kind: 'notAuthenticated' }
  | { kind: 'authenticated'; user: string; account: AccountStore }
  | { kind: 'selected'; user: string; account: AccountStore; view: MailboxView }
  | { kind: 'logout' };

/** States a command may run in. */
export type StateKind = Exclude<SessionState['kind'], 'logout'>;

/** What every session of one server shares. Owned by the server; sessions never close any of it. */
export interface ImapServices {
  store: MailStore;
  certs: CertificateStore;
  throttle: AuthThrottle;
  log: Logger;
  limits: ImapLimits;
  hostname: string;
  recent: RecentRegistry;
  /** Columns of recently selected mailboxes, shared by the listeners of one store. */
  viewCache: ViewCache;
  /** Envelope header fields of recently searched mailboxes, for SEARCH (shared like `viewCache`). */
  headerCache: HeaderCache;
  sessions: SessionRegistry;
}

/** Counts logged-in sessions per account and per account+IP (the per-user caps). */
export interface SessionRegistry {
  /** Registers a login; false (nothing registered) when a cap would be exceeded. */
  tryAdd(user: string, ip: string): boolean;
  remove(user: string, ip: string): void;
}

/**
 * A command's tagged completion (RFC 3501 §7.1). `null` means the handler
 * already wrote it (STARTTLS must write its OK before the handshake).
 */
export type Completion = { status: 'OK' | 'NO' | 'BAD'; code?: string | null; text: string } | null;

/** Shortcuts for completions. */
export const ok = (text = 'done', code?: string | null): Completion => ({ status: 'OK', text, code });
export const no = (text: string, code?: string | null): Completion => ({ status: 'NO', text, code });
export const bad = (text: string, code?: string | null): Completion => ({ status: 'BAD', text, code });

/** The session as command handlers see it. */
export interface CommandContext {
  readonly services: ImapServices;
  readonly state: SessionState;
  readonly tls: boolean;
  readonly remote: string;
  readonly log: Logger;
  /** Extensions the client turned on with ENABLE or implicitly (CONDSTORE by SELECT (CONDSTORE), FETCH MODSEQ...). */
  readonly enabled: Set<string>;
  /** UIDs saved by SEARCH RETURN (SAVE) for `$` (RFC 5182). */
  savedUids: number[];

  /** Writes raw bytes or text (UTF-8). Resolves when the socket can take more (back-pressure). */
  write(data: string | Buffer): Promise<void>;
  /** Writes `* text\r\n`. */
  untagged(text: string): Promise<void>;
  /** The capability list for the current state (without the `CAPABILITY` word). */
  capabilities(): string;
  /** Reads the next client line as a frame (AUTHENTICATE responses, IDLE's DONE); null when the connection ends. */
  readContinuation(): Promise<CommandFrame | null>;
  /** Writes the tagged OK, then upgrades the connection to TLS, discarding pipelined plaintext. */
  startTls(tag: string): Promise<void>;

  /** Switches to authenticated; false when a connection cap refuses the login. */
  login(user: string, account: AccountStore): boolean;
  /** Switches to selected with `view` (from authenticated or selected). */
  select(view: MailboxView): void;
  /** Back to authenticated (CLOSE/UNSELECT, or a failed SELECT). */
  unselect(): void;
  /** Enters the logout state; the connection closes after the tagged OK. */
  logout(): void;

  /** Pulls pending mailbox changes and writes them; expunges only when `allowExpunge`. */
  syncView(allowExpunge: boolean): Promise<void>;
  /** Marks the selected mailbox as changed by this session (the next sync pulls the journal). */
  touchView(): void;
  /** Calls `cb` whenever the selected mailbox changes, until the returned function is called. */
  watchView(cb: () => void): () => void;
}

/**
 * One command implementation (ARCHITECTURE: commands/ holds one file per
 * command). `run` may write untagged responses and returns the completion.
 * Failures it throws are mapped once, by dispatch.ts (MailError kinds to
 * IMAP response codes); everything else becomes `NO [SERVERBUG]`-free generic text.
 */
export interface CommandHandler<N extends ImapCommandName = ImapCommandName> {
  names: readonly N[];
  states: readonly StateKind[];
  /**
   * RFC 3501 §7.4.1: whether pending EXPUNGEs may be sent when this command
   * completes (not after FETCH, STORE, SEARCH; the UID forms are allowed).
   * Defaults to true.
   */
  allowsExpunge?(cmd: CommandOf<N>): boolean;
  run(ctx: CommandContext, cmd: CommandOf<N>): Promise<Completion>;
}

/** Helper keeping the name/command pairing typed. */
export function defineCommand<N extends ImapCommandName>(handler: CommandHandler<N>): CommandHandler<N> {
  return handler;
}

/** The selected state or a thrown programming error (dispatch checks states before `run`). */
export function selectedState(ctx: CommandContext): Extract<SessionState, { kind: 'selected' }> {
  const s = ctx.state;
  if (s.kind !== 'selected') throw new Error('command needs the selected state');
  return s;
}

/** The account of an authenticated or selected session. */
export function accountOf(ctx: CommandContext): AccountStore {
  const s = ctx.state;
  if (s.kind !== 'authenticated' && s.kind !== 'selected') throw new Error('command needs an authenticated session');
  return s.account;
}
