/**
 * Response encoder tables: string forms, lists, status lines, response
 * codes, FETCH/ESEARCH/LIST/STATUS builders, deferred literals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  astring,
  atom,
  continuation,
  deferredLiteral,
  encodeValues,
  literal,
  taggedResponse,
  untagged,
  untaggedStatus,
  type ImapValue,
} from '../../../src/imap/protocol/encoder.js';
import {
  esearchResponse,
  fetchItemName,
  fetchResponse,
  listResponse,
  quotaResponse,
  quotaRootResponse,
  searchResponse,
  simple,
  statusResponse,
  vanishedResponse,
} from '../../../src/imap/protocol/response-builders.js';
import { parseText } from './codec-helpers.js';

const VALUES: [ImapValue, string][] = [
  [null, 'NIL'],
  [0, '0'],
  [4294967295, '4294967295'],
  [9223372036854775807n, '9223372036854775807'],
  ['', '""'],
  ['hello world', '"hello world"'],
  ['say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
  ['héllo', '{6}\r\nh\xc3\xa9llo'],
  ['a\r\nb', '{4}\r\na\r\nb'],
  ['nul\x00', '{4}\r\nnul\x00'],
  [Buffer.from([0x41, 0xff]), '{2}\r\nA\xff'],
  ['x'.repeat(1025), '{1025}\r\n' + 'x'.repeat(1025)],
  ['x'.repeat(1024), '"' + 'x'.repeat(1024) + '"'],
  [atom('\\Seen'), '\\Seen'],
  [literal('abc'), '{3}\r\nabc'],
  [[], '()'],
  [[atom('A'), ['b', null, [1]]], '(A ("b" NIL (1)))'],
  [astring('INBOX'), 'INBOX'],
  [astring('Sent Items'), '"Sent Items"'],
  [astring('nil'), '"nil"'],
  [astring('a]b'), 'a]b'],
  [astring('a%b'), '"a%b"'],
  [astring(''), '""'],
];

test('values choose atom, quoted or literal form', () => {
  for (const [v, wire] of VALUES) assert.equal(encodeValues([v]).toString('latin1'), wire, JSON.stringify(wire));
});

test('status lines, codes and continuation', () => {
  assert.equal(taggedResponse('a1', 'OK', 'LOGIN completed').toString(), 'a1 OK LOGIN completed\r\n');
  assert.equal(taggedResponse('a', 'NO', 'Too big', { name: 'TOOBIG' }).toString(), 'a NO [TOOBIG] Too big\r\n');
  assert.equal(
    taggedResponse('a', 'OK', 'Done', { name: 'COPYUID', args: [38505, atom('304,319:320'), atom('3956:3958')] }).toString(),
    'a OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n',
  );
  assert.equal(untaggedStatus('OK', 'Flags', { name: 'PERMANENTFLAGS', args: [[atom('\\Seen'), atom('\\*')]] }).toString(), '* OK [PERMANENTFLAGS (\\Seen \\*)] Flags\r\n');
  assert.equal(untaggedStatus('NO', 'x', { name: 'BADCHARSET', args: [['UTF-8', 'US-ASCII']] }).toString(), '* NO [BADCHARSET ("UTF-8" "US-ASCII")] x\r\n');
  assert.equal(untaggedStatus('BYE', 'line\r\ninjected').toString(), '* BYE line  injected\r\n', 'text cannot break the line');
  assert.equal(continuation().toString(), '+ Ready\r\n');
  assert.equal(continuation('').toString(), '+ \r\n');
  assert.equal(untagged([3, atom('EXISTS')]).toString(), '* 3 EXISTS\r\n');
  assert.throws(() => untagged([deferredLiteral(3, null)]), TypeError);
});

test('FETCH responses: item names and deferred literals', () => {
  const items = parseText('a FETCH 1 (BODY.PEEK[1.2.HEADER.FIELDS (Subject From)]<10.20> BODY[] RFC822.SIZE BODY[2.MIME])\r\n');
  assert.ok(items.ok && items.command.name === 'FETCH');
  assert.deepEqual(items.command.items.map(fetchItemName), ['BODY[1.2.HEADER.FIELDS (SUBJECT FROM)]<10>', 'BODY[]', 'RFC822.SIZE', 'BODY[2.MIME]']);
  const source = { blob: 'x' };
  const parts = fetchResponse(12, [
    ['UID', 99],
    ['FLAGS', [atom('\\Seen'), atom('$Work')]],
    ['BODY[]', deferredLiteral(5, source)],
    ['MODSEQ', [12345n]],
  ]);
  assert.equal(parts.length, 3);
  assert.equal(parts[0]?.toString(), '* 12 FETCH (UID 99 FLAGS (\\Seen $Work) BODY[] {5}\r\n');
  assert.deepEqual(parts[1], { deferredSize: 5, source });
  assert.equal(parts[2]?.toString(), ' MODSEQ (12345))\r\n');
});

test('SEARCH and ESEARCH responses (RFC 4731 §3.1)', () => {
  assert.equal(searchResponse([2, 3, 6]).toString(), '* SEARCH 2 3 6\r\n');
  assert.equal(searchResponse([]).toString(), '* SEARCH\r\n');
  assert.equal(searchResponse([1], 917162500n).toString(), '* SEARCH 1 (MODSEQ 917162500)\r\n');
  const r = { min: 2, max: 47, count: 4, all: [[2, 10], [47, 47]] as const };
  assert.equal(esearchResponse('A282', false, ['MIN', 'COUNT'], r).toString(), '* ESEARCH (TAG "A282") MIN 2 COUNT 4\r\n');
  assert.equal(esearchResponse('A283', true, [], r).toString(), '* ESEARCH (TAG "A283") UID ALL 2:10,47\r\n');
  assert.equal(esearchResponse('A284', false, ['MIN', 'MAX', 'ALL', 'COUNT'], { count: 0 }).toString(), '* ESEARCH (TAG "A284") COUNT 0\r\n');
});

test('LIST, STATUS, VANISHED, QUOTA and simple responses', () => {
  assert.equal(listResponse({ name: 'INBOX', attributes: ['\\HasNoChildren'], delimiter: '/' }).toString(), '* LIST (\\HasNoChildren) "/" INBOX\r\n');
  assert.equal(listResponse({ name: 'tietäjä', attributes: [], delimiter: '/' }, 'LSUB').toString(), '* LSUB () "/" tiet&AOQ-j&AOQ-\r\n');
  assert.equal(
    listResponse({ name: 'Foo Bar', attributes: ['\\Subscribed'], delimiter: '/', extended: [['CHILDINFO', ['SUBSCRIBED']]] }).toString(),
    '* LIST (\\Subscribed) "/" "Foo Bar" ("CHILDINFO" ("SUBSCRIBED"))\r\n',
  );
  assert.equal(statusResponse('Sent', [['MESSAGES', 231], ['UIDNEXT', 44292], ['HIGHESTMODSEQ', 7011231777n]]).toString(), '* STATUS Sent (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n');
  assert.equal(vanishedResponse([[41, 41], [43, 116]], true).toString(), '* VANISHED (EARLIER) 41,43:116\r\n');
  assert.equal(vanishedResponse([], false).length, 0);
  assert.equal(quotaResponse('', [{ name: 'STORAGE', usage: 10, limit: 512 }]).toString(), '* QUOTA "" (STORAGE 10 512)\r\n');
  assert.equal(quotaRootResponse('INBOX', ['']).toString(), '* QUOTAROOT INBOX ""\r\n');
  assert.equal(simple.exists(23).toString(), '* 23 EXISTS\r\n');
  assert.equal(simple.expunge(3).toString(), '* 3 EXPUNGE\r\n');
  assert.equal(simple.flags(['\\Seen', '\\Deleted']).toString(), '* FLAGS (\\Seen \\Deleted)\r\n');
  assert.equal(simple.capability(['IMAP4rev1', 'LITERAL+']).toString(), '* CAPABILITY IMAP4rev1 LITERAL+\r\n');
  assert.equal(simple.enabled(['CONDSTORE']).toString(), '* ENABLED CONDSTORE\r\n');
  assert.equal(simple.id({ name: 'Letterbox' }).toString(), '* ID ("name" "Letterbox")\r\n');
  assert.equal(simple.id(null).toString(), '* ID NIL\r\n');
  assert.equal(simple.namespace('/').toString(), '* NAMESPACE (("" "/")) NIL NIL\r\n');
});
