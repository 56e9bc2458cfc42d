import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { message, startPop3Harness, type Pop3Harness } from './pop3-harness.js';

const run = promisify(execFile);

/** Runs a client; resolves with its exit code and output instead of throwing on a non-zero exit. */
async function client(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

// Debian's fetchmail and curl and Python's poplib against both listeners (peers-and-clients.md §7).
describe('pop3 with real clients', () => {
  let h: Pop3Harness;
  const alice = 'alice@example.com';
  const subjects = ['client-one', 'client-two', 'client-three'];
  let stored: Buffer[] = [];

  before(async () => {
    h = await startPop3Harness();
    await h.addUser(alice, 'alice-pw');
  });
  after(async () => h.close());
  beforeEach(async () => {
    const account = await h.store.account(alice);
    await account.expunge('INBOX', (await account.listMessages('INBOX')).map((m) => m.uid));
    stored = subjects.map((s) => message(s, `Body of ${s}\r\n.a line with a leading dot\r\n`));
    for (const m of stored) await h.deliver(alice, m);
  });
  const inboxCount = async (): Promise<number> => (await (await h.store.account(alice)).listMessages('INBOX')).length;

  /** Runs fetchmail once with a fresh rc; returns exit code and the BSMTP output. */
  async function fetchmail(home: string, port: number, options: string): Promise<{ code: number; out: string; log: string }> {
    await mkdir(home, { recursive: true });
    const rc = join(home, 'fetchmailrc');
    const out = join(home, 'out.bsmtp');
    await rm(out, { force: true });
    await writeFile(rc, `set no syslog\npoll localhost protocol pop3 port ${port} username "${alice}" password "alice-pw" is root here options ${options} sslcertck sslcertfile "${h.caFile}"\n`);
    await chmod(rc, 0o600);
    const r = await client('fetchmail', ['-f', rc, '--bsmtp', out, '-v'], { HOME: home });
    const text = await readFile(out, 'latin1').catch(() => '');
    return { code: r.code, out: text, log: r.stdout + r.stderr };
  }

  for (const mode of ['implicit TLS (995)', 'STLS (110)'] as const) {
    it(`fetchmail over ${mode}, keep then no-keep`, async () => {
      const home = join(h.dir, `fetchmail-${mode.startsWith('STLS') ? 'stls' : 'tls'}`);
      const port = mode.startsWith('STLS') ? h.plainPort : h.tlsPort;
      const conn = mode.startsWith('STLS') ? 'sslproto tls1.2+' : 'ssl';
      const keep = await fetchmail(home, port, `${conn} keep`);
      assert.equal(keep.code, 0, keep.log);
      for (const s of subjects) assert.ok(keep.out.includes(`Subject: ${s}`), `${s} fetched`);
      assert.ok(keep.out.includes('..a line with a leading dot'), 'BSMTP re-stuffs the line, so it arrived un-stuffed');
      if (mode.startsWith('STLS')) assert.match(keep.log, /STLS/);
      assert.equal(await inboxCount(), 3, 'keep leaves mail on the box');

      const again = await fetchmail(home, port, `${conn} keep`);
      assert.equal(again.code, 1, `UIDL tells fetchmail nothing is new:\n${again.log}`);

      const take = await fetchmail(home, port, `${conn} nokeep fetchall`);
      assert.equal(take.code, 0, take.log);
      assert.equal((take.out.match(/^Subject: client-/gm) ?? []).length, 3);
      assert.equal(await inboxCount(), 0, 'no-keep deletes at QUIT');
    });
  }

  it('curl: pop3:// with --ssl-reqd lists, pop3s:// retrieves', async () => {
    const list = await client('curl', ['-sS', '--ssl-reqd', '--cacert', h.caFile, '-u', `${alice}:alice-pw`, `pop3://localhost:${h.plainPort}/`]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split(/\r?\n/), stored.map((m, i) => `${i + 1} ${m.length}`));
    const retr = await client('curl', ['-sS', '--cacert', h.caFile, '-u', `${alice}:alice-pw`, `pop3s://localhost:${h.tlsPort}/2`]);
    assert.equal(retr.code, 0, retr.stderr);
    assert.equal(retr.stdout, stored[1]!.toString('latin1'));
    const noTls = await client('curl', ['-sS', '-u', `${alice}:alice-pw`, `pop3://localhost:${h.plainPort}/`]);
    assert.notEqual(noTls.code, 0, 'no login without TLS');
  });

  it("Python's poplib over POP3_SSL and STLS retrieves byte-exact messages", async () => {
    const script = [
      'import poplib, ssl, sys, json, hashlib',
      'ca, plain, tls, user, pw = sys.argv[1:6]',
      'ctx = ssl.create_default_context(cafile=ca)',
      'out = []',
      'for mode in ("ssl", "stls"):',
      '    if mode == "ssl":',
      '        p = poplib.POP3_SSL("localhost", int(tls), context=ctx)',
      '    else:',
      '        p = poplib.POP3("localhost", int(plain)); p.stls(context=ctx)',
      '    p.user(user); p.pass_(pw)',
      '    count, size = p.stat()',
      '    uidl = [x.split()[1].decode() for x in p.uidl()[1]]',
      '    digests = [hashlib.sha256(b"\\r\\n".join(p.retr(i + 1)[1]) + b"\\r\\n").hexdigest() for i in range(count)]',
      '    caps = sorted(p.capa().keys())',
      '    p.quit()',
      '    out.append({"count": count, "size": size, "uidl": uidl, "digests": digests, "caps": caps})',
      'print(json.dumps(out))',
    ].join('\n');
    const r = await client('python3', ['-c', script, h.caFile, String(h.plainPort), String(h.tlsPort), alice, 'alice-pw']);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as { count: number; size: number; uidl: string[]; digests: string[]; caps: string[] }[];
    const digests = stored.map((m) => createHash('sha256').update(m).digest('hex'));
    for (const res of results) {
      assert.equal(res.count, 3);
      assert.equal(res.size, stored.reduce((n, m) => n + m.length, 0));
      assert.deepEqual(res.digests, digests);
      assert.ok(res.caps.includes('UIDL') && res.caps.includes('TOP') && res.caps.includes('SASL'));
    }
    assert.deepEqual(results[0]!.uidl, results[1]!.uidl);
  });
});
