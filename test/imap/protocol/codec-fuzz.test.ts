/**
 * Deterministic fuzzing of framer + parser with token soup: nothing throws,
 * every refusal is well-formed, and memory stays within the command budget.
 * (mox and Dovecot fuzz their IMAP parsers the same way; security-cases A.2.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandFramer } from '../../../src/imap/protocol/framer.js';
import { parseAppendPrefix, parseCommand } from '../../../src/imap/protocol/parser.js';
import { DEFAULT_PARSER_OPTIONS, PRE_AUTH_PARSER_OPTIONS } from '../../../src/imap/protocol/parse-common.js';

const TOKENS = [
  'a', 'b1', ' ', ' ', ' ', 'UID', 'FETCH', 'SEARCH', 'STORE', 'APPEND', 'LIST', 'SELECT', 'LOGIN', 'ID', 'STATUS', 'NOOP',
  'ENABLE', 'AUTHENTICATE', 'COPY', 'MOVE', 'EXPUNGE', 'CREATE', '(', ')', '((', '{3}\r\n', '{0}\r\n', '{2+}\r\n', '{99999999}\r\n',
  '"', '\\', '"q"', '1:*', '*', '$', '0', '4294967296', '1,2', 'BODY[', 'BODY.PEEK[', ']', '<1.2>', 'HEADER.FIELDS', 'MIME', 'TEXT',
  'NOT', 'OR', 'ALL', 'CHARSET', 'UTF-8', 'RETURN', 'CHANGEDSINCE', 'VANISHED', 'QRESYNC', 'CONDSTORE', '+FLAGS', '\\Seen', 'NIL',
  '\r\n', '\r\n', '\n', '\r', '\x00', '\xff', '&', '&Jjo-', '-', '%', '"01-Jan-2020 00:00:00 +0000"', '1-Jan-2020', 'INBOX',
];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('random token soup never makes the framer or parser throw', () => {
  const rand = prng(12345);
  let commands = 0;
  for (let round = 0; round < 600; round++) {
    const authenticated = round % 2 === 0;
    const framer = new CommandFramer();
    framer.setAuthenticated(authenticated);
    const opts = authenticated ? DEFAULT_PARSER_OPTIONS : PRE_AUTH_PARSER_OPTIONS;
    let input = '';
    const n = 5 + Math.floor(rand() * 60);
    for (let i = 0; i < n; i++) input += TOKENS[Math.floor(rand() * TOKENS.length)];
    input += '\r\n';
    const bytes = Buffer.from(input, 'latin1');
    const step = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < bytes.length; i += step) {
      framer.push(bytes.subarray(i, i + step));
      for (;;) {
        const ev = framer.next();
        if (!ev) break;
        if (ev.kind === 'command') {
          commands++;
          const r = parseCommand(ev.frame, opts);
          if (!r.ok) assert.ok(!/[\r\n]/.test(r.error.message) && (r.error.status === 'BAD' || r.error.status === 'NO'));
        } else if (ev.kind === 'append') {
          parseAppendPrefix(ev.frame, ev.size, ev.synchronizing);
          if (rand() < 0.5) framer.acceptAppend();
          else framer.rejectAppend();
        }
      }
      assert.ok(framer.bufferedBytes() <= 65536 + 16, 'bounded');
    }
  }
  assert.ok(commands > 300, `${commands} commands parsed`);
});
