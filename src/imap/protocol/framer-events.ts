/**
 * What the IMAP command framer (framer.ts) yields and the size limits it
 * enforces (RFC 3501 §2.2, §4.3; RFC 7888 LITERAL+/LITERAL-; RFC 7889
 * APPENDLIMIT). The session reads these events; the parser reads the frames.
 */

/** Size limits; all byte counts. */
export interface FramerLimits {
  /** Whole command (lines, CRLFs and non-APPEND literals) before login. Dovecot: 8192. */
  maxCommandBytesPreAuth: number;
  /** Same after login. Dovecot: 64 KiB. */
  maxCommandBytes: number;
  /** Largest APPEND message literal (APPENDLIMIT, RFC 7889). */
  maxAppendBytes: number;
  /**
   * Largest non-synchronising literal (RFC 7888 LITERAL-: 4096), or null
   * when LITERAL+ is advertised and `{n+}` has the same limits as `{n}`.
   */
  maxNonSyncLiteralBytes: number | null;
}

/** Pi-sized defaults (security-cases appendix 1), LITERAL+ semantics. */
export const DEFAULT_FRAMER_LIMITS: Readonly<FramerLimits> = Object.freeze({
  maxCommandBytesPreAuth: 8192,
  maxCommandBytes: 65536,
  maxAppendBytes: 25 * 1024 * 1024,
  maxNonSyncLiteralBytes: null,
});

/**
 * One command: `lines[i]` is the text before literal i (without CRLF, its
 * `{n}` announcement included at its end), `literals[i]` the literal bytes;
 * `lines.length === literals.length + 1`.
 */
export interface CommandFrame {
  lines: Buffer[];
  literals: Buffer[];
}

/** A framing failure. Fatal ones mean: answer `* BYE` and close the connection. */
export interface FrameError {
  kind: 'error';
  tag: string | null;
  status: 'BAD' | 'NO';
  code: string | null;
  message: string;
  fatal: boolean;
}

/** What `next()` yields. */
export type FramerEvent =
  /** A complete command (also a bare continuation line such as IDLE's DONE or a SASL response). */
  | { kind: 'command'; frame: CommandFrame }
  /** A synchronising literal was accepted: send `+ ` now so the client sends it. */
  | { kind: 'continue' }
  /**
   * The message literal of APPEND: `frame` holds everything before it (its
   * last line ends with the `{n}`). Call acceptAppend() or rejectAppend()
   * before calling next() again.
   */
  | { kind: 'append'; frame: CommandFrame; size: number; synchronizing: boolean }
  | { kind: 'append-data'; chunk: Uint8Array }
  /** The message literal and the CRLF after it arrived; the APPEND can complete. */
  | { kind: 'append-end' }
  | FrameError;
