import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { cli, startAppliance, type ApplianceProcess } from '../helpers/appliance-process.js';
import { startNsd, type NsdServer } from '../dns/nsd-harness.js';
import type { ZoneRecord } from '../dns/fault-cases.js';

// Two boxes on one machine, each on its own loopback address (Linux routes all
// of 127/8 to lo), with an authoritative NSD that the test starts: alice on box
// A (a.test, 127.0.0.2) writes to bob on box B (b.test, 127.0.0.3). A signs and
// sends straight to B's MX; B checks SPF, DKIM and DMARC against the published
// records and files the message in bob's INBOX with all three passing.

const ALICE_PW = 'alice has a long good password';
const BOB_PW = 'bob has a long good password';
const SUBJECT = 'Hello Bob, from box A';

const ALL_SERVICES = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'admin'];

/** Writes a boot file: the given services on fixed ports of `ip`, DNS at `dnsServer`, mail to other MXes on port 2525. */
async function writeBoxConfig(dir: string, hostname: string, ip: string, services: Record<string, number>, dnsServer: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const listen = Object.fromEntries(ALL_SERVICES.map((s) => [s, services[s] !== undefined ? `${ip}:${services[s]}` : false]));
  const config = { hostname, listen, dns: { servers: [dnsServer], dailyCheck: false }, outbound: { localAddress: ip, mxPort: 2525 } };
  await writeFile(join(dir, 'letterbox.json'), JSON.stringify(config, null, 2));
}

function ok(r: { code: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The active DKIM record of `dkim show`: `NAME. IN TXT ( "…" "…" )` → a zone record. */
function dkimRecord(out: string): ZoneRecord {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.startsWith(';') && / active\b/.test(l));
  const m = /^(\S+)\. IN TXT (\(.*\))$/.exec(lines[at + 1] ?? '');
  assert.ok(at >= 0 && m, `dkim show printed an active key: ${out}`);
  return { name: m[1] as string, type: 'TXT', value: m[2] as string };
}

function zone(domain: string, ip: string): ZoneRecord[] {
  return [
    { name: domain, type: 'MX', value: `10 mx.${domain}.` },
    { name: `mx.${domain}`, type: 'A', value: ip },
    { name: domain, type: 'TXT', value: `"v=spf1 ip4:${ip} -all"` },
    { name: `_dmarc.${domain}`, type: 'TXT', value: '"v=DMARC1; p=reject"' },
  ];
}

/** Polls bob's INBOX (every 200 ms, up to 60 s) until a message is there; returns its source. */
async function waitForMessage(imap: ImapFlow): Promise<string> {
  const deadline = Date.now() + 60000;
  while (true) {
    const status = await imap.status('INBOX', { messages: true });
    if (status && (status.messages ?? 0) > 0) break;
    if (Date.now() > deadline) throw new Error('no message arrived in bob@b.test\'s INBOX within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const lock = await imap.getMailboxLock('INBOX');
  try {
    const msg = await imap.fetchOne('1', { source: true });
    assert.ok(msg && msg.source, 'the message source can be fetched');
    return msg.source.toString('latin1');
  } finally {
    lock.release();
  }
}

test('box A → box B over real DNS: delivered to INBOX with spf=pass dkim=pass dmarc=pass', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'letterbox-two-boxes-'));
  const dirA = join(parent, 'a');
  const dirB = join(parent, 'b');
  let nsd: NsdServer | null = null;
  let a: ApplianceProcess | null = null;
  let b: ApplianceProcess | null = null;
  let imap: ImapFlow | null = null;
  try {
    // A's DKIM key exists only once A runs, and NSD's port only once NSD runs: start A
    // first (DNS pointing nowhere; nothing is looked up before mail flows) to set up
    // alice and read the key, then start NSD with the zones and restart A pointing at it.
    await writeBoxConfig(dirA, 'mx.a.test', '127.0.0.2', { smtp: 2525, submission: 2587 }, '127.0.0.1:9');
    a = await startAppliance(dirA);
    ok(cli(dirA, ['domain', 'add', 'a.test']), 'domain add a.test');
    ok(cli(dirA, ['user', 'add', 'alice@a.test'], `${ALICE_PW}\n`), 'user add alice');
    const dkim = dkimRecord(ok(cli(dirA, ['dkim', 'show', 'a.test']), 'dkim show'));
    const caA = ok(cli(dirA, ['tls', 'ca']), 'tls ca (A)');
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0, 'box A stops cleanly');

    nsd = await startNsd([...zone('a.test', '127.0.0.2'), dkim, ...zone('b.test', '127.0.0.3')]);
    await writeBoxConfig(dirA, 'mx.a.test', '127.0.0.2', { smtp: 2525, submission: 2587 }, nsd.server);
    await writeBoxConfig(dirB, 'mx.b.test', '127.0.0.3', { smtp: 2525, imap: 2143 }, nsd.server);
    a = await startAppliance(dirA);
    b = await startAppliance(dirB);
    assert.deepEqual(dkimRecord(ok(cli(dirA, ['dkim', 'show', 'a.test']), 'dkim show')), dkim, 'the published key is still the active one after restart');
    ok(cli(dirB, ['domain', 'add', 'b.test']), 'domain add b.test');
    ok(cli(dirB, ['user', 'add', 'bob@b.test'], `${BOB_PW}\n`), 'user add bob');
    const caB = ok(cli(dirB, ['tls', 'ca']), 'tls ca (B)');

    const transport = nodemailer.createTransport({
      host: '127.0.0.2', port: 2587, secure: false, requireTLS: true,
      tls: { ca: [caA], servername: 'mx.a.test' },
      auth: { user: 'alice@a.test', pass: ALICE_PW },
    });
    try {
      const info = await transport.sendMail({ from: 'Alice <alice@a.test>', to: 'bob@b.test', subject: SUBJECT, text: 'Hi Bob,\r\nthis went through two boxes.\r\n' });
      assert.deepEqual(info.accepted, ['bob@b.test']);
    } finally {
      transport.close();
    }

    imap = new ImapFlow({
      host: '127.0.0.3', port: 2143, secure: false, doSTARTTLS: true,
      tls: { ca: [caB], servername: 'mx.b.test' },
      auth: { user: 'bob@b.test', pass: BOB_PW }, logger: false,
    });
    await imap.connect();
    const source = await waitForMessage(imap);
    const head = source.slice(0, source.indexOf('\r\n\r\n'));
    const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
    const ar = unfolded.split('\r\n').filter((l) => /^Authentication-Results:\s*mx\.b\.test\s*;/i.test(l));
    assert.equal(ar.length, 1, `one Authentication-Results from mx.b.test in:\n${head}`);
    const results = ar[0] as string;
    assert.match(results, /\bspf=pass\b[^;]*smtp\.mailfrom=alice@a\.test\b/, results);
    assert.match(results, /\bdkim=pass\b[^;]*header\.i=@a\.test\b/, results);
    assert.match(results, /\bdmarc=pass\b[^;]*header\.from=a\.test/, results);
    assert.match(unfolded, new RegExp(`^Subject: ${SUBJECT}$`, 'm'));
    assert.match(unfolded, /^DKIM-Signature:.*\bd=a\.test\b/m, 'box A signed the message');
  } finally {
    if (imap) await imap.logout().catch(() => undefined);
    for (const box of [a, b]) {
      if (!box) continue;
      if (box.child.exitCode === null && box.child.signalCode === null) box.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([box.exited, new Promise((r) => (timer = setTimeout(r, 10000)))]);
      clearTimeout(timer);
      await box.kill();
    }
    if (nsd) await nsd.stop();
    await rm(parent, { recursive: true, force: true });
  }
});
