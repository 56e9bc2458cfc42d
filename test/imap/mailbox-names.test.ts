// T42 (mailbox-name traversal and key-space isolation) and T43 (modified UTF-7 validation),
// plus CREATE/DELETE/RENAME/SUBSCRIBE/LIST/LSUB semantics over raw IMAP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

async function session(h: ImapHarness, user = ALICE): Promise<RawImap> {
  const c = await RawImap.openTls(h.tlsPort, h.caPem);
  await c.greeting();
  assert.equal((await c.login(user, PASSWORD)).status, 'OK');
  return c;
}

/** CREATE with the name sent as a literal (so any byte can be in it). */
async function createLiteral(c: RawImap, name: Buffer | string, tag: string) {
  const bytes = Buffer.isBuffer(name) ? name : Buffer.from(name, 'utf8');
  c.write(Buffer.concat([Buffer.from(`${tag} CREATE {${bytes.length}+}\r\n`), bytes, Buffer.from('\r\n')]));
  return c.tagged(tag);
}

describe('imap mailbox names', () => {
  let h: ImapHarness;
  before(async () => {
    h = await startImapHarness();
    await h.addUser(ALICE);
    await h.addUser(BOB);
    await h.deliver(ALICE, sampleMessage(1));
    await h.deliver(ALICE, sampleMessage(2));
  });
  after(() => h.close());

  it('T42: refuses unsafe names and keeps accounts apart', async () => {
    const c = await session(h);
    const unsafe: (string | Buffer)[] = ['../x', '..', '.', 'a/../../b', '/x', '~root', 'a//b', 'INBOX/../../x', 'x\x00y', 'x\r\ny', 'y'.repeat(300), 'z'.repeat(5000), Array(200).fill('a').join('/'), '#shared/x', '../bob/INBOX'];
    let n = 0;
    for (const name of unsafe) {
      const r = await createLiteral(c, name, `u${n++}`);
      assert.match(r.status, /NO|BAD/, `${String(name).slice(0, 40)} → ${r.line}`);
    }
    // Names that are odd but safe are stored as names, under alice's own id-keyed mailboxes.
    for (const name of ['bob', 'a:b', 'x&AP8-y']) assert.equal((await createLiteral(c, name, `s${n++}`)).status, 'OK', name);
    const bob = await session(h, BOB);
    const list = (await bob.command('LIST "" "*"')).untagged;
    assert.equal(list.length, 6);
    assert.ok(!list.some((l) => /bob"?$|a:b/.test(l)));
    bob.close();
    // INBOX in any case is one mailbox; it cannot be deleted; RENAME INBOX moves its messages.
    assert.match((await c.command('SELECT InBoX')).untagged.join('\n'), /\* 2 EXISTS/);
    assert.match((await c.command('CREATE inbox')).line, /NO/);
    assert.match((await c.command('DELETE INBOX')).line, /NO/);
    assert.equal((await c.command('RENAME INBOX Old')).status, 'OK');
    assert.match((await c.command('STATUS Old (MESSAGES)')).untagged[0]!, /MESSAGES 2/);
    assert.match((await c.command('STATUS inbox (MESSAGES)')).untagged[0]!, /MESSAGES 0/);
    c.close();
  });

  it('T43: validates modified UTF-7 and round-trips names byte-identically', async () => {
    const c = await session(h);
    for (const bad of ['&', '&Jjo', '&Jjo!', '&U,BTFw-&ZeVnLIqe-', '&AGE-', '&2D0-']) {
      assert.equal((await c.command(`CREATE "${bad}"`)).status, 'NO', bad);
    }
    assert.match((await createLiteral(c, Buffer.from('p\xe4\xe4', 'latin1'), 'raw')).status, /NO|BAD/);
    assert.equal((await c.command('CREATE "&-"')).status, 'OK');
    assert.equal((await c.command('CREATE "tiet&AOQ-j&AOQ-"')).status, 'OK');
    const list = (await c.command('LIST "" "*"')).untagged.join('\n');
    assert.match(list, /"&-"/);
    assert.match(list, /"tiet&AOQ-j&AOQ-"/);
    assert.equal((await c.command('SELECT "tiet&AOQ-j&AOQ-"')).status, 'OK');
    c.close();
  });

  it('creates parents, lists hierarchy attributes, subscribes and renames subtrees', async () => {
    const c = await session(h);
    assert.equal((await c.command('CREATE Work/2024/Q1/')).status, 'OK');
    assert.match((await c.command('CREATE "Later" (USE (\\Flagged))')).line, /OK|NO \[USEATTR\]/);
    let list = (await c.command('LIST "" "Work/%"')).untagged;
    assert.deepEqual(list, ['* LIST (\\HasChildren) "/" "Work/2024"']);
    list = (await c.command('LIST "" "Work*"')).untagged;
    assert.equal(list.length, 3);
    assert.ok(list.includes('* LIST (\\HasNoChildren) "/" "Work/2024/Q1"'));
    assert.deepEqual((await c.command('LIST "" ""')).untagged, ['* LIST (\\Noselect) "/" ""']);
    assert.equal((await c.command('UNSUBSCRIBE Work/2024')).status, 'OK');
    const lsub = (await c.command('LSUB "" "Work*"')).untagged;
    assert.equal(lsub.length, 2);
    const ext = (await c.command('LIST (SUBSCRIBED) "" "Work*" RETURN (CHILDREN STATUS (MESSAGES UIDNEXT))')).untagged;
    assert.ok(ext.some((l) => l.startsWith('* STATUS "Work" (MESSAGES 0 UIDNEXT 1)')), ext.join('\n'));
    assert.ok(!ext.some((l) => l.includes('"Work/2024"')));
    const rec = (await c.command('LIST (SUBSCRIBED RECURSIVEMATCH) "" "Work/%"')).untagged;
    assert.deepEqual(rec, ['* LIST (\\HasChildren) "/" "Work/2024" ("CHILDINFO" ("SUBSCRIBED"))']);
    assert.equal((await c.command('RENAME Work Job')).status, 'OK');
    list = (await c.command('LIST "" "Job*"')).untagged;
    assert.equal(list.length, 3);
    assert.equal((await c.command('DELETE Job/2024')).status, 'OK');
    list = (await c.command('LIST "" "Job/%"')).untagged;
    assert.deepEqual(list, ['* LIST (\\NonExistent \\Noselect \\HasChildren) "/" "Job/2024"']);
    assert.match((await c.command('RENAME Nope Other')).line, /NO \[NONEXISTENT\]/);
    assert.match((await c.command('CREATE Job')).line, /NO \[ALREADYEXISTS\]/);
    const ns = await c.command('NAMESPACE');
    assert.deepEqual(ns.untagged, ['* NAMESPACE (("" "/")) NIL NIL']);
    c.close();
  });
});
