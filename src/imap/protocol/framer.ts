/**
 * The IMAP command framer (RFC 3501 §2.2, §4.3; RFC 7888 LITERAL+): splits
 * the client's byte stream into complete command frames — lines plus the
 * literals between them — enforcing size limits before any allocation, so a
 * `{999999999}` announced before login costs nothing (security-cases T37–T39).
 *
 * It is a pull parser: `push()` queues a chunk (kept by reference, not
 * copied), `next()` returns the next event or null when it needs more bytes.
 * The session can stop pulling while it writes (backpressure) and resume
 * later; results never depend on how the input was split.
 *
 * APPEND messages are streamed, not buffered: when an authenticated client
 * announces the message literal of an APPEND, the framer stops with an
 * `append` event; the session decides (`acceptAppend` / `rejectAppend`),
 * then pulls `append-data` chunks (views into the pushed chunks, valid until
 * the next push/next call) and finally `append-end`. A 25 MiB APPEND thus
 * never sits in memory. Every other literal is buffered, but only within the
 * command budget (the line limit counts literal bytes too, as Dovecot does).
 */
import { DEFAULT_FRAMER_LIMITS, type CommandFrame, type FrameError, type FramerEvent, type FramerLimits } from './framer-events.js';
import { isTag, LineBuffer } from './framer-line.js';

const LF = 0x0a;

type State = 'line' | 'literal' | 'append-decision' | 'append-data' | 'append-tail' | 'discard' | 'discard-line' | 'closed';

/**
 * Framer for one connection. Not thread-safe by nature (one per session).
 * Methods never throw on client input; calling next() while an `append`
 * decision is pending throws (a programming error).
 */
export class CommandFramer {
  private readonly limits: FramerLimits;
  private authenticatedFlag = false;
  private readonly chunks: Uint8Array[] = [];
  private headOffset = 0;
  private state: State = 'line';
  private readonly pendingLine = new LineBuffer();
  private lines: Buffer[] = [];
  private literals: Buffer[] = [];
  private commandBytes = 0;
  private literal: Buffer | null = null;
  private literalFilled = 0;
  private remaining = 0;
  private pendingSync = false;
  private tag: string | null = null;
  private commandName = '';
  private readonly queue: FramerEvent[] = [];

  constructor(limits: Partial<FramerLimits> = {}) {
    this.limits = { ...DEFAULT_FRAMER_LIMITS, ...limits };
  }

  /** Switches to the post-login limits (and enables APPEND streaming). */
  setAuthenticated(value: boolean): void {
    this.authenticatedFlag = value;
  }

  /** Queues client bytes; the chunk must not be modified until consumed. Ignored after a fatal error. */
  push(chunk: Uint8Array): void {
    if (this.state !== 'closed' && chunk.length > 0) this.chunks.push(chunk);
  }

  /** Bytes held: queued input not yet consumed plus the partial line and literal buffers. */
  bufferedBytes(): number {
    let n = -this.headOffset;
    for (const c of this.chunks) n += c.length;
    return n + this.pendingLine.length + (this.literal?.length ?? 0);
  }

  /** Drops all queued, unread input (STARTTLS: plaintext pipelined after the command must not run). */
  discardInput(): void {
    this.chunks.length = 0;
    this.headOffset = 0;
  }

  /** Accepts the pending APPEND literal; for `{n}` the session sends `+ ` now. */
  acceptAppend(): void {
    this.expectDecision();
    this.state = this.remaining === 0 ? 'append-tail' : 'append-data';
  }

  /**
   * Refuses the pending APPEND (the session answers NO). A synchronising
   * literal will not be sent by the client; a non-synchronising one is read
   * and dropped together with the rest of its line.
   */
  rejectAppend(): void {
    this.expectDecision();
    if (this.pendingSync) this.resetCommand();
    else this.state = 'discard';
  }

  private expectDecision(): void {
    if (this.state !== 'append-decision') throw new Error('no APPEND literal is waiting for a decision');
  }

  /** Returns the next event, or null when more input is needed. */
  next(): FramerEvent | null {
    if (this.state === 'append-decision') throw new Error('acceptAppend() or rejectAppend() must be called first');
    for (;;) {
      const queued = this.queue.shift();
      if (queued) return queued;
      if (this.state === 'closed' || this.isWaiting()) return null;
      const head = this.chunks[0];
      if (!head) return null;
      const ev = this.step(head);
      if (this.headOffset >= head.length) {
        this.chunks.shift();
        this.headOffset = 0;
      }
      if (ev) return ev;
    }
  }

  /** Set by finishLine through a path TypeScript's narrowing cannot follow. */
  private isWaiting(): boolean {
    return this.state === 'append-decision';
  }

  private step(head: Uint8Array): FramerEvent | null {
    switch (this.state) {
      case 'line':
      case 'append-tail':
      case 'discard-line':
        return this.scanLine(head);
      case 'literal': {
        const lit = this.literal as Buffer;
        const n = Math.min(lit.length - this.literalFilled, head.length - this.headOffset);
        lit.set(head.subarray(this.headOffset, this.headOffset + n), this.literalFilled);
        this.literalFilled += n;
        this.headOffset += n;
        if (this.literalFilled === lit.length) {
          this.literals.push(lit);
          this.literal = null;
          this.state = 'line';
        }
        return null;
      }
      case 'append-data':
      case 'discard': {
        const n = Math.min(this.remaining, head.length - this.headOffset);
        const chunk = head.subarray(this.headOffset, this.headOffset + n);
        this.headOffset += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = this.state === 'discard' ? 'discard-line' : 'append-tail';
        return this.state === 'discard' || this.state === 'discard-line' || n === 0 ? null : { kind: 'append-data', chunk };
      }
      default:
        return null;
    }
  }

  private budget(): number {
    return this.authenticatedFlag ? this.limits.maxCommandBytes : this.limits.maxCommandBytesPreAuth;
  }

  /** Copies bytes up to LF into the line buffer, within the budget; handles the completed line. */
  private scanLine(head: Uint8Array): FramerEvent | null {
    const start = this.headOffset;
    const lf = head.indexOf(LF, start);
    const end = lf < 0 ? head.length : lf;
    const n = end - start;
    this.headOffset = lf < 0 ? end : end + 1;
    if (this.state === 'discard-line') {
      if (lf >= 0) this.resetCommand();
      return null;
    }
    const used = this.state === 'append-tail' ? 0 : this.commandBytes;
    if (used + this.pendingLine.length + n + (lf < 0 ? 0 : 1) > this.budget()) return this.fatal('Command line too long');
    this.pendingLine.append(head.subarray(start, end), this.budget());
    if (lf < 0) return null;
    this.pendingLine.dropTrailingCR();
    return this.state === 'append-tail' ? this.finishAppendTail() : this.finishLine();
  }

  /** The completed line, counted against the command budget with its CRLF. */
  private takeLine(): Buffer {
    this.commandBytes += this.pendingLine.length + 2;
    return this.pendingLine.take();
  }

  private finishLine(): FramerEvent | null {
    const first = this.lines.length === 0;
    if (first) this.readTagAndName();
    const header = this.pendingLine.literalHeader();
    const line = this.takeLine();
    this.lines.push(line);
    if (!header) {
      const frame: CommandFrame = { lines: this.lines, literals: this.literals };
      this.resetCommand();
      return { kind: 'command', frame };
    }
    const { size, sync } = header;
    const nonSyncMax = this.limits.maxNonSyncLiteralBytes;
    if (!sync && nonSyncMax !== null && size > nonSyncMax) return this.fatal('Non-synchronizing literal too large');
    if (this.isAppendMessage(first, line, header.textLength)) {
      if (size > this.limits.maxAppendBytes) return this.refuse(sync, 'NO', 'TOOBIG', 'Message too large');
      this.remaining = size;
      this.pendingSync = sync;
      this.state = 'append-decision';
      return { kind: 'append', frame: { lines: this.lines, literals: this.literals }, size, synchronizing: sync };
    }
    if (this.commandBytes + size > this.budget()) return this.refuse(sync, 'BAD', 'TOOBIG', 'Literal too large');
    this.literal = Buffer.allocUnsafe(size);
    this.literalFilled = 0;
    if (size === 0) {
      this.literals.push(this.literal);
      this.literal = null;
    } else this.state = 'literal';
    return sync ? { kind: 'continue' } : null;
  }

  private finishAppendTail(): FramerEvent | null {
    const tailLen = this.pendingLine.length;
    const header = this.pendingLine.literalHeader();
    const tag = this.tag;
    this.pendingLine.clear();
    this.resetCommand();
    if (tailLen === 0) return { kind: 'append-end' };
    // MULTIAPPEND is not offered; a client sending more messages anyway gets BAD.
    if (header && !header.sync) return this.fatal('MULTIAPPEND is not supported', tag);
    return { kind: 'error', tag, status: 'BAD', code: null, message: 'Unexpected data after APPEND message', fatal: false };
  }

  private isAppendMessage(first: boolean, line: Buffer, headerLength: number): boolean {
    if (!this.authenticatedFlag || this.commandName !== 'APPEND') return false;
    // `tag APPEND {n}`: this literal is the mailbox name, not the message.
    if (!first) return true;
    const before = line.subarray(0, line.length - headerLength).toString('latin1');
    return !/^\S+ APPEND $/i.test(before);
  }

  private readTagAndName(): void {
    const parts = this.pendingLine.head().split(' ');
    this.tag = parts[0] && isTag(parts[0]) ? parts[0] : null;
    this.commandName = (parts[1] ?? '').toUpperCase();
  }

  /** A literal that will not be read: synchronising → the client waits, answer now; otherwise it is coming anyway → close. */
  private refuse(sync: boolean, status: 'BAD' | 'NO', code: string | null, message: string): FramerEvent {
    if (!sync) return this.fatal(message);
    const tag = this.tag;
    this.resetCommand();
    return { kind: 'error', tag, status, code, message, fatal: false };
  }

  private fatal(message: string, knownTag: string | null = null): FrameError {
    const tag = knownTag ?? this.tag ?? (this.lines.length === 0 ? this.peekTag() : null);
    this.state = 'closed';
    this.chunks.length = 0;
    this.pendingLine.release();
    this.lines = [];
    this.literals = [];
    this.literal = null;
    return { kind: 'error', tag, status: 'BAD', code: null, message, fatal: true };
  }

  private peekTag(): string | null {
    const text = this.pendingLine.head();
    const sp = text.indexOf(' ');
    const t = sp < 0 ? '' : text.slice(0, sp);
    return isTag(t) ? t : null;
  }

  private resetCommand(): void {
    this.state = 'line';
    this.lines = [];
    this.literals = [];
    this.literal = null;
    this.commandBytes = 0;
    this.pendingLine.clear();
    this.tag = null;
    this.commandName = '';
  }
}
