// Raw-protocol coverage of the commands and extensions clients lean on: CAPABILITY after login, ID, ENABLE,
// CONDSTORE/QRESYNC, ESEARCH/SEARCHRES, FETCH sections, STORE forms, COPYUID/APPENDUID, CLOSE/UNSELECT,
// EXAMINE, QUOTA, STATUS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

const ALICE = 'alice@example.com';

const MULTIPART = [
  'From: "Ann Example" <ann@example.org>',
  'To: alice@example.com',
  'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from the lake',
  'Date: Tue, 2 Jan 2024 10:00:00 +0100',
  'Message-ID: <mp1@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Sch=C3=B6ne Gr=C3=BC=C3=9Fe vom See',
  '--b1',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('K\xe4se und Brot\r\n', 'latin1').toString('base64'),
  '--b1--',
  '',
].join('\r\n');

async function session(h: ImapHarness): Promise<RawImap> {
  const c = await RawImap.openTls(h.tlsPort, h.caPem);
  await c.greeting();
  assert.equal((await c.login(ALICE, PASSWORD)).status, 'OK');
  return c;
}

describe('imap extensions and FETCH details', () => {
  let h: ImapHarness;
  before(async () => {
    h = await startImapHarness();
    await h.addUser(ALICE);
    await h.deliver(ALICE, 'Subject: one\r\nFrom: a@example.org\r\n\r\nfirst body\r\n');
    await h.deliver(ALICE, MULTIPART);
    await h.deliver(ALICE, 'Subject: three\r\nFrom: c@example.org\r\n\r\nthird\r\n', 'INBOX', ['\\Seen']);
  });
  after(() => h.close());

  it('lists every extension after login, and never IMAP4rev2', async () => {
    const c = await session(h);
    const caps = (await c.command('CAPABILITY')).untagged[0]!;
    for (const cap of ['IMAP4rev1', 'IDLE', 'UIDPLUS', 'MOVE', 'SPECIAL-USE', 'NAMESPACE', 'ID', 'ENABLE', 'LITERAL+', 'UNSELECT', 'CHILDREN', 'LIST-EXTENDED', 'LIST-STATUS', 'ESEARCH', 'CONDSTORE', 'QRESYNC', 'QUOTA', 'APPENDLIMIT=26214400', 'SASL-IR']) {
      assert.ok(caps.split(' ').includes(cap), `${cap} missing in ${caps}`);
    }
    assert.ok(!caps.includes('IMAP4rev2'));
    assert.match((await c.command('ID ("name" "test")')).untagged[0]!, /^\* ID \("name" "Letterbox"/);
    assert.deepEqual((await c.command('ENABLE CONDSTORE X-UNKNOWN')).untagged, ['* ENABLED CONDSTORE']);
    c.close();
  });

  it('fetches sections, partials, headers, BODYSTRUCTURE and sets \\Seen only without PEEK', async () => {
    const c = await session(h);
    await c.command('SELECT INBOX');
    const hdr = await c.command('FETCH 2 (BODY.PEEK[HEADER.FIELDS (Subject From)])');
    const fields = 'From: "Ann Example" <ann@example.org>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from the lake\r\n\r\n';
    assert.equal(hdr.untagged[0], `* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {${fields.length}}\r\n${fields})`);
    const part = await c.command('FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[1]<0.4> BODY.PEEK[9])');
    assert.ok(part.untagged[0]!.includes('BODY[1] {35}\r\nSch=C3=B6ne Gr=C3=BC=C3=9Fe vom See'), part.untagged[0]);
    assert.ok(part.untagged[0]!.includes('BODY[2.MIME] {'), part.untagged[0]);
    assert.ok(part.untagged[0]!.includes('BODY[1]<0> {4}\r\nSch='), part.untagged[0]);
    assert.ok(part.untagged[0]!.includes('BODY[9] NIL'), part.untagged[0]);
    const bs = await c.command('FETCH 2 (BODYSTRUCTURE ENVELOPE RFC822.SIZE INTERNALDATE)');
    assert.match(bs.untagged[0]!, /BODYSTRUCTURE \(\("text" "plain" \("charset" "utf-8"\) NIL NIL "quoted-printable" 35 1/i);
    assert.match(bs.untagged[0]!, /ENVELOPE \("Tue, 2 Jan 2024 10:00:00 \+0100" "=\?UTF-8\?Q\?Gr=C3=BC=C3=9Fe\?= from the lake" \(\("Ann Example" NIL "ann" "example.org"\)\)/);
    assert.deepEqual((await c.command('FETCH 1:3 (FLAGS)')).untagged, ['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Recent))', '* 3 FETCH (FLAGS (\\Seen \\Recent))']);
    const full = await c.command('FETCH 1 (RFC822.HEADER RFC822.TEXT)');
    assert.ok(full.untagged[0]!.includes('RFC822.TEXT {12}\r\nfirst body\r\n'));
    assert.ok(full.untagged[0]!.includes('FLAGS (\\Seen \\Recent)'), full.untagged[0]);
    const uid = await c.command('UID FETCH 2 (BODY[TEXT]<0.10>)');
    assert.match(uid.untagged[0]!, /^\* 2 FETCH \(UID 2 BODY\[TEXT\]<0> \{10\}\r\n--b1\r\nCont FLAGS \(\\Seen \\Recent\)\)$/);
    c.close();
  });

  it('searches decoded headers and bodies, dates, sizes, flags, and returns ESEARCH and saved results', async () => {
    const c = await session(h);
    await c.command('EXAMINE INBOX');
    const utf8 = async (tag: string, text: string) => {
      c.write(Buffer.from(`${tag} ${text}\r\n`, 'utf8'));
      return c.tagged(tag);
    };
    assert.deepEqual((await utf8('u1', 'SEARCH CHARSET UTF-8 SUBJECT {7+}\r\ngrüße')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await utf8('u2', 'SEARCH CHARSET UTF-8 BODY {5+}\r\nkäse')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await utf8('u3', 'SEARCH CHARSET UTF-8 TEXT {7+}\r\nSCHÖNE')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('SEARCH OR FROM ann FROM c@example NOT FLAGGED')).untagged, ['* SEARCH 2 3']);
    assert.deepEqual((await c.command('SEARCH SENTON 2-Jan-2024')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('SEARCH SINCE 1-Jan-2000 LARGER 100 SMALLER 100000')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('UID SEARCH 2:* UNSEEN')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('SEARCH RETURN (MIN MAX COUNT) ALL')).untagged, ['* ESEARCH (TAG "t7") MIN 1 MAX 3 COUNT 3']);
    assert.deepEqual((await c.command('UID SEARCH RETURN () 1:2', 'es')).untagged, ['* ESEARCH (TAG "es") UID ALL 1:2']);
    assert.deepEqual((await c.command('SEARCH RETURN (SAVE) FROM c@example')).untagged, []);
    assert.deepEqual((await c.command('FETCH $ (UID)')).untagged, ['* 3 FETCH (UID 3)']);
    assert.deepEqual((await c.command('SEARCH MODSEQ 4')).untagged, ['* SEARCH 1 2 (MODSEQ 5)']);
    assert.match((await c.command('STORE 1 +FLAGS (\\Flagged)')).line, /NO \[READ-ONLY\]/);
    c.close();
  });

  it('CONDSTORE: MODSEQ, CHANGEDSINCE and UNCHANGEDSINCE with [MODIFIED]', async () => {
    const c = await session(h);
    const sel = await c.command('SELECT INBOX (CONDSTORE)');
    const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]);
    assert.ok(highest >= 3);
    const st = await c.command('STORE 1 +FLAGS.SILENT (\\Answered)');
    const m = /^\* 1 FETCH \(MODSEQ \((\d+)\)\)$/.exec(st.untagged[0]!);
    assert.ok(m, st.untagged.join('\n'));
    const after = Number(m[1]);
    assert.ok(after > highest);
    assert.deepEqual((await c.command(`FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest})`)).untagged, [`* 1 FETCH (FLAGS (\\Seen \\Answered) MODSEQ (${after}))`]);
    const cond = await c.command(`STORE 1,2 (UNCHANGEDSINCE ${highest}) +FLAGS (\\Flagged)`);
    assert.match(cond.line, /OK \[MODIFIED 1\]/);
    assert.equal(cond.untagged.length, 1);
    assert.match(cond.untagged[0]!, /^\* 2 FETCH \(FLAGS \(\\Seen \\Flagged\) MODSEQ \(\d+\)\)$/);
    c.close();
  });

  it('QRESYNC: reports VANISHED (EARLIER) and changed flags at SELECT, and VANISHED instead of EXPUNGE', async () => {
    const c = await session(h);
    assert.deepEqual((await c.command('ENABLE QRESYNC')).untagged, ['* ENABLED QRESYNC']);
    const sel = await c.command('SELECT INBOX');
    const uidValidity = Number(/UIDVALIDITY (\d+)/.exec(sel.untagged.join('\n'))![1]);
    const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]);
    await c.command('UID STORE 3 +FLAGS.SILENT (\\Deleted)');
    const ex = await c.command('UID EXPUNGE 3');
    assert.ok(ex.untagged.includes('* VANISHED 3'), ex.untagged.join('\n'));
    await c.command('STORE 1 -FLAGS.SILENT (\\Answered)');
    const again = await c.command(`SELECT INBOX (QRESYNC (${uidValidity} ${modseq} 1:3))`);
    const lines = again.untagged;
    assert.ok(lines.includes('* OK [CLOSED] Previous mailbox closed'));
    assert.ok(lines.includes('* VANISHED (EARLIER) 3'), lines.join('\n'));
    assert.ok(lines.some((l) => /^\* 1 FETCH \(UID 1 FLAGS \([^)]*\) MODSEQ \(\d+\)\)$/.test(l)), lines.join('\n'));
    const f = await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
    assert.equal(f.untagged[0], '* VANISHED (EARLIER) 3');
    c.close();
  });

  it('APPENDUID/COPYUID, CLOSE expunges silently, UNSELECT does not, QUOTA and STATUS', async () => {
    const c = await session(h);
    c.write('a APPEND Drafts (\\Draft) "05-Mar-2024 10:11:12 +0200" {16}\r\n');
    await c.continuation();
    c.write('Subject: d\r\n\r\nx\r\n\r\n');
    const ap = await c.tagged('a');
    const [, validity] = /APPENDUID (\d+) 1\]/.exec(ap.line)!;
    assert.match((await c.command('APPEND Nope {1+}\r\nx')).line, /NO \[TRYCREATE\]/);
    assert.match((await c.command('APPEND Junk {0+}\r\n')).line, /^t\d+ (OK|NO)/);
    await c.command('SELECT Drafts');
    assert.deepEqual((await c.command('FETCH 1 (INTERNALDATE)')).untagged, ['* 1 FETCH (INTERNALDATE " 5-Mar-2024 08:11:12 +0000")']);
    assert.match((await c.command('UID COPY 1 Drafts')).line, new RegExp(`OK \\[COPYUID ${validity} 1 2\\]`));
    assert.match((await c.command('COPY 1 Nope')).line, /NO \[TRYCREATE\]/);
    await c.command('STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    const un = await c.command('UNSELECT');
    assert.deepEqual(un.untagged, []);
    await c.command('SELECT Drafts');
    const close = await c.command('CLOSE');
    assert.deepEqual(close.untagged, []);
    assert.match((await c.command('STATUS Drafts (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ APPENDLIMIT RECENT)')).untagged[0]!, new RegExp(`^\\* STATUS "Drafts" \\(MESSAGES 0 UIDNEXT 3 UIDVALIDITY ${validity} UNSEEN 0 HIGHESTMODSEQ \\d+ APPENDLIMIT 26214400 RECENT 0\\)$`));
    assert.deepEqual((await c.command('GETQUOTAROOT INBOX')).untagged, ['* QUOTAROOT "INBOX" ""', '* QUOTA "" ()']);
    assert.match((await c.command('SETQUOTA "" (STORAGE 10)')).line, /NO \[NOPERM\]/);
    assert.equal((await c.command('CHECK')).status, 'BAD');
    assert.equal((await c.command('FETCH 1 (FLAGS)')).status, 'BAD');
    const bye = await c.command('LOGOUT');
    assert.deepEqual(bye.untagged, ['* BYE Letterbox logging out']);
    await c.closedByServer();
  });
});
