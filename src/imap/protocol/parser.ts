/**
 * Command parser: one complete frame (framer.ts) → a typed ImapCommand or a
 * typed refusal. It is not resumable and does not need to be: the framer
 * only hands over whole commands (the split-anywhere property lives there).
 * Grammar: RFC 3501 §9 and the extension RFCs named in types.ts.
 *
 * The parser checks syntax only; whether a command is allowed in the
 * session's state, and every semantic check, is the session's job.
 */
import { CommandReader, ParseFailure, bad, utf8String } from './command-reader.js';
import type { CommandFrame } from './framer-events.js';
import { isTag } from './framer-line.js';
import {
  DEFAULT_PARSER_OPTIONS,
  mailboxFromBytes,
  readDateTime,
  readFlagList,
  readList,
  readMailbox,
  readSequenceSet,
  type ParserOptions,
} from './parse-common.js';
import { readFetch, readStore } from './parse-fetch.js';
import { readSearch } from './parse-search.js';
import { readListCommand, readSelectParams, readStatusItem } from './parse-mailbox.js';
import type { AppendCommand, ImapCommand, ParseResult } from './types.js';

const NO_ARGS = new Set(['CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'CHECK', 'CLOSE', 'UNSELECT', 'NAMESPACE', 'IDLE'] as const);
type NoArgName = typeof NO_ARGS extends Set<infer T> ? T : never;

/**
 * Parses one command. Never throws on client input: every problem comes back
 * as `{ ok: false, error }` with the tag when one could be read (BAD for
 * syntax, NO for a well-formed request the server refuses, e.g. an
 * unsupported CHARSET or an invalid modified UTF-7 name).
 */
export function parseCommand(frame: CommandFrame, opts: ParserOptions = DEFAULT_PARSER_OPTIONS): ParseResult {
  const r = new CommandReader(frame);
  let tag: string | null = null;
  try {
    tag = readTag(r);
    r.sp();
    return { ok: true, command: readCommand(r, tag, opts) };
  } catch (err) {
    return failure(err, tag);
  }
}

/**
 * Parses the part of an APPEND before its message literal (the `append`
 * event of the framer): `tag APPEND mailbox [SP flag-list] [SP date-time] SP {n}`.
 * `size`/`synchronizing` are the literal's, from the event.
 */
export function parseAppendPrefix(frame: CommandFrame, size: number, synchronizing: boolean): ParseResult {
  const r = new CommandReader(frame);
  let tag: string | null = null;
  try {
    tag = readTag(r);
    r.sp();
    if (r.keyword() !== 'APPEND') bad('Not an APPEND command');
    r.sp();
    const mailbox = readMailbox(r);
    r.sp();
    let flags: string[] = [];
    let date: Date | null = null;
    if (r.peek() === 0x28) {
      flags = readFlagList(r);
      r.sp();
    }
    if (r.peek() === 0x22) {
      date = readDateTime(r);
      r.sp();
    }
    const spec = r.rest();
    if (!/^\{\d+\+?\}$/.test(spec) || !r.atEnd()) bad('Expected the message literal');
    const command: AppendCommand = { tag, name: 'APPEND', mailbox, flags, date, size, synchronizing };
    return { ok: true, command };
  } catch (err) {
    return failure(err, tag);
  }
}

/** The tag of a frame when it has a valid one (for answering a frame that cannot be parsed). */
export function frameTag(frame: CommandFrame): string | null {
  const line = frame.lines[0];
  if (!line) return null;
  const sp = line.indexOf(0x20);
  const t = line.toString('latin1', 0, sp < 0 ? Math.min(line.length, 100) : sp);
  return isTag(t) ? t : null;
}

function readTag(r: CommandReader): string {
  const t = r.atom();
  if (!isTag(t)) bad('Invalid tag');
  return t;
}

function failure(err: unknown, tag: string | null): ParseResult {
  if (err instanceof ParseFailure) {
    return { ok: false, error: { tag, status: err.status, code: err.code, codeArgs: err.codeArgs, message: err.message } };
  }
  if (err instanceof RangeError) {
    // Defensive: no input should get here (depths are bounded), but a stack overflow must never escape.
    return { ok: false, error: { tag, status: 'BAD', code: null, codeArgs: [], message: 'Command too complex' } };
  }
  throw err;
}

function readCommand(r: CommandReader, tag: string, opts: ParserOptions): ImapCommand {
  const name = r.keyword();
  if (NO_ARGS.has(name as NoArgName)) {
    r.end();
    return { tag, name: name as NoArgName };
  }
  switch (name) {
    case 'UID':
      return readUidCommand(r, tag, opts);
    case 'EXPUNGE':
      r.end();
      return { tag, name: 'EXPUNGE', uids: null };
    case 'AUTHENTICATE': {
      r.sp();
      const mechanism = r.keyword();
      let initialResponse: string | null = null;
      if (r.acceptSp()) {
        const ir = r.rest();
        if (ir === '=') initialResponse = '';
        else if (/^[A-Za-z0-9+/]+={0,2}$/.test(ir)) initialResponse = ir;
        else bad('Invalid initial response');
      }
      r.end();
      return { tag, name: 'AUTHENTICATE', mechanism, initialResponse };
    }
    case 'LOGIN': {
      r.sp();
      const username = utf8String(r.astring(), 'user name');
      r.sp();
      const password = utf8String(r.astring(), 'password');
      r.end();
      return { tag, name: 'LOGIN', username, password };
    }
    case 'ID':
      return readId(r, tag);
    case 'ENABLE': {
      const capabilities: string[] = [];
      r.sp();
      do capabilities.push(r.keyword());
      while (r.acceptSp());
      r.end();
      return { tag, name: 'ENABLE', capabilities };
    }
    case 'SELECT':
    case 'EXAMINE': {
      r.sp();
      const mailbox = readMailbox(r);
      const params = r.acceptSp() ? readSelectParams(r) : { condstore: false, qresync: null };
      r.end();
      return { tag, name, mailbox, ...params };
    }
    case 'CREATE': {
      r.sp();
      const mailbox = readMailbox(r);
      const specialUse: string[] = [];
      if (r.acceptSp()) {
        readList(r, () => {
          if (r.keyword() !== 'USE') bad('Unknown CREATE parameter');
          r.sp();
          specialUse.push(...readList(r, () => (r.expect(0x5c, '\\'), '\\' + r.atom()), true));
        });
      }
      r.end();
      return { tag, name: 'CREATE', mailbox, specialUse };
    }
    case 'DELETE':
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      r.sp();
      const mailbox = readMailbox(r);
      r.end();
      return { tag, name, mailbox };
    }
    case 'RENAME': {
      r.sp();
      const from = readMailbox(r);
      r.sp();
      const to = readMailbox(r);
      r.end();
      return { tag, name: 'RENAME', from, to };
    }
    case 'LIST':
      return readListCommand(r, tag);
    case 'LSUB': {
      r.sp();
      const reference = mailboxFromBytes(r.astring());
      r.sp();
      const pattern = mailboxFromBytes(r.listMailbox());
      r.end();
      return { tag, name: 'LSUB', reference, pattern };
    }
    case 'STATUS': {
      r.sp();
      const mailbox = readMailbox(r);
      r.sp();
      const items = readList(r, () => readStatusItem(r));
      r.end();
      return { tag, name: 'STATUS', mailbox, items };
    }
    case 'APPEND':
      return bad('APPEND needs a message literal');
    case 'GETQUOTA':
    case 'GETQUOTAROOT': {
      r.sp();
      const arg = r.astring();
      r.end();
      return name === 'GETQUOTA' ? { tag, name, root: utf8String(arg, 'quota root') } : { tag, name, mailbox: mailboxFromBytes(arg) };
    }
    case 'SETQUOTA': {
      r.sp();
      const root = utf8String(r.astring(), 'quota root');
      r.sp();
      const limits = readList(
        r,
        () => {
          const resource = r.keyword();
          r.sp();
          return { resource, limit: r.modseq(true) };
        },
        true,
      );
      r.end();
      return { tag, name: 'SETQUOTA', root, limits };
    }
    default:
      return readSelectedCommand(r, tag, name, false, opts);
  }
}

function readUidCommand(r: CommandReader, tag: string, opts: ParserOptions): ImapCommand {
  r.sp();
  const name = r.keyword();
  if (name === 'EXPUNGE') {
    r.sp();
    const uids = readSequenceSet(r);
    r.end();
    return { tag, name: 'EXPUNGE', uids };
  }
  if (!['FETCH', 'SEARCH', 'STORE', 'COPY', 'MOVE'].includes(name)) bad('Unknown UID command');
  return readSelectedCommand(r, tag, name, true, opts);
}

function readSelectedCommand(r: CommandReader, tag: string, name: string, uid: boolean, opts: ParserOptions): ImapCommand {
  switch (name) {
    case 'FETCH':
      return readFetch(r, tag, uid, opts);
    case 'STORE':
      return readStore(r, tag, uid);
    case 'SEARCH':
      return readSearch(r, tag, uid, opts);
    case 'COPY':
    case 'MOVE': {
      r.sp();
      const set = readSequenceSet(r);
      r.sp();
      const mailbox = readMailbox(r);
      r.end();
      return { tag, name, uid, set, mailbox };
    }
    default:
      return bad('Unknown command');
  }
}

/** RFC 2971: ID ( "(" field SP value *(SP field SP value) ")" / NIL ); at most 30 pairs. */
function readId(r: CommandReader, tag: string): ImapCommand {
  r.sp();
  if (r.peek() !== 0x28) {
    if (r.keyword() !== 'NIL') bad('Expected ( or NIL');
    r.end();
    return { tag, name: 'ID', params: null };
  }
  const params: Record<string, string | null> = {};
  let count = 0;
  r.expect(0x28, '(');
  if (!r.accept(0x29)) {
    do {
      const field = utf8String(r.string(), 'ID field').toLowerCase();
      r.sp();
      const value = r.nstring();
      if (++count > 30 || field.length > 30 || (value && value.length > 1024)) bad('ID parameters too long');
      // A field named like an Object.prototype member must not change the record's prototype.
      if (field !== '__proto__') params[field] = value ? utf8String(value, 'ID value') : null;
    } while (r.acceptSp());
    r.expect(0x29, ')');
  }
  r.end();
  return { tag, name: 'ID', params };
}
