// UIDVALIDITY and UIDs across restarts (RFC 3501 §2.3.1.1: UIDs never reused within a UIDVALIDITY),
// and graceful shutdown: every session gets `* BYE` and the listener stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AuthThrottle } from '../../src/auth/index.js';
import { hashPassword } from '../../src/auth/password.js';
import { indexMessage } from '../../src/mime/index.js';
import { openStore, type LetterboxStore } from '../../src/store/index.js';
import { openCertificates } from '../../src/tls/index.js';
import { createImapServer } from '../../src/imap/server.js';
import { RawImap } from '../helpers/raw-imap.js';

const ALICE = 'alice@example.com';
const PASSWORD = 'restart password';

async function deliver(store: LetterboxStore, subject: string): Promise<void> {
  const raw = Buffer.from(`Subject: ${subject}\r\n\r\nbody\r\n`);
  const w = store.createBlob();
  await w.write(raw);
  const { blobId } = await w.commit();
  await store.deliver({ blobId, index: indexMessage(raw), accounts: [ALICE] });
}

async function startOn(dir: string, store: LetterboxStore) {
  const certs = await openCertificates({ dir: join(dir, 'tls'), hostname: 'mail.example.com', addresses: ['127.0.0.1'] });
  const server = createImapServer({ store, certs, throttle: new AuthThrottle(), log: pino({ level: 'silent' }), hostname: 'mail.example.com', implicitTls: true, closeTimeoutMs: 500 });
  const { port } = await server.listen('127.0.0.1', 0);
  return { server, certs, port };
}

async function selectInbox(port: number, ca: string): Promise<{ c: RawImap; text: string }> {
  const c = await RawImap.openTls(port, ca);
  await c.greeting();
  assert.equal((await c.login(ALICE, PASSWORD)).status, 'OK');
  const sel = await c.command('SELECT INBOX');
  return { c, text: sel.untagged.join('\n') };
}

test('UIDVALIDITY is stable and UIDs are not reused across a restart; close() says BYE', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-imap-restart-'));
  try {
    let store = await openStore({ dir });
    await store.addDomain('example.com');
    await store.addAccount(ALICE, await hashPassword(PASSWORD, { ln: 10 }));
    await deliver(store, 'one');
    await deliver(store, 'two');
    let run = await startOn(dir, store);
    const first = await selectInbox(run.port, run.certs.caPem());
    const validity = /UIDVALIDITY (\d+)/.exec(first.text)![1];
    await first.c.command('STORE 2 +FLAGS.SILENT (\\Deleted)');
    await first.c.command('EXPUNGE');
    await run.server.close();
    await first.c.closedByServer();
    assert.match(first.c.lines[first.c.lines.length - 1]!, /^\* BYE Server shutting down/);
    run.certs.close();
    await store.close();

    store = await openStore({ dir });
    await deliver(store, 'three');
    run = await startOn(dir, store);
    const second = await selectInbox(run.port, run.certs.caPem());
    assert.equal(/UIDVALIDITY (\d+)/.exec(second.text)![1], validity);
    assert.match(second.text, /UIDNEXT 4/);
    assert.deepEqual((await second.c.command('UID FETCH 1:* (UID)')).untagged, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 3)']);
    second.c.close();
    await run.server.close();
    run.certs.close();
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
