/**
 * Modified UTF-7 (RFC 3501 §5.1.3) with Dovecot's test vectors (T43), and
 * sequence-set helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMailboxArgument, decodeMailboxName, encodeMailboxName } from '../../../src/imap/protocol/mailbox-name.js';
import type { SequenceSet } from '../../../src/imap/protocol/types.js';
import { formatRanges, formatSequenceSet, mergeRanges, rangesContain, resolveSequenceSet } from '../../../src/imap/protocol/sequence-set.js';

const VALID: [string, string][] = [
  ['&-&-x&-&-', '&&x&&'],
  ['tiet&AOQ-j&AOQ-', 'tietäjä'],
  ['&-', '&'],
  ['INBOX/Sent Items', 'INBOX/Sent Items'],
  ['~peter/mail/&U,BTFw-/&ZeVnLIqe-', '~peter/mail/台北/日本語'],
  ['&2D3eAA-', '😀'],
  ['&AOQA9gD8-', 'äöü'],
  ['', ''],
];

const INVALID = ['&', '&Jjo', '&Jjo!', '&U,BTFw-&ZeVnLIqe-', '&AGE-', '&2D0-', '&3gA-', 'p\xe4\xe4', 'a\x00b', 'a\x7fb', '&AO-', '&AOR-', '&AAA-', '&AJ8-', 'x\r\ny'];

test('valid modified UTF-7 names decode, and encode back byte-identically', () => {
  for (const [wire, name] of VALID) {
    assert.equal(decodeMailboxName(wire), name, wire);
    assert.equal(encodeMailboxName(name), wire, name);
    assert.equal(decodeMailboxName(Buffer.from(wire, 'latin1')), name);
  }
});

test('invalid encodings are refused (no second spelling can alias a name)', () => {
  for (const wire of INVALID) assert.throws(() => decodeMailboxName(wire), { name: 'MailError' }, JSON.stringify(wire));
});

test('encode then decode round-trips arbitrary Unicode names', () => {
  const names = ['Entwürfe', 'Черновики', '下書き', 'a&b&&c', 'mixed 😀 & emoji/äö', '\u00a0nbsp', 'x'.repeat(300)];
  for (const n of names) assert.equal(decodeMailboxName(encodeMailboxName(n)), n);
});

test('INBOX is folded in any case, other names keep their case', () => {
  assert.equal(decodeMailboxArgument('inbox'), 'INBOX');
  assert.equal(decodeMailboxArgument('InBoX'), 'INBOX');
  assert.equal(decodeMailboxArgument('Inbox/Sub'), 'Inbox/Sub');
  assert.equal(decodeMailboxArgument('Inboxes'), 'Inboxes');
});

test('sequence sets resolve * and reversed ranges, merge, and search', () => {
  const set: SequenceSet = { kind: 'ranges', ranges: [{ start: 5, end: 3 }, { start: '*', end: '*' }, { start: 1, end: 1 }, { start: 2, end: 2 }] };
  assert.deepEqual(resolveSequenceSet(set, 10), [[1, 5], [10, 10]]);
  assert.deepEqual(resolveSequenceSet({ kind: 'ranges', ranges: [{ start: 1, end: 4294967295 }] }, 3, { clip: true }), [[1, 3]]);
  assert.deepEqual(resolveSequenceSet({ kind: 'ranges', ranges: [{ start: 20, end: '*' }] }, 3), [[3, 20]], 'n:* includes the largest UID');
  assert.deepEqual(resolveSequenceSet({ kind: 'ranges', ranges: [{ start: 1, end: '*' }] }, 0, { clip: true }), [], 'empty mailbox');
  assert.deepEqual(resolveSequenceSet({ kind: 'saved' }, 9, { saved: [[2, 4]] }), [[2, 4]]);
  assert.deepEqual(resolveSequenceSet({ kind: 'saved' }, 9), []);
  assert.deepEqual(mergeRanges([[7, 9], [1, 2], [3, 4], [8, 12]]), [[1, 4], [7, 12]]);
  const r = [[1, 4], [7, 12]] as const;
  assert.deepEqual([0, 1, 4, 5, 7, 12, 13].map((n) => rangesContain(r, n)), [false, true, true, false, true, true, false]);
  assert.equal(formatSequenceSet([1, 2, 3, 5, 7, 8]), '1:3,5,7:8');
  assert.equal(formatSequenceSet([]), '');
  assert.equal(formatRanges([[1, 3], [5, 5]]), '1:3,5');
});
