/**
 * Parser fixture table: command text → typed command. Every input is also
 * framed in chunks of every size 1..N and must give the same result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from './codec-helpers.js';
import type { ImapCommand } from '../../../src/imap/protocol/types.js';

const ALL_RANGE = { kind: 'ranges', ranges: [{ start: 1, end: '*' }] } as const;
const sel = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
const ret = { subscribed: false, children: false, specialUse: false, status: null };
const body = (part: number[], specifier: string | null, fields: string[] = [], peek = false, partial: { offset: number; length: number } | null = null) => ({
  kind: 'BODY[]',
  peek,
  section: { part, specifier, fields },
  partial,
});
const and = (...keys: unknown[]) => ({ op: 'and', keys });

export const PARSER_FIXTURES: [string, unknown][] = [
  ['a CAPABILITY\r\n', { tag: 'a', name: 'CAPABILITY' }],
  ['a1 noop\r\n', { tag: 'a1', name: 'NOOP' }],
  ['x LOGOUT\r\n', { tag: 'x', name: 'LOGOUT' }],
  ['t STARTTLS\r\n', { tag: 't', name: 'STARTTLS' }],
  ['a AUTHENTICATE PLAIN\r\n', { tag: 'a', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: null }],
  ['a AUTHENTICATE plain AGFsaWNlAHB3\r\n', { tag: 'a', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: 'AGFsaWNlAHB3' }],
  ['a AUTHENTICATE PLAIN =\r\n', { tag: 'a', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: '' }],
  ['a LOGIN alice "p w\\"x\\\\"\r\n', { tag: 'a', name: 'LOGIN', username: 'alice', password: 'p w"x\\' }],
  ['a LOGIN {5}\r\nalice {4+}\r\nx\r\ny\r\n', { tag: 'a', name: 'LOGIN', username: 'alice', password: 'x\r\ny' }],
  ['a LOGIN "j\xc3\xb6rg" pass\r\n', { tag: 'a', name: 'LOGIN', username: 'jörg', password: 'pass' }],
  ['a ID NIL\r\n', { tag: 'a', name: 'ID', params: null }],
  ['a ID ("name" "Thunderbird" "version" NIL)\r\n', { tag: 'a', name: 'ID', params: { name: 'Thunderbird', version: null } }],
  ['a ID ()\r\n', { tag: 'a', name: 'ID', params: {} }],
  ['a ENABLE CONDSTORE qresync\r\n', { tag: 'a', name: 'ENABLE', capabilities: ['CONDSTORE', 'QRESYNC'] }],
  ['a SELECT inbox\r\n', { tag: 'a', name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: null }],
  ['a EXAMINE "Sent Items"\r\n', { tag: 'a', name: 'EXAMINE', mailbox: 'Sent Items', condstore: false, qresync: null }],
  ['a SELECT INBOX (CONDSTORE)\r\n', { tag: 'a', name: 'SELECT', mailbox: 'INBOX', condstore: true, qresync: null }],
  [
    'a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n',
    {
      tag: 'a', name: 'SELECT', mailbox: 'INBOX', condstore: false,
      qresync: { uidValidity: 67890007, modseq: 20050715194045000n, knownUids: { kind: 'ranges', ranges: [{ start: 41, end: 41 }, { start: 43, end: 211 }, { start: 214, end: 541 }] }, seqMatch: null },
    },
  ],
  [
    'a EXAMINE INBOX (QRESYNC (1 2 1:5 (1:2 3:4)))\r\n',
    {
      tag: 'a', name: 'EXAMINE', mailbox: 'INBOX', condstore: false,
      qresync: {
        uidValidity: 1, modseq: 2n, knownUids: { kind: 'ranges', ranges: [{ start: 1, end: 5 }] },
        seqMatch: { seqs: { kind: 'ranges', ranges: [{ start: 1, end: 2 }] }, uids: { kind: 'ranges', ranges: [{ start: 3, end: 4 }] } },
      },
    },
  ],
  ['a SELECT INBOX (QRESYNC (1 2))\r\n', { tag: 'a', name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: { uidValidity: 1, modseq: 2n, knownUids: null, seqMatch: null } }],
  ['a CREATE tiet&AOQ-j&AOQ-\r\n', { tag: 'a', name: 'CREATE', mailbox: 'tietäjä', specialUse: [] }],
  ['a CREATE "Archive/2024" (USE (\\Archive))\r\n', { tag: 'a', name: 'CREATE', mailbox: 'Archive/2024', specialUse: ['\\Archive'] }],
  ['a DELETE "&-"\r\n', { tag: 'a', name: 'DELETE', mailbox: '&' }],
  ['a RENAME old {3}\r\nnew\r\n', { tag: 'a', name: 'RENAME', from: 'old', to: 'new' }],
  ['a SUBSCRIBE Drafts\r\n', { tag: 'a', name: 'SUBSCRIBE', mailbox: 'Drafts' }],
  ['a UNSUBSCRIBE Drafts\r\n', { tag: 'a', name: 'UNSUBSCRIBE', mailbox: 'Drafts' }],
  ['a LIST "" *\r\n', { tag: 'a', name: 'LIST', reference: '', patterns: ['*'], selection: sel, returns: ret, extended: false }],
  ['a LIST "" %/x]\r\n', { tag: 'a', name: 'LIST', reference: '', patterns: ['%/x]'], selection: sel, returns: ret, extended: false }],
  [
    'a LIST (SUBSCRIBED RECURSIVEMATCH) "" (INBOX "Sent*") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n',
    {
      tag: 'a', name: 'LIST', reference: '', patterns: ['INBOX', 'Sent*'],
      selection: { ...sel, subscribed: true, recursiveMatch: true },
      returns: { ...ret, children: true, status: ['MESSAGES', 'UNSEEN'] }, extended: true,
    },
  ],
  ['a LIST (SPECIAL-USE) "" *\r\n', { tag: 'a', name: 'LIST', reference: '', patterns: ['*'], selection: { ...sel, specialUse: true }, returns: ret, extended: true }],
  ['a LIST "" * RETURN (SPECIAL-USE SUBSCRIBED)\r\n', { tag: 'a', name: 'LIST', reference: '', patterns: ['*'], selection: sel, returns: { ...ret, specialUse: true, subscribed: true }, extended: true }],
  ['a LIST (REMOTE) "" *\r\n', { tag: 'a', name: 'LIST', reference: '', patterns: ['*'], selection: { ...sel, remote: true }, returns: ret, extended: true }],
  ['a LSUB "#news." "comp.mail.*"\r\n', { tag: 'a', name: 'LSUB', reference: '#news.', pattern: 'comp.mail.*' }],
  ['a NAMESPACE\r\n', { tag: 'a', name: 'NAMESPACE' }],
  [
    'a STATUS blurdybloop (UIDNEXT MESSAGES RECENT UIDVALIDITY UNSEEN HIGHESTMODSEQ APPENDLIMIT)\r\n',
    { tag: 'a', name: 'STATUS', mailbox: 'blurdybloop', items: ['UIDNEXT', 'MESSAGES', 'RECENT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'APPENDLIMIT'] },
  ],
  ['a IDLE\r\n', { tag: 'a', name: 'IDLE' }],
  ['a GETQUOTA ""\r\n', { tag: 'a', name: 'GETQUOTA', root: '' }],
  ['a GETQUOTAROOT INBOX\r\n', { tag: 'a', name: 'GETQUOTAROOT', mailbox: 'INBOX' }],
  ['a SETQUOTA "" (STORAGE 512)\r\n', { tag: 'a', name: 'SETQUOTA', root: '', limits: [{ resource: 'STORAGE', limit: 512n }] }],
  ['a CHECK\r\n', { tag: 'a', name: 'CHECK' }],
  ['a CLOSE\r\n', { tag: 'a', name: 'CLOSE' }],
  ['a UNSELECT\r\n', { tag: 'a', name: 'UNSELECT' }],
  ['a EXPUNGE\r\n', { tag: 'a', name: 'EXPUNGE', uids: null }],
  ['a UID EXPUNGE 3000:3002\r\n', { tag: 'a', name: 'EXPUNGE', uids: { kind: 'ranges', ranges: [{ start: 3000, end: 3002 }] } }],
  ['a SEARCH ALL\r\n', { tag: 'a', name: 'SEARCH', uid: false, charset: null, returnOptions: null, key: and({ op: 'all' }) }],
  [
    'a UID SEARCH CHARSET utf-8 FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"\r\n',
    {
      tag: 'a', name: 'SEARCH', uid: true, charset: 'UTF-8', returnOptions: null,
      key: and({ op: 'flag', flag: '\\Flagged', has: true }, { op: 'date', field: 'internal', cmp: 'since', date: '1994-02-01' }, { op: 'not', key: { op: 'header', field: 'from', value: 'Smith' } }),
    },
  ],
  [
    'a SEARCH RETURN (MIN MAX COUNT ALL SAVE) CHARSET US-ASCII OR SEEN (UNSEEN DELETED) 1:3,5 UID $\r\n',
    {
      tag: 'a', name: 'SEARCH', uid: false, charset: 'US-ASCII', returnOptions: ['MIN', 'MAX', 'COUNT', 'ALL', 'SAVE'],
      key: and(
        { op: 'or', a: { op: 'flag', flag: '\\Seen', has: true }, b: and({ op: 'flag', flag: '\\Seen', has: false }, { op: 'flag', flag: '\\Deleted', has: true }) },
        { op: 'seq', set: { kind: 'ranges', ranges: [{ start: 1, end: 3 }, { start: 5, end: 5 }] } },
        { op: 'uid', set: { kind: 'saved' } },
      ),
    },
  ],
  ['a SEARCH RETURN () ALL\r\n', { tag: 'a', name: 'SEARCH', uid: false, charset: null, returnOptions: [], key: and({ op: 'all' }) }],
  [
    'a SEARCH ANSWERED DELETED DRAFT RECENT UNANSWERED UNDELETED UNDRAFT UNFLAGGED OLD NEW KEYWORD $Junk UNKEYWORD foo\r\n',
    {
      tag: 'a', name: 'SEARCH', uid: false, charset: null, returnOptions: null,
      key: and(
        { op: 'flag', flag: '\\Answered', has: true }, { op: 'flag', flag: '\\Deleted', has: true }, { op: 'flag', flag: '\\Draft', has: true },
        { op: 'flag', flag: '\\Recent', has: true }, { op: 'flag', flag: '\\Answered', has: false }, { op: 'flag', flag: '\\Deleted', has: false },
        { op: 'flag', flag: '\\Draft', has: false }, { op: 'flag', flag: '\\Flagged', has: false }, { op: 'flag', flag: '\\Recent', has: false },
        and({ op: 'flag', flag: '\\Recent', has: true }, { op: 'flag', flag: '\\Seen', has: false }),
        { op: 'flag', flag: '$Junk', has: true }, { op: 'flag', flag: 'foo', has: false },
      ),
    },
  ],
  [
    'a SEARCH BCC b CC c TO d SUBJECT {6}\r\nh\xc3\xa9llo BODY x TEXT "y" HEADER X-Spam yes\r\n',
    {
      tag: 'a', name: 'SEARCH', uid: false, charset: null, returnOptions: null,
      key: and(
        { op: 'header', field: 'bcc', value: 'b' }, { op: 'header', field: 'cc', value: 'c' }, { op: 'header', field: 'to', value: 'd' },
        { op: 'header', field: 'subject', value: 'héllo' }, { op: 'body', value: 'x' }, { op: 'text', value: 'y' },
        { op: 'header', field: 'x-spam', value: 'yes' },
      ),
    },
  ],
  [
    'a SEARCH BEFORE "31-Dec-2023" ON 29-Feb-2024 SENTBEFORE 1-Jan-2000 SENTON 02-Mar-2001 SENTSINCE 3-apr-2002 LARGER 100 SMALLER 4294967295\r\n',
    {
      tag: 'a', name: 'SEARCH', uid: false, charset: null, returnOptions: null,
      key: and(
        { op: 'date', field: 'internal', cmp: 'before', date: '2023-12-31' }, { op: 'date', field: 'internal', cmp: 'on', date: '2024-02-29' },
        { op: 'date', field: 'sent', cmp: 'before', date: '2000-01-01' }, { op: 'date', field: 'sent', cmp: 'on', date: '2001-03-02' },
        { op: 'date', field: 'sent', cmp: 'since', date: '2002-04-03' }, { op: 'size', cmp: 'larger', size: 100 }, { op: 'size', cmp: 'smaller', size: 4294967295 },
      ),
    },
  ],
  [
    'a SEARCH MODSEQ "/flags/\\\\draft" all 620162338 MODSEQ 5\r\n',
    {
      tag: 'a', name: 'SEARCH', uid: false, charset: null, returnOptions: null,
      key: and({ op: 'modseq', modseq: 620162338n, entry: { name: '/flags/\\draft', type: 'all' } }, { op: 'modseq', modseq: 5n, entry: null }),
    },
  ],
  ['a SEARCH *\r\n', { tag: 'a', name: 'SEARCH', uid: false, charset: null, returnOptions: null, key: and({ op: 'seq', set: { kind: 'ranges', ranges: [{ start: '*', end: '*' }] } }) }],
  ['a FETCH 1:* FAST\r\n', { tag: 'a', name: 'FETCH', uid: false, set: ALL_RANGE, items: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }], changedSince: null, vanished: false }],
  ['a FETCH 1 all\r\n', { tag: 'a', name: 'FETCH', uid: false, set: { kind: 'ranges', ranges: [{ start: 1, end: 1 }] }, items: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }], changedSince: null, vanished: false }],
  ['a FETCH $ FULL\r\n', { tag: 'a', name: 'FETCH', uid: false, set: { kind: 'saved' }, items: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }, { kind: 'BODY' }], changedSince: null, vanished: false }],
  ['a FETCH *:4 BODYSTRUCTURE\r\n', { tag: 'a', name: 'FETCH', uid: false, set: { kind: 'ranges', ranges: [{ start: '*', end: 4 }] }, items: [{ kind: 'BODYSTRUCTURE' }], changedSince: null, vanished: false }],
  [
    'a FETCH 2 (UID FLAGS ENVELOPE RFC822 RFC822.HEADER RFC822.TEXT RFC822.SIZE INTERNALDATE BODY MODSEQ)\r\n',
    {
      tag: 'a', name: 'FETCH', uid: false, set: { kind: 'ranges', ranges: [{ start: 2, end: 2 }] },
      items: ['UID', 'FLAGS', 'ENVELOPE', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT', 'RFC822.SIZE', 'INTERNALDATE', 'BODY', 'MODSEQ'].map((kind) => ({ kind })),
      changedSince: null, vanished: false,
    },
  ],
  [
    'a FETCH 1 (BODY[] BODY.PEEK[1.2.HEADER] body[TEXT]<0.100> BODY[1.MIME] BODY[HEADER.FIELDS (Subject "From")] BODY.PEEK[2.HEADER.FIELDS.NOT (X-Y)]<5.10> BODY[3])\r\n',
    {
      tag: 'a', name: 'FETCH', uid: false, set: { kind: 'ranges', ranges: [{ start: 1, end: 1 }] },
      items: [
        body([], null), body([1, 2], 'HEADER', [], true), body([], 'TEXT', [], false, { offset: 0, length: 100 }), body([1], 'MIME'),
        body([], 'HEADER.FIELDS', ['SUBJECT', 'FROM']), body([2], 'HEADER.FIELDS.NOT', ['X-Y'], true, { offset: 5, length: 10 }), body([3], null),
      ],
      changedSince: null, vanished: false,
    },
  ],
  ['a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n', { tag: 'a', name: 'FETCH', uid: true, set: ALL_RANGE, items: [{ kind: 'FLAGS' }], changedSince: 12345n, vanished: true }],
  ['a FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n', { tag: 'a', name: 'FETCH', uid: false, set: { kind: 'ranges', ranges: [{ start: 1, end: 1 }] }, items: [{ kind: 'FLAGS' }], changedSince: 0n, vanished: false }],
  ['a STORE 2:4 +FLAGS (\\deleted)\r\n', { tag: 'a', name: 'STORE', uid: false, set: { kind: 'ranges', ranges: [{ start: 2, end: 4 }] }, action: 'add', silent: false, flags: ['\\Deleted'], unchangedSince: null }],
  ['a STORE 1 -FLAGS.SILENT \\Seen $Label1\r\n', { tag: 'a', name: 'STORE', uid: false, set: { kind: 'ranges', ranges: [{ start: 1, end: 1 }] }, action: 'remove', silent: true, flags: ['\\Seen', '$Label1'], unchangedSince: null }],
  ['a UID STORE 7 (UNCHANGEDSINCE 320162338) FLAGS ()\r\n', { tag: 'a', name: 'STORE', uid: true, set: { kind: 'ranges', ranges: [{ start: 7, end: 7 }] }, action: 'replace', silent: false, flags: [], unchangedSince: 320162338n }],
  ['a COPY 2:4 MEETING\r\n', { tag: 'a', name: 'COPY', uid: false, set: { kind: 'ranges', ranges: [{ start: 2, end: 4 }] }, mailbox: 'MEETING' }],
  ['a UID COPY 1,3 "Trash"\r\n', { tag: 'a', name: 'COPY', uid: true, set: { kind: 'ranges', ranges: [{ start: 1, end: 1 }, { start: 3, end: 3 }] }, mailbox: 'Trash' }],
  ['a MOVE 1 InBoX\r\n', { tag: 'a', name: 'MOVE', uid: false, set: { kind: 'ranges', ranges: [{ start: 1, end: 1 }] }, mailbox: 'INBOX' }],
  ['a UID MOVE 4294967295 Archive\r\n', { tag: 'a', name: 'MOVE', uid: true, set: { kind: 'ranges', ranges: [{ start: 4294967295, end: 4294967295 }] }, mailbox: 'Archive' }],
];

test('parser fixtures: every command and option gives the expected typed value', () => {
  for (const [input, expected] of PARSER_FIXTURES) {
    const result = parseText(input);
    assert.ok(result.ok, `${JSON.stringify(input)}: ${result.ok ? '' : result.error.message}`);
    assert.deepEqual(result.command, expected as ImapCommand, JSON.stringify(input));
  }
});

test('parser fixtures give the same result when framed in chunks of every size', () => {
  for (const [input, expected] of PARSER_FIXTURES) {
    for (let size = 1; size <= input.length; size++) {
      const result = parseText(input, undefined, size);
      assert.ok(result.ok, `${JSON.stringify(input)} @${size}`);
      assert.deepEqual(result.command, expected as ImapCommand, `${JSON.stringify(input)} @${size}`);
    }
  }
});

test('every command name of the union appears in the fixture table', () => {
  const names = new Set(PARSER_FIXTURES.map(([, c]) => (c as ImapCommand).name));
  const all: ImapCommand['name'][] = [
    'CAPABILITY', 'NOOP', 'LOGOUT', 'ID', 'STARTTLS', 'AUTHENTICATE', 'LOGIN', 'ENABLE', 'SELECT', 'EXAMINE', 'CREATE', 'DELETE', 'RENAME',
    'SUBSCRIBE', 'UNSUBSCRIBE', 'LIST', 'LSUB', 'NAMESPACE', 'STATUS', 'IDLE', 'GETQUOTA', 'GETQUOTAROOT', 'SETQUOTA', 'CHECK', 'CLOSE',
    'UNSELECT', 'EXPUNGE', 'SEARCH', 'FETCH', 'STORE', 'COPY', 'MOVE',
  ];
  for (const n of all) assert.ok(names.has(n), n);
});
