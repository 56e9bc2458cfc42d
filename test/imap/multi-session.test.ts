// T51 (shortened for CI): several sessions on one account do random APPEND / STORE ±FLAGS and keywords /
// EXPUNGE / COPY at the same time; after a CHECK every session has the same seq↔UID map and flags, and
// \Recent is held by at most one session per message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

const ALICE = 'alice@example.com';
const SESSIONS = 5;
const ROUNDS = 12;

let h: ImapHarness;
before(async () => {
  h = await startImapHarness({ limits: { maxConnectionsPerUserIp: 10 } });
  await h.addUser(ALICE);
  for (let i = 1; i <= 5; i++) await h.deliver(ALICE, sampleMessage(i));
});
after(() => h.close());

/** A small deterministic generator so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

async function randomOp(c: RawImap, r: () => number, n: number): Promise<void> {
  const exists = Number(/\* (\d+) EXISTS/.exec(c.lines.filter((l) => / EXISTS$/.test(l)).pop() ?? '* 0 EXISTS')![1]);
  const pick = r();
  const seq = 1 + Math.floor(r() * Math.max(1, exists));
  if (pick < 0.25) {
    const body = sampleMessage(`s${n}-${Math.floor(r() * 1e6)}`);
    await c.command(`APPEND INBOX {${Buffer.byteLength(body)}+}\r\n${body}`);
  } else if (pick < 0.55) {
    const flag = ['\\Seen', '\\Flagged', '$Label1', 'Work'][Math.floor(r() * 4)];
    await c.command(`UID STORE ${seq}:* ${r() < 0.5 ? '+' : '-'}FLAGS (${flag})`);
  } else if (pick < 0.75) {
    await c.command(`UID STORE ${seq} +FLAGS.SILENT (\\Deleted)`);
    await c.command('EXPUNGE');
  } else if (pick < 0.9) {
    await c.command(`UID COPY ${seq} INBOX`);
  } else {
    await c.command('NOOP');
  }
}

test('T51: sessions agree on messages, UIDs and flags after concurrent changes', async () => {
  const sessions: RawImap[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const c = await RawImap.openTls(h.tlsPort, h.caPem);
    await c.greeting();
    assert.equal((await c.login(ALICE, PASSWORD)).status, 'OK');
    assert.equal((await c.command('SELECT INBOX')).status, 'OK');
    sessions.push(c);
  }
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(sessions.map((c, i) => randomOp(c, rng(1000 * round + i + 1), i)));
  }
  const views: string[][] = [];
  const recentCounts = new Map<number, number>();
  for (const c of sessions) {
    await c.command('CHECK');
    const f = await c.command('FETCH 1:* (UID FLAGS)');
    assert.equal(f.status, 'OK', f.line);
    const lines = f.untagged.filter((l) => / FETCH /.test(l));
    for (const l of lines) {
      if (l.includes('\\Recent')) {
        const uid = Number(/UID (\d+)/.exec(l)![1]);
        recentCounts.set(uid, (recentCounts.get(uid) ?? 0) + 1);
      }
    }
    views.push(lines.map((l) => l.replace(/ ?\\Recent/, '').replace(/\( /, '(')));
  }
  for (const v of views.slice(1)) assert.deepEqual(v, views[0]);
  // The store agrees with the sessions.
  const stored = await (await h.store.account(ALICE)).listMessages('INBOX');
  assert.deepEqual(
    views[0]!.map((l) => Number(/UID (\d+)/.exec(l)![1])),
    stored.map((m) => m.uid),
  );
  for (const [uid, n] of recentCounts) assert.ok(n <= 1, `\\Recent of UID ${uid} in ${n} sessions`);
  for (const c of sessions) c.close();
});
