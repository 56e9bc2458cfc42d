/**
 * Test helpers for the IMAP codec: feed input through a framer in chunks of
 * a given size and normalise the events so runs with different splits can be
 * compared (APPEND data chunks are joined).
 */
import { CommandFramer } from '../../../src/imap/protocol/framer.js';
import type { FramerLimits } from '../../../src/imap/protocol/framer-events.js';
import { parseCommand } from '../../../src/imap/protocol/parser.js';
import type { ParserOptions } from '../../../src/imap/protocol/parse-common.js';
import type { ParseResult } from '../../../src/imap/protocol/types.js';

export type NormalEvent =
  | { kind: 'command'; lines: string[]; literals: string[] }
  | { kind: 'continue' }
  | { kind: 'append'; lines: string[]; literals: string[]; size: number; synchronizing: boolean }
  | { kind: 'append-data'; data: string }
  | { kind: 'append-end' }
  | { kind: 'error'; tag: string | null; status: string; code: string | null; fatal: boolean };

export interface FeedOptions {
  limits?: Partial<FramerLimits>;
  authenticated?: boolean;
  /** Decision for APPEND literals; default accept. */
  appendDecision?: (size: number) => boolean;
}

/** Feeds `input` in chunks of `chunkSize` bytes (0 = all at once) and returns the normalised events. */
export function feed(input: Buffer | string, chunkSize: number, opts: FeedOptions = {}): NormalEvent[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const framer = new CommandFramer(opts.limits);
  framer.setAuthenticated(opts.authenticated ?? true);
  const events: NormalEvent[] = [];
  const step = chunkSize <= 0 ? bytes.length || 1 : chunkSize;
  for (let i = 0; i < bytes.length; i += step) {
    // Copy each chunk so the framer cannot rely on the test's buffer staying put.
    framer.push(Buffer.from(bytes.subarray(i, i + step)));
    for (let ev = framer.next(); ev; ev = framer.next()) {
      switch (ev.kind) {
        case 'command':
          events.push({ kind: 'command', lines: ev.frame.lines.map(latin1), literals: ev.frame.literals.map(latin1) });
          break;
        case 'append': {
          events.push({ kind: 'append', lines: ev.frame.lines.map(latin1), literals: ev.frame.literals.map(latin1), size: ev.size, synchronizing: ev.synchronizing });
          if ((opts.appendDecision ?? (() => true))(ev.size)) framer.acceptAppend();
          else framer.rejectAppend();
          break;
        }
        case 'append-data': {
          const last = events[events.length - 1];
          const data = Buffer.from(ev.chunk).toString('latin1');
          if (last?.kind === 'append-data') last.data += data;
          else events.push({ kind: 'append-data', data });
          break;
        }
        case 'error':
          events.push({ kind: 'error', tag: ev.tag, status: ev.status, code: ev.code, fatal: ev.fatal });
          break;
        default:
          events.push({ kind: ev.kind });
      }
    }
  }
  return events;
}

function latin1(b: Buffer): string {
  return b.toString('latin1');
}

/** Frames one command (whole input) and parses it; fails when the input is not exactly one command. */
export function parseText(input: string, opts?: ParserOptions, chunkSize = 0): ParseResult {
  const framer = new CommandFramer();
  framer.setAuthenticated(true);
  const bytes = Buffer.from(input, 'latin1');
  const step = chunkSize <= 0 ? bytes.length : chunkSize;
  const results: ParseResult[] = [];
  for (let i = 0; i < bytes.length; i += step) {
    framer.push(bytes.subarray(i, i + step));
    for (let ev = framer.next(); ev; ev = framer.next()) {
      if (ev.kind === 'command') results.push(parseCommand(ev.frame, opts));
      else if (ev.kind !== 'continue') throw new Error(`unexpected framer event ${ev.kind}`);
    }
  }
  if (results.length !== 1) throw new Error(`expected one command, got ${results.length}`);
  return results[0] as ParseResult;
}
