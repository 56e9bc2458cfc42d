// Two sessions on one mailbox (issue 3 "Sync between devices", security cases T50 and T11):
// flag changes, expunges and new mail reach the other session only at the moments RFC 3501 allows.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

let user = 0;

async function session(h: ImapHarness, address: string): Promise<RawImap> {
  const c = await RawImap.openTls(h.tlsPort, h.caPem);
  await c.greeting();
  assert.equal((await c.login(address, PASSWORD)).status, 'OK');
  assert.equal((await c.command('SELECT INBOX')).status, 'OK');
  return c;
}

describe('imap two-session sync', () => {
  let h: ImapHarness;
  let addr: string;
  let s1: RawImap;
  let s2: RawImap;
  before(async () => {
    h = await startImapHarness();
  });
  after(() => h.close());
  beforeEach(async () => {
    addr = `user${++user}@example.com`;
    await h.addUser(addr);
    for (let i = 1; i <= 3; i++) await h.deliver(addr, sampleMessage(`${user}-${i}`));
    s1?.close();
    s2?.close();
    s1 = await session(h, addr);
    s2 = await session(h, addr);
  });

  it('T50: keeps sequence numbers stable inside FETCH/STORE/SEARCH and reports EXPUNGE at NOOP', async () => {
    assert.deepEqual((await s2.command('FETCH 2 (UID)')).untagged, ['* 2 FETCH (UID 2)']);
    await s1.command('STORE 2 +FLAGS.SILENT (\\Deleted)');
    const ex = await s1.command('EXPUNGE');
    assert.deepEqual(ex.untagged, ['* 2 EXPUNGE']);
    const f = await s2.command('FETCH 2 (UID FLAGS)');
    assert.ok(!f.untagged.some((l) => /EXPUNGE/.test(l)), f.untagged.join('\n'));
    assert.ok(f.untagged.some((l) => /^\* 2 FETCH \(UID 2 FLAGS \(/.test(l)), f.untagged.join('\n'));
    const body = await s2.command('FETCH 2 BODY.PEEK[]');
    assert.ok(body.status === 'NO' ? /EXPUNGEISSUED/.test(body.line) : body.untagged.some((l) => l.includes(`message ${user}-2`)), body.line);
    assert.ok(!body.untagged.some((l) => l.includes(`message ${user}-3`)));
    const st = await s2.command('STORE 2 +FLAGS (\\Seen)');
    assert.match(st.status, /OK|NO/);
    assert.ok(!st.untagged.some((l) => /EXPUNGE/.test(l)));
    const search = await s2.command('SEARCH ALL');
    assert.ok(!search.untagged.some((l) => /EXPUNGE/.test(l)));
    const noop = await s2.command('NOOP');
    assert.deepEqual(noop.untagged, ['* 2 EXPUNGE']);
    const a = (await s1.command('UID FETCH 1:* (UID)')).untagged;
    const b = (await s2.command('UID FETCH 1:* (UID)')).untagged;
    assert.deepEqual(a, b);
    assert.deepEqual(a, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 3)']);
  });

  it('reports the other session\'s flag changes and new mail after a command, and UIDs stay unique', async () => {
    await s1.command('STORE 1 +FLAGS (\\Flagged)');
    const uid = await h.deliver(addr, sampleMessage('new'));
    assert.equal(uid, 4);
    const noop = await s2.command('NOOP');
    assert.ok(noop.untagged.includes('* 1 FETCH (UID 1 FLAGS (\\Flagged))'), noop.untagged.join('\n'));
    assert.ok(noop.untagged.includes('* 4 EXISTS'), noop.untagged.join('\n'));
    // \Recent belongs to one session only.
    const recent = [...s1.lines, ...noop.untagged].filter((l) => /^\* \d+ RECENT/.test(l));
    assert.ok(recent.length >= 1);
    const r1 = await s1.command('FETCH 4 (FLAGS)');
    const r2 = await s2.command('FETCH 4 (FLAGS)');
    const recentIn = [r1, r2].filter((r) => r.untagged.some((l) => l.includes('\\Recent'))).length;
    assert.equal(recentIn, 1);
    // Expunge then deliver: the new UID is never a reused one.
    await s1.command('UID STORE 4 +FLAGS.SILENT (\\Deleted)');
    await s1.command('UID EXPUNGE 4');
    assert.equal(await h.deliver(addr, sampleMessage('newer')), 5);
  });

  it('pushes changes to an IDLE session as they happen', async () => {
    s2.write('i IDLE\r\n');
    await s2.continuation();
    await s1.command('STORE 3 +FLAGS.SILENT (\\Seen)');
    await s2.waitFor((l) => l === '* 3 FETCH (UID 3 FLAGS (\\Seen))');
    await s1.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
    await s1.command('EXPUNGE');
    await s2.waitFor((l) => l === '* 1 EXPUNGE');
    await h.deliver(addr, sampleMessage('idle'));
    await s2.waitFor((l) => l === '* 3 EXISTS');
    s2.write('DONE\r\n');
    assert.equal((await s2.tagged('i')).status, 'OK');
  });

  it('MOVE expunges from the source in the moving session and tells the other one at its next command', async () => {
    const mv = await s1.command('MOVE 1:2 Archive');
    assert.match(mv.untagged[0]!, /^\* OK \[COPYUID \d+ 1:2 1:2\]/);
    assert.deepEqual(mv.untagged.slice(1), ['* 2 EXPUNGE', '* 1 EXPUNGE']);
    const noop = await s2.command('NOOP');
    assert.deepEqual(noop.untagged, ['* 2 EXPUNGE', '* 1 EXPUNGE']);
    const st = await s2.command('STATUS Archive (MESSAGES UIDNEXT)');
    assert.match(st.untagged[0]!, /MESSAGES 2 UIDNEXT 3/);
  });

  it('a later SELECT (served from the cached columns plus the journal) sees exactly the current mailbox', async () => {
    await s1.command('STORE 1 +FLAGS.SILENT (\\Flagged work)');
    await s1.command('STORE 2 +FLAGS.SILENT (\\Deleted)');
    await s1.command('EXPUNGE');
    await h.deliver(addr, sampleMessage('after-cache'), 'INBOX', ['\\Seen']);
    const s3 = await session(h, addr);
    const fresh = (await s3.command('FETCH 1:* (UID FLAGS)')).untagged.map((l) => l.replace(/ ?\\Recent/, ''));
    await s1.command('NOOP');
    const old = (await s1.command('FETCH 1:* (UID FLAGS)')).untagged.map((l) => l.replace(/ ?\\Recent/, ''));
    assert.deepEqual(fresh, old);
    assert.deepEqual(fresh, ['* 1 FETCH (UID 1 FLAGS (\\Flagged work))', '* 2 FETCH (UID 3 FLAGS ())', '* 3 FETCH (UID 4 FLAGS (\\Seen))']);
    const sel = s3.lines.find((l) => /EXISTS$/.test(l));
    assert.equal(sel, '* 3 EXISTS');
    s3.close();
  });

  it('T11: APPEND literal split across writes (byte by byte) stores the same bytes', async () => {
    const raw = Buffer.from(sampleMessage('split', 'line with .\r\n.\r\n..dots\r\n'));
    const cmd = Buffer.concat([Buffer.from(`x APPEND Drafts (\\Draft) {${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]);
    for (let i = 0; i < cmd.length; i++) {
      s1.write(cmd.subarray(i, i + 1));
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    const r = await s1.tagged('x');
    assert.match(r.line, /^x OK \[APPENDUID \d+ 1\]/);
    // A synchronising literal split between its header and its bytes.
    s1.write(`y APPEND Drafts {${raw.length}}`);
    await new Promise((res) => setTimeout(res, 20));
    s1.write('\r\n');
    await s1.continuation();
    s1.write(raw.subarray(0, 10));
    await new Promise((res) => setTimeout(res, 20));
    s1.write(Buffer.concat([raw.subarray(10), Buffer.from('\r\n')]));
    assert.equal((await s1.tagged('y')).status, 'OK');
    const account = await h.store.account(addr);
    const drafts = await account.listMessages('Drafts');
    for (const m of drafts) assert.deepEqual(await h.store.readBlobRange(m.blobId, 0, m.size), raw);
    assert.deepEqual(drafts[0]!.flags, ['\\Draft']);
    s1.close();
    s2.close();
  });
});
