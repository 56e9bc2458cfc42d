// A scripted two-way sync with mbsync (Debian isync): pull everything, push a new message, delete
// one message on each side, sync again, and compare both sides.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';

const run = promisify(execFile);
const ALICE = 'alice@example.com';

let h: ImapHarness;
let home: string;
let local: string;
let rc: string;

before(async () => {
  h = await startImapHarness();
  await h.addUser(ALICE);
  for (let i = 1; i <= 3; i++) await h.deliver(ALICE, sampleMessage(`sync-${i}`));
  await h.deliver(ALICE, sampleMessage('sent-1'), 'Sent', ['\\Seen']);
  home = join(h.dir, 'home');
  local = join(home, 'mail');
  await mkdir(local, { recursive: true });
  const ca = join(home, 'ca.pem');
  await writeFile(ca, h.caPem);
  rc = join(home, 'mbsyncrc');
  await writeFile(
    rc,
    [
      'IMAPAccount alice',
      'Host localhost',
      `Port ${h.tlsPort}`,
      `User ${ALICE}`,
      `Pass "${PASSWORD}"`,
      'SSLType IMAPS',
      `CertificateFile ${ca}`,
      'AuthMechs PLAIN',
      '',
      'IMAPStore alice-remote',
      'Account alice',
      '',
      'MaildirStore alice-local',
      `Path ${local}/`,
      `Inbox ${local}/INBOX`,
      'SubFolders Verbatim',
      '',
      'Channel alice',
      'Far :alice-remote:',
      'Near :alice-local:',
      'Patterns *',
      'Create Both',
      'Expunge Both',
      'SyncState *',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});

after(async () => {
  await h.close();
});

async function mbsync(): Promise<void> {
  await run('mbsync', ['-c', rc, '-a'], { env: { ...process.env, HOME: home }, timeout: 60_000 });
}

/** Subjects of the messages in a local maildir folder. */
async function localSubjects(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['cur', 'new']) {
    const dir = join(local, folder, sub);
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      const text = await readFile(join(dir, f), 'latin1');
      out.push(/^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '?');
    }
  }
  return out.sort();
}

async function serverSubjects(mailbox: string): Promise<string[]> {
  const acct = await h.store.account(ALICE);
  const out: string[] = [];
  for (const m of await acct.listMessages(mailbox)) {
    const text = (await h.store.readBlobRange(m.blobId, 0, m.size)).toString('latin1');
    out.push(/^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '?');
  }
  return out.sort();
}

test('mbsync pulls, pushes and propagates deletions both ways', async () => {
  await mbsync();
  assert.deepEqual(await localSubjects('INBOX'), ['message sync-1', 'message sync-2', 'message sync-3']);
  assert.deepEqual(await localSubjects('Sent'), ['message sent-1']);

  // Push a new message from the local side.
  await writeFile(join(local, 'INBOX', 'new', `${Date.now()}.1.local`), sampleMessage('from-local'));
  await mbsync();
  assert.deepEqual(await serverSubjects('INBOX'), ['message from-local', 'message sync-1', 'message sync-2', 'message sync-3']);

  // Delete one on each side.
  const acct = await h.store.account(ALICE);
  await acct.expunge('INBOX', [1]);
  let removed = false;
  for (const sub of ['cur', 'new']) {
    const dir = join(local, 'INBOX', sub);
    for (const f of await readdir(dir)) {
      if ((await readFile(join(dir, f), 'latin1')).includes('Subject: message sync-2')) {
        await rm(join(dir, f));
        removed = true;
      }
    }
  }
  assert.ok(removed);
  await mbsync();
  const expected = ['message from-local', 'message sync-3'];
  assert.deepEqual(await serverSubjects('INBOX'), expected);
  assert.deepEqual(await localSubjects('INBOX'), expected);
  // A second run with nothing to do changes nothing.
  await mbsync();
  assert.deepEqual(await serverSubjects('INBOX'), expected);
  assert.deepEqual(await localSubjects('INBOX'), expected);
});
