// IMAP after the store pruned a mailbox's journal past what a client knows (RFC 7162 §3.2.5.1,
// §3.2.5.2, §3.2.6, §3.2.10; RFC 3501 §7.4.1): QRESYNC and UID FETCH VANISHED from an old modseq
// answer every UID of the client's range that no longer exists, changed flags still come with
// their modseqs, and a session left silent while the history went by reports the right EXPUNGE,
// VANISHED, FETCH and EXISTS at its next command — with imapflow and on the raw wire.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

/** Keeps 8 changes per mailbox; the 12th drops the oldest 4. */
const JOURNAL = { keepEntries: 8, pruneStep: 4 };
let users = 0;

function flow(h: ImapHarness, user: string, qresync: boolean): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: h.tlsPort,
    secure: true,
    auth: { user, pass: PASSWORD },
    tls: { ca: [h.caPem], servername: 'localhost' },
    logger: false,
    qresync,
    // A client that sits silent (no IDLE) while the mailbox changes, like a laptop's mail program in the background.
    disableAutoIdle: true,
  });
}

async function raw(h: ImapHarness, user: string, setup: string[] = []): Promise<RawImap> {
  const c = await RawImap.openTls(h.tlsPort, h.caPem);
  await c.greeting();
  assert.equal((await c.login(user, PASSWORD)).status, 'OK');
  for (const cmd of setup) assert.equal((await c.command(cmd)).status, 'OK', cmd);
  return c;
}

/** \Recent belongs to whichever session saw a message first; these tests compare everything else. */
function withoutRecent(lines: readonly string[]): string[] {
  return lines.filter((l) => !/^\* \d+ RECENT$/.test(l)).map((l) => l.replace(/ ?\\Recent/g, '').replace('FLAGS ( ', 'FLAGS ('));
}

/** A user with ten messages (UIDs 1–10, modseqs 1–10) whose INBOX was selected once (claiming \Recent). */
async function tenMessages(h: ImapHarness): Promise<string> {
  const user = `user${++users}@example.com`;
  await h.addUser(user);
  for (let i = 1; i <= 10; i++) await h.deliver(user, sampleMessage(`${users}-${i}`));
  const c = await raw(h, user, ['SELECT INBOX']);
  c.close();
  return user;
}

/**
 * After modseq 10: UIDs 2 and 5 expunged (modseqs 11, 12), \Flagged on 3 (13), UID 11 delivered
 * and expunged (14, 15), UID 12 delivered (16), then 20 changes on UID 1 ending where they
 * began (17–36). The journal keeps 8–11 entries, so everything before modseq 25 is gone.
 */
async function changesPastTheJournal(h: ImapHarness, user: string): Promise<void> {
  const acct = await h.store.account(user);
  await acct.expunge('INBOX', [2]);
  await acct.expunge('INBOX', [5]);
  await acct.setFlags('INBOX', [3], 'add', ['\\Flagged']);
  assert.equal(await h.deliver(user, sampleMessage(`${user}-11`)), 11);
  await acct.expunge('INBOX', [11]);
  assert.equal(await h.deliver(user, sampleMessage(`${user}-12`)), 12);
  for (let i = 0; i < 20; i++) await acct.setFlags('INBOX', [1], i % 2 === 0 ? 'add' : 'remove', ['$Toggle']);
  const box = await acct.getMailbox('INBOX');
  assert.equal(box.highestModseq, 36);
  assert.ok(box.journalFloor > 12, `the expunges of 2 and 5 are pruned (floor ${box.journalFloor})`);
  assert.equal((await acct.changesSince('INBOX', 10)).complete, false);
}

describe('imap after the journal was pruned', () => {
  let h: ImapHarness;
  before(async () => {
    h = await startImapHarness({ journal: JOURNAL });
  });
  after(() => h.close());

  it('imapflow: a QRESYNC client resyncing from an old modseq learns every vanished UID and every changed flag', async () => {
    const user = await tenMessages(h);
    const first = flow(h, user, true);
    await first.connect();
    const box = await first.mailboxOpen('INBOX');
    assert.equal(box.highestModseq, 10n);
    await first.logout();

    await changesPastTheJournal(h, user);

    const again = flow(h, user, true);
    const vanished: number[] = [];
    const flags = new Map<number, { flags: string[]; modseq: bigint | undefined }>();
    again.on('expunge', (e: { uid?: number; earlier?: boolean }) => {
      assert.equal(e.earlier, true);
      vanished.push(e.uid as number);
    });
    again.on('flags', (e: { uid?: number; flags: Set<string>; modseq?: bigint }) => flags.set(e.uid as number, { flags: [...e.flags].filter((f) => f !== '\\Recent').sort(), modseq: e.modseq }));
    await again.connect();
    const reopened = await again.mailboxOpen('INBOX', { uidValidity: box.uidValidity, changedSince: box.highestModseq });
    assert.equal(reopened.exists, 9);
    assert.equal(reopened.highestModseq, 36n);
    // Every UID of 1..UIDNEXT-1 the mailbox no longer holds, including 11 which this client never saw (allowed).
    assert.deepEqual(vanished.sort((a, b) => a - b), [2, 5, 11]);
    assert.deepEqual(Object.fromEntries(flags), {
      1: { flags: [], modseq: 36n },
      3: { flags: ['\\Flagged'], modseq: 13n },
      12: { flags: [], modseq: 16n },
    });
    // What the client now believes is what the server holds.
    const listed = [];
    for await (const m of again.fetch('1:*', { uid: true, flags: true })) listed.push(m.uid);
    assert.deepEqual(listed, [1, 3, 4, 6, 7, 8, 9, 10, 12]);
    await again.logout();
  });

  it('imapflow: a session left silent past the journal reports the expunges, the flags and the new mail at its next command', async () => {
    const user = await tenMessages(h);
    const c = flow(h, user, false);
    const expunged: number[] = [];
    const changed: [number, string[]][] = [];
    let exists = 0;
    c.on('expunge', (e: { seq?: number }) => expunged.push(e.seq as number));
    c.on('flags', (e: { uid?: number; seq: number; flags: Set<string> }) => changed.push([e.seq, [...e.flags].filter((f) => f !== '\\Recent')]));
    c.on('exists', (e: { count: number }) => (exists = e.count));
    await c.connect();
    await c.mailboxOpen('INBOX');
    await changesPastTheJournal(h, user);
    await c.noop();
    // Highest first (RFC 3501 §7.4.1), then flags at the new numbers, then the new count.
    assert.deepEqual(expunged, [5, 2]);
    assert.deepEqual(changed, [[2, ['\\Flagged']]]);
    assert.equal(exists, 9);
    const listed: [number, string[]][] = [];
    for await (const m of c.fetch('1:*', { uid: true, flags: true })) listed.push([m.uid, [...(m.flags ?? [])].filter((f) => f !== '\\Recent')]);
    const acct = await h.store.account(user);
    assert.deepEqual(listed, (await acct.listMessages('INBOX')).map((r) => [r.uid, r.flags]));
    await c.logout();
  });

  it('raw: SELECT with QRESYNC answers VANISHED (EARLIER) for the client range, narrowed by sequence match data', async () => {
    const user = await tenMessages(h);
    const c = await raw(h, user, ['ENABLE QRESYNC']);
    const uidValidity = /UIDVALIDITY (\d+)/.exec((await c.command('EXAMINE INBOX')).untagged.join('\n'))![1];
    await changesPastTheJournal(h, user);
    const resync = async (params: string): Promise<string[]> => {
      const r = await c.command(`EXAMINE INBOX (QRESYNC (${uidValidity} 10 ${params}))`);
      assert.equal(r.status, 'OK');
      return withoutRecent(r.untagged.filter((l) => /VANISHED|FETCH/.test(l)));
    };
    const changedLines = ['* 1 FETCH (UID 1 FLAGS () MODSEQ (36))', '* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (13))', '* 9 FETCH (UID 12 FLAGS () MODSEQ (16))'];
    assert.deepEqual(await resync('1:12'), ['* VANISHED (EARLIER) 2,5,11', ...changedLines]);
    // The client's first three messages match the mailbox's: it knows every expunge up to UID 4.
    assert.deepEqual(await resync('1:12 (1:3 1,3,4)'), ['* VANISHED (EARLIER) 5,11', ...changedLines]);
    // Its 4th message is UID 5, the mailbox's is 6: only the first pair counts.
    assert.deepEqual(await resync('1:12 (1,4 1,5)'), ['* VANISHED (EARLIER) 2,5,11', ...changedLines]);
    // Known UIDs limit both parts of the answer.
    assert.deepEqual(await resync('3:5'), ['* VANISHED (EARLIER) 5', '* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (13))']);
    // From a modseq the journal still covers, the answer is exact: nothing vanished since 35.
    const recent = await c.command(`EXAMINE INBOX (QRESYNC (${uidValidity} 35 1:12))`);
    assert.deepEqual(withoutRecent(recent.untagged.filter((l) => /VANISHED|FETCH/.test(l))), ['* 1 FETCH (UID 1 FLAGS () MODSEQ (36))']);
    c.close();
  });

  it('raw: UID FETCH CHANGEDSINCE VANISHED from an old modseq, and a silent QRESYNC session gets VANISHED only for what it knew', async () => {
    const user = await tenMessages(h);
    const plain = await raw(h, user, ['SELECT INBOX']);
    const qresync = await raw(h, user, ['ENABLE QRESYNC', 'SELECT INBOX']);
    await changesPastTheJournal(h, user);
    // The plain session: EXPUNGE highest first, the flag change at its new number, then EXISTS.
    assert.deepEqual(withoutRecent((await plain.command('NOOP')).untagged), ['* 5 EXPUNGE', '* 2 EXPUNGE', '* 2 FETCH (UID 3 FLAGS (\\Flagged))', '* 9 EXISTS']);
    // The QRESYNC session: VANISHED without EARLIER, never naming UID 11 it was never told of (§3.2.10.2).
    assert.deepEqual(withoutRecent((await qresync.command('NOOP')).untagged), ['* VANISHED 2,5', '* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (13))', '* 9 EXISTS']);
    const f = await qresync.command('UID FETCH 1:* (FLAGS) (CHANGEDSINCE 10 VANISHED)');
    assert.equal(f.status, 'OK');
    assert.deepEqual(withoutRecent(f.untagged), ['* VANISHED (EARLIER) 2,5,11', '* 1 FETCH (UID 1 FLAGS () MODSEQ (36))', '* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (13))', '* 9 FETCH (UID 12 FLAGS () MODSEQ (16))']);
    // Both sessions now see exactly what a new one sees.
    const fresh = await raw(h, user, ['SELECT INBOX']);
    const all = withoutRecent((await fresh.command('UID FETCH 1:* (FLAGS)')).untagged);
    assert.equal(all.length, 9);
    assert.deepEqual(withoutRecent((await plain.command('UID FETCH 1:* (FLAGS)')).untagged), all);
    assert.deepEqual(withoutRecent((await qresync.command('UID FETCH 1:* (FLAGS)')).untagged).map((l) => l.replace(/ MODSEQ \(\d+\)/, '')), all);
    for (const s of [plain, qresync, fresh]) s.close();
  });

  it('raw: UIDNEXT counts a message that came and went between two SELECTs', async () => {
    const user = await tenMessages(h);
    const acct = await h.store.account(user);
    const uidNext = async (): Promise<string> => {
      const c = await raw(h, user);
      const line = (await c.command('EXAMINE INBOX')).untagged.find((l) => l.includes('UIDNEXT'))!;
      c.close();
      return /UIDNEXT (\d+)/.exec(line)![1]!;
    };
    assert.equal(await uidNext(), '11');
    // The next SELECT starts from the cached columns and replays the journal (complete here).
    assert.equal(await h.deliver(user, sampleMessage(`${user}-gone`)), 11);
    await acct.expunge('INBOX', [11]);
    assert.equal((await acct.changesSince('INBOX', 10)).complete, true);
    assert.equal(await uidNext(), '12');
  });

  it('raw: an IDLE session sees one change larger than the journal as FETCH for every message', async () => {
    const user = await tenMessages(h);
    for (let i = 11; i <= 14; i++) await h.deliver(user, sampleMessage(`${user}-${i}`));
    const idler = await raw(h, user, ['SELECT INBOX']);
    idler.write('i1 IDLE\r\n');
    await idler.continuation();
    // One STORE of 14 messages: 14 journal entries in one batch, more than the 8 + 3 kept.
    const acct = await h.store.account(user);
    assert.equal((await acct.setFlags('INBOX', [...Array(14).keys()].map((i) => i + 1), 'add', ['\\Seen'])).length, 14);
    assert.equal((await acct.changesSince('INBOX', 14)).complete, false);
    const got = await idler.waitFor((l) => l.startsWith('* 14 FETCH'));
    assert.deepEqual(withoutRecent(got), Array.from({ length: 14 }, (_, i) => `* ${i + 1} FETCH (UID ${i + 1} FLAGS (\\Seen))`));
    idler.write('DONE\r\n');
    assert.equal((await idler.tagged('i1')).status, 'OK');
    idler.close();
  });
});
