import type { FramerLimits } from './protocol/framer-events.js';
import { DEFAULT_PARSER_OPTIONS, PRE_AUTH_PARSER_OPTIONS, type ParserOptions } from './protocol/parse-common.js';

/**
 * The IMAP service's limits (ARCHITECTURE rule 9, security-cases appendix 1),
 * with Pi-sized defaults. The composition root may override any field from the
 * boot configuration; tests shorten the timers.
 *
 * Connection caps, and why these numbers:
 * - `maxConnectionsPerIp` counts connections that have not logged in yet. A
 *   desktop client opens a handful of connections at once; ten unauthenticated
 *   ones from one address is already generous, and it stops one host from
 *   holding hundreds of login slots (T48).
 * - `maxConnectionsPerUserIp` (Dovecot's `mail_max_userip_connections`, 10)
 *   caps one account from one address: enough for two clients on one device.
 * - `maxConnectionsPerUser` (20) caps one account over all addresses: a phone,
 *   a laptop and a desktop with room to spare, while a leaked password cannot
 *   exhaust the board's memory.
 * - `maxConnections` caps the whole service (each idle connection costs tens
 *   of KB; 200 fit comfortably in a Pi's memory).
 */
export interface ImapLimits {
  /** Longest command line before login, literals included (Dovecot 8192). */
  maxLineBytesPreAuth: number;
  /** Longest command line after login, non-APPEND literals included (Dovecot 64 KiB). */
  maxLineBytes: number;
  /** Largest APPEND message (advertised as APPENDLIMIT=). */
  maxMessageBytes: number;
  /** Deepest parenthesised list before login (Dovecot: 1). */
  maxNestingPreAuth: number;
  /** Deepest parenthesised list / SEARCH key tree / part path after login. */
  maxNesting: number;
  /** Bad commands tolerated before login; one more and the connection gets BYE (Dovecot: 3). */
  maxBadCommandsPreAuth: number;
  /** Bad commands tolerated after login before BYE (a runaway client). */
  maxBadCommands: number;
  /** Time allowed from connect to a successful login. */
  loginTimeoutMs: number;
  /** Inactivity after which an authenticated session is logged out (RFC 9051 §5.4: at least 30 min). */
  autologoutMs: number;
  /** Interval of `* OK Still here` during IDLE, so NAT boxes keep the connection. */
  idleKeepaliveMs: number;
  /** Connections of the whole service. */
  maxConnections: number;
  /** Unauthenticated connections from one IP address. */
  maxConnectionsPerIp: number;
  /** Sessions of one account from one IP address (Dovecot `mail_max_userip_connections`). */
  maxConnectionsPerUserIp: number;
  /** Sessions of one account over all addresses. */
  maxConnectionsPerUser: number;
  /** CPU/time budget of one SEARCH; past it the search stops with NO [LIMIT]. */
  searchBudgetMs: number;
  /** Longest mailbox name in characters, and deepest hierarchy (Dovecot rules). */
  maxMailboxNameLength: number;
  maxMailboxLevels: number;
  /** Mailboxes one account may have (CREATE answers NO [LIMIT] past it). */
  maxMailboxes: number;
  /** Messages after which a FETCH waits for the socket to drain before continuing. */
  fetchDrainBytes: number;
}

/** Defaults for the appliance (see the TSDoc of `ImapLimits` for the connection caps). */
export const DEFAULT_IMAP_LIMITS: Readonly<ImapLimits> = Object.freeze({
  maxLineBytesPreAuth: 8192,
  maxLineBytes: 65536,
  maxMessageBytes: 25 * 1024 * 1024,
  maxNestingPreAuth: 1,
  maxNesting: 100,
  maxBadCommandsPreAuth: 3,
  maxBadCommands: 20,
  loginTimeoutMs: 60_000,
  autologoutMs: 30 * 60_000,
  idleKeepaliveMs: 2 * 60_000,
  maxConnections: 200,
  maxConnectionsPerIp: 10,
  maxConnectionsPerUserIp: 10,
  maxConnectionsPerUser: 20,
  searchBudgetMs: 10_000,
  maxMailboxNameLength: 1024,
  maxMailboxLevels: 20,
  maxMailboxes: 1000,
  fetchDrainBytes: 256 * 1024,
});

/**
 * The command framer's limits for a session (the codec knows nothing of
 * configuration); the framer itself switches to the post-login ones at login.
 */
export function framerLimitsOf(l: ImapLimits): FramerLimits {
  return { maxCommandBytesPreAuth: l.maxLineBytesPreAuth, maxCommandBytes: l.maxLineBytes, maxAppendBytes: l.maxMessageBytes, maxNonSyncLiteralBytes: null };
}

/** The command parser's limits before login (`loggedIn` false) or after it. */
export function parserOptionsOf(l: ImapLimits, loggedIn: boolean): ParserOptions {
  if (!loggedIn) return { ...PRE_AUTH_PARSER_OPTIONS, maxListDepth: l.maxNestingPreAuth };
  const n = l.maxNesting;
  return { ...DEFAULT_PARSER_OPTIONS, maxListDepth: n, maxSearchDepth: n, maxSectionDepth: n };
}
