// Two more real clients: Python's imaplib (STARTTLS on the 143-style port and implicit TLS, every
// classic command) and curl (imap:// with --ssl-reqd, imaps:// URLs for FETCH, SEARCH and APPEND).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';

const run = promisify(execFile);
const ALICE = 'alice@example.com';

const PYTHON = String.raw`
import imaplib, ssl, sys, json
port, tls_port, ca, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
out = {}
def ok(res):
    typ, data = res
    if typ != 'OK':
        raise SystemExit('command failed: %r %r' % (typ, data))
    return data
M = imaplib.IMAP4('127.0.0.1', port)
out['plain_caps'] = sorted(M.capabilities)
M.starttls(ssl_context=ctx)
ok(M.login(user, password))
out['caps'] = sorted(M.capabilities)
M.logout()
M = imaplib.IMAP4_SSL('127.0.0.1', tls_port, ssl_context=ctx)
ok(M.login(user, password))
out['namespace'] = ok(M.namespace())[0].decode()
ok(M.create('Projects/Py'))
ok(M.subscribe('Projects/Py'))
out['lsub'] = [x.decode() for x in ok(M.lsub('""', 'Projects*'))]
ok(M.rename('Projects/Py', 'Projects/Python'))
out['list'] = sorted(x.decode() for x in ok(M.list()))
ok(M.append('Projects/Python', '(\\Seen)', imaplib.Time2Internaldate(1700000000), b'Subject: from python\r\n\r\nhello from imaplib\r\n'))
out['status'] = ok(M.status('Projects/Python', '(MESSAGES UNSEEN UIDNEXT)'))[0].decode()
out['select'] = ok(M.select('INBOX'))[0].decode()
out['search'] = ok(M.search(None, 'SUBJECT', '"message 2"'))[0].decode()
out['uid_search'] = ok(M.uid('SEARCH', 'ALL'))[0].decode()
typ, data = M.fetch('2', '(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['fetch'] = data[0][0].decode() + '|' + data[0][1].decode()
typ, data = M.fetch('1', '(RFC822)')
out['rfc822'] = data[0][1].decode()
out['store'] = [x.decode() for x in ok(M.store('1', '+FLAGS', '(\\Deleted)'))]
out['copy'] = ok(M.copy('2', 'Archive'))
ok(M.check())
out['expunge'] = [x.decode() for x in ok(M.expunge())]
out['uid_fetch'] = [x.decode() for x in ok(M.uid('FETCH', '1:*', '(FLAGS)'))]
ok(M.uid('STORE', '3', '+FLAGS', '(\\Flagged)'))
out['uid_copy'] = ok(M.uid('COPY', '3', 'Archive'))
ok(M.close())
ok(M.unsubscribe('Projects/Python'))
ok(M.delete('Projects/Python'))
out['noop'] = ok(M.noop())
M.logout()
print(json.dumps(out, default=lambda o: o.decode() if isinstance(o, bytes) else repr(o)))
`;

describe('imap with Python imaplib and curl', () => {
  let h: ImapHarness;
  let caFile: string;
  before(async () => {
    h = await startImapHarness();
    await h.addUser(ALICE);
    for (let i = 1; i <= 3; i++) await h.deliver(ALICE, sampleMessage(i));
    caFile = join(h.dir, 'ca.pem');
    await writeFile(caFile, h.caPem);
  });
  after(() => h.close());

  it('runs every classic command from imaplib', async () => {
    const script = join(h.dir, 'client.py');
    await writeFile(script, PYTHON);
    const { stdout } = await run('python3', [script, String(h.plainPort), String(h.tlsPort), caFile, ALICE, PASSWORD], { timeout: 60_000 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.ok((out.plain_caps as string[]).includes('LOGINDISABLED'));
    assert.ok((out.caps as string[]).includes('IDLE'));
    assert.equal(out.namespace, '(("" "/")) NIL NIL');
    assert.deepEqual(out.lsub, ['() "/" "Projects"', '() "/" "Projects/Py"']);
    assert.ok((out.list as string[]).includes('(\\HasNoChildren) "/" "Projects/Python"'));
    assert.ok((out.list as string[]).includes('(\\HasChildren) "/" "Projects"'));
    assert.equal(out.status, '"Projects/Python" (MESSAGES 1 UNSEEN 0 UIDNEXT 2)');
    assert.equal(out.select, '3');
    assert.equal(out.search, '2');
    assert.equal(out.uid_search, '1 2 3');
    assert.match(out.fetch as string, /^2 \(UID 2 RFC822.SIZE \d+ BODY\[HEADER.FIELDS \(SUBJECT\)\] \{\d+\}\|Subject: message 2\r\n\r\n$/);
    assert.equal(out.rfc822, sampleMessage(1));
    assert.deepEqual(out.store, ['1 (FLAGS (\\Seen \\Deleted \\Recent))']);
    assert.deepEqual(out.expunge, ['1']);
    assert.deepEqual(out.uid_fetch, ['1 (UID 2 FLAGS (\\Recent))', '2 (UID 3 FLAGS (\\Recent))']);
    const archive = await (await h.store.account(ALICE)).listMessages('Archive');
    assert.equal(archive.length, 2);
    assert.deepEqual(archive[1]!.flags, ['\\Flagged']);
  });

  it('serves curl over imap:// (STARTTLS required) and imaps://', async () => {
    const user = `${ALICE}:${PASSWORD}`;
    const list = await run('curl', ['-sS', '--ssl-reqd', '--cacert', caFile, '-u', user, `imap://localhost:${h.plainPort}/`], { timeout: 30_000 });
    assert.match(list.stdout, /\* LIST \(\\HasNoChildren\) "\/" "?INBOX"?/);
    const fields = await run('curl', ['-sS', '--cacert', caFile, '-u', user, `imaps://localhost:${h.tlsPort}/INBOX;UID=3;SECTION=HEADER.FIELDS%20(SUBJECT)`], { timeout: 30_000 });
    assert.equal(fields.stdout, 'Subject: message 3\r\n\r\n');
    const search = await run('curl', ['-sS', '--cacert', caFile, '-u', user, `imaps://localhost:${h.tlsPort}/INBOX?SUBJECT%20%22message%203%22`], { timeout: 30_000 });
    assert.match(search.stdout, /^\* SEARCH \d+\r?\n$/);
    const eml = join(h.dir, 'm.eml');
    await writeFile(eml, 'Subject: from curl\r\n\r\ncurl body\r\n');
    await run('curl', ['-sS', '--ssl-reqd', '--cacert', caFile, '-u', user, '-T', eml, `imap://localhost:${h.plainPort}/Drafts`], { timeout: 30_000 });
    const drafts = await (await h.store.account(ALICE)).listMessages('Drafts');
    assert.equal(drafts.length, 1);
    assert.equal((await h.store.readBlobRange(drafts[0]!.blobId, 0, drafts[0]!.size)).toString(), 'Subject: from curl\r\n\r\ncurl body\r\n');
    // Without TLS, curl cannot log in (LOGINDISABLED).
    await assert.rejects(run('curl', ['-sS', '-u', user, `imap://localhost:${h.plainPort}/`], { timeout: 30_000 }));
  });
});
