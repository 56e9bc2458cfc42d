#!/usr/bin/env node
// Development server for the admin page: serves web-admin/dist/ and a mock of
// the admin API (docs/admin-api.md) kept in memory, so the page can be worked
// on without a box. Not used in production or by the tests of the real API.
// Usage: node web-admin/dev-server.mjs [port]   (binds 127.0.0.1; plain HTTP)
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('./dist/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
const CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";
const now = () => Date.now();

const db = {
  token: 'ABCD-EFGH-JKLM-NPQR', admin: null, sessions: new Map(),
  domains: new Map(), users: new Map(), aliases: new Map(),
  queue: [{ id: 'q1', sender: 'anna@example.org', recipients: [{ address: 'bob@remote.example', state: 'deferred', lastResult: '451 4.7.1 try later' }], createdAt: now() - 3600e3, nextAttemptAt: now() + 600e3, attempts: 3, lastError: '451 4.7.1 Greylisted, try again later', size: 18234 }],
  dns: null, acme: { enabled: false, state: 'off', directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', email: null, lastAttemptAt: null, lastError: null, notAfter: null, nextRenewalAt: null },
  relays: [], limits: { messagesPerHour: 200, recipientsPerHour: 500, maxConnections: 50 }, received: 3, sent: 1,
};
const samples = [];
for (let i = 1440; i >= 0; i -= 5) samples.push(sample(now() - i * 60e3, i));
function sample(time, i = 0) {
  return { time, cpuPercent: 5 + 20 * Math.abs(Math.sin(i / 90)), loadAvg1: 0.3, memUsedBytes: 3.1e8 + 4e7 * Math.sin(i / 200), memTotalBytes: 1e9, diskUsedBytes: 2.1e9 + i * 1e5, diskTotalBytes: 3e10, temperatureC: 45 + 6 * Math.sin(i / 120), uptimeSeconds: 86400 * 3 - i * 60 };
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', ...headers });
  res.end(text);
}
const fail = (res, status, code, message) => send(res, status, { error: { code, message } });

function login(res, username) {
  const sid = randomBytes(16).toString('hex');
  const csrfToken = randomBytes(16).toString('hex');
  db.sessions.set(sid, { username, csrfToken, createdAt: now() });
  return [{ 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Strict` }, { username, csrfToken }];
}

async function api(req, res, url, body) {
  const sid = /(?:^|;\s*)sid=([0-9a-f]+)/.exec(req.headers.cookie ?? '')?.[1];
  const s = sid ? db.sessions.get(sid) : undefined;
  const p = url.pathname;
  const m = req.method;
  if (m === 'GET' && p === '/api/status') return send(res, 200, { claimed: Boolean(db.admin), setup: db.admin ? 'claimed' : 'open', hostname: 'mail.example.org', authenticated: Boolean(s) });
  if (m === 'POST' && p === '/api/setup') {
    if (db.admin) return fail(res, 404, 'not_found', 'Not found.');
    if (String(body.token).replace(/[-\s]/g, '').toUpperCase() !== db.token.replace(/-/g, '')) return fail(res, 403, 'forbidden', 'The setup token is not right.');
    db.admin = { username: body.username, password: body.password };
    const [h, b] = login(res, body.username);
    return send(res, 201, b, h);
  }
  if (m === 'POST' && p === '/api/login') {
    if (!db.admin || body.username !== db.admin.username || body.password !== db.admin.password) return fail(res, 401, 'bad_credentials', 'Wrong user name or password.');
    const [h, b] = login(res, body.username);
    return send(res, 200, b, h);
  }
  if (!s) return fail(res, 401, 'unauthorized', 'Please log in.');
  if (m !== 'GET' && req.headers['x-csrf-token'] !== s.csrfToken) return fail(res, 403, 'csrf', 'The page is out of date; reload it.');
  if (m === 'POST' && p === '/api/logout') {
    db.sessions.delete(sid);
    return send(res, 204, undefined, { 'set-cookie': 'sid=; Path=/; Max-Age=0' });
  }
  if (m === 'GET' && p === '/api/session') return send(res, 200, { username: s.username, csrfToken: s.csrfToken, createdAt: s.createdAt, expiresAt: s.createdAt + 12 * 3600e3, idleExpiresAt: now() + 1800e3, totpEnabled: false });
  if (m === 'GET' && p === '/api/dashboard') {
    db.received += Math.random() < 0.3 ? 1 : 0;
    return send(res, 200, { hostname: 'mail.example.org', now: now(), services: [['smtp', 25], ['submission', 587], ['submissions', 465], ['imap', 143], ['imaps', 993], ['pop3', 110], ['pop3s', 995], ['admin', 8443]].map(([name, port]) => ({ name, address: `0.0.0.0:${port}`, port, up: name !== 'pop3' })), mail: { receivedToday: db.received, sentToday: db.sent }, queue: { size: db.queue.length, available: true }, store: { writable: true, freeBytes: 2.7e10 }, system: sample(now()) });
  }
  if (m === 'GET' && p === '/api/health') return send(res, 200, { samples });
  if (m === 'GET' && p === '/api/domains') return send(res, 200, { domains: [...db.domains.keys()].map((name) => ({ name, accounts: [...db.users.keys()].filter((a) => a.endsWith(`@${name}`)).length, aliases: [...db.aliases.keys()].filter((a) => a.endsWith(`@${name}`)).length })) });
  if (m === 'POST' && p === '/api/domains') {
    if (!/^[a-z0-9.-]+\.[a-z]+$/.test(body.name ?? '')) return fail(res, 400, 'bad_request', 'name: not a domain name.');
    if (db.domains.has(body.name)) return fail(res, 409, 'exists', `${body.name} exists already.`);
    db.domains.set(body.name, { dkim: null });
    return send(res, 201, { name: body.name });
  }
  let r = /^\/api\/domains\/([^/]+)(\/.*)?$/.exec(p);
  if (r) {
    const name = decodeURIComponent(r[1]);
    const d = db.domains.get(name);
    if (!d) return fail(res, 404, 'not_found', `No domain ${name}.`);
    if (m === 'DELETE' && !r[2]) {
      db.domains.delete(name);
      return send(res, 204);
    }
    if (r[2] === '/dkim' || r[2] === '/dkim/rotate') {
      await new Promise((ok) => setTimeout(ok, 800));
      d.dkim = { selector: r[2] === '/dkim' && d.dkim ? d.dkim.selector : `lb${Date.now() % 100000}`, key: randomBytes(180).toString('base64') };
      return send(res, 200, { records: [{ domain: name, selector: d.dkim.selector, algorithm: 'rsa-sha256', active: true, name: `${d.dkim.selector}._domainkey.${name}`, txt: [`v=DKIM1; k=rsa; p=${d.dkim.key}`] }] });
    }
    if (r[2] === '/records') {
      const records = [
        { name, type: 'MX', value: '10 mail.example.org.', ttl: 300, importance: 'required', where: 'dns-host', comment: 'where other servers deliver mail for this domain' },
        { name, type: 'TXT', value: '"v=spf1 mx -all"', ttl: 300, importance: 'recommended', where: 'dns-host', comment: 'SPF' },
        ...(d.dkim ? [{ name: `${d.dkim.selector}._domainkey.${name}`, type: 'TXT', value: `"v=DKIM1; k=rsa; p=${d.dkim.key}"`, ttl: 300, importance: 'recommended', where: 'dns-host', comment: 'DKIM public key' }] : []),
        { name: `_dmarc.${name}`, type: 'TXT', value: `"v=DMARC1; p=quarantine; rua=mailto:postmaster@${name}"`, ttl: 300, importance: 'recommended', where: 'dns-host', comment: 'DMARC' },
        { name: '203.0.113.7', type: 'PTR', value: 'mail.example.org.', ttl: 300, importance: 'required', where: 'isp', comment: 'reverse DNS' },
      ];
      return send(res, 200, { domain: name, records, zoneText: records.map((x) => `${x.name}. ${x.ttl} IN ${x.type} ${x.value}`).join('\n') });
    }
  }
  if (m === 'GET' && p === '/api/users') return send(res, 200, { users: [...db.users.values()].filter((u) => !url.searchParams.get('domain') || u.address.endsWith(`@${url.searchParams.get('domain')}`)) });
  if (m === 'POST' && p === '/api/users') {
    const dom = String(body.address).split('@')[1];
    if (!db.domains.has(dom)) return fail(res, 400, 'bad_request', `address: ${dom} is not one of this box's domains.`);
    if (String(body.password).length < 10) return fail(res, 400, 'bad_request', 'password: at least 10 characters.');
    if (db.users.has(body.address)) return fail(res, 409, 'exists', `${body.address} exists already.`);
    db.users.set(body.address, { address: body.address, quotaBytes: body.quotaBytes ?? 0, usedBytes: 123456, createdAt: now() });
    return send(res, 201, { address: body.address });
  }
  r = /^\/api\/users\/([^/]+)(\/.*)?$/.exec(p);
  if (r) {
    const u = db.users.get(decodeURIComponent(r[1]));
    if (!u) return fail(res, 404, 'not_found', 'No such user.');
    if (m === 'DELETE') return db.users.delete(u.address), send(res, 204);
    if (r[2] === '/password') return send(res, 204);
    if (r[2] === '/quota') return (u.quotaBytes = body.quotaBytes), send(res, 200, u);
    if (r[2] === '/client-setup') {
      const host = 'mail.example.org';
      return send(res, 200, { address: u.address, username: u.address, incoming: [{ protocol: 'imap', host, port: 993, socket: 'SSL' }, { protocol: 'pop3', host, port: 995, socket: 'SSL' }], outgoing: [{ protocol: 'smtp', host, port: 465, socket: 'SSL' }, { protocol: 'smtp', host, port: 587, socket: 'STARTTLS' }], autoconfigUrl: `/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(u.address)}`, mobileconfigUrl: `/mobileconfig?emailaddress=${encodeURIComponent(u.address)}` });
    }
  }
  if (m === 'GET' && p === '/api/aliases') return send(res, 200, { aliases: [...db.aliases].map(([source, targets]) => ({ source, targets: [...targets] })) });
  if (m === 'POST' && p === '/api/aliases') {
    if (!db.aliases.has(body.source)) db.aliases.set(body.source, new Set());
    db.aliases.get(body.source).add(body.target);
    return send(res, 201, body);
  }
  r = /^\/api\/aliases\/([^/]+)$/.exec(p);
  if (r && m === 'DELETE') {
    const src = decodeURIComponent(r[1]);
    const t = url.searchParams.get('target');
    if (!db.aliases.has(src)) return fail(res, 404, 'not_found', 'No such alias.');
    if (t) db.aliases.get(src).delete(t);
    if (!t || db.aliases.get(src).size === 0) db.aliases.delete(src);
    return send(res, 204);
  }
  if (m === 'GET' && p === '/api/queue') return send(res, 200, { available: true, entries: db.queue });
  r = /^\/api\/queue\/([^/]+)(\/retry)?$/.exec(p);
  if (r) {
    const q = db.queue.find((e) => e.id === r[1]);
    if (!q) return fail(res, 404, 'not_found', 'No such message.');
    if (r[2]) return (q.nextAttemptAt = now()), send(res, 204);
    db.queue = db.queue.filter((e) => e !== q);
    return send(res, 204);
  }
  if (m === 'GET' && p === '/api/dns') return send(res, 200, { running: false, last: db.dns });
  if (m === 'POST' && p === '/api/dns/run') {
    await new Promise((ok) => setTimeout(ok, 2500));
    const doms = [...db.domains.keys()];
    const results = [{ id: 'ptr-v4', subject: '203.0.113.7', title: 'Reverse DNS (PTR)', importance: 'required', status: 'FAIL', finding: 'No PTR record for 203.0.113.7.', fix: 'Ask your ISP to set the reverse DNS of 203.0.113.7 to mail.example.org.' },
      ...doms.flatMap((d) => [{ id: 'mx', subject: d, domain: d, title: 'MX record', importance: 'required', status: 'OK', finding: 'MX points to mail.example.org.' }, { id: 'spf', subject: d, domain: d, title: 'SPF', importance: 'recommended', status: 'WARN', finding: 'No SPF record.', fix: `Create TXT ${d} "v=spf1 mx -all" at your DNS host.`, expected: '"v=spf1 mx -all"' }])];
    db.dns = { report: { checkedAt: new Date().toISOString(), hostname: 'mail.example.org', domains: doms, publicIps: ['203.0.113.7'], worst: 'FAIL', results, expected: [] }, changes: db.dns ? [] : results.filter((x) => x.status !== 'OK').map((x) => ({ subject: x.subject, id: x.id, title: x.title, before: null, after: x.status, finding: x.finding })) };
    return send(res, 200, db.dns);
  }
  if (m === 'GET' && p === '/api/certificates') return send(res, 200, { current: { subject: 'CN=mail.example.org', issuer: 'CN=Letterbox CA mail.example.org', names: ['mail.example.org', 'letterbox.local', '192.168.1.20'], notBefore: now() - 86400e3 * 10, notAfter: now() + 86400e3 * 387, fingerprint256: 'AB:CD:EF:01:23', source: 'local' }, caUrl: '/ca.crt', acme: db.acme });
  if (m === 'POST' && p === '/api/certificates/import') return fail(res, 400, 'bad_request', 'cert: not a PEM certificate.');
  if (m === 'GET' && p === '/api/acme') return send(res, 200, db.acme);
  if (m === 'PUT' && p === '/api/acme') {
    if (body.enabled && !body.agreeTos) return fail(res, 400, 'bad_request', 'agreeTos: accept the terms of service first.');
    Object.assign(db.acme, { enabled: body.enabled, email: body.email ?? null, state: body.enabled ? 'idle' : 'off' });
    return send(res, 200, db.acme);
  }
  if (m === 'POST' && p === '/api/acme/renew') {
    Object.assign(db.acme, { state: 'running', lastAttemptAt: now() });
    setTimeout(() => Object.assign(db.acme, { state: 'failed', lastError: 'HTTP-01 challenge failed: port 80 not reachable from the internet' }), 3000);
    return send(res, 202, db.acme);
  }
  if (m === 'GET' && p === '/api/settings') return send(res, 200, { hostname: 'mail.example.org', relays: db.relays, limits: db.limits, admin: { allowedClients: 'lan' } });
  if (m === 'PUT' && p === '/api/settings/relay') {
    const relay = { domain: body.domain ?? '*', host: body.host, port: body.port ?? 587, tls: body.tls ?? 'starttls', username: body.username };
    db.relays = db.relays.filter((x) => x.domain !== relay.domain).concat(relay);
    return send(res, 200, relay);
  }
  if (m === 'DELETE' && p === '/api/settings/relay') return (db.relays = db.relays.filter((x) => x.domain !== (url.searchParams.get('domain') ?? '*'))), send(res, 204);
  if (m === 'PUT' && p === '/api/settings/limits') return Object.assign(db.limits, body), send(res, 200, { limits: db.limits });
  if (m === 'GET' && p === '/api/logs') {
    const entries = [['info', 'smtp', 'connection from 192.0.2.5'], ['warn', 'imap', 'login failed'], ['error', 'queue', 'delivery to remote.example deferred'], ['info', 'admin', 'admin logged in']].map(([level, service, msg], i) => ({ time: now() - (4 - i) * 60e3, level, service, msg, cid: `c${i}` }));
    const svc = url.searchParams.get('service');
    return send(res, 200, { entries: entries.filter((e) => !svc || e.service === svc) });
  }
  if (m === 'POST' && p === '/api/password') return send(res, 200, { csrfToken: s.csrfToken });
  return fail(res, 404, 'not_found', 'No such route.');
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname.startsWith('/api/')) {
    let raw = '';
    for await (const c of req) raw += c;
    let body = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return fail(res, 400, 'bad_request', 'Body is not JSON.');
    }
    return api(req, res, url, body).catch((err) => fail(res, 500, 'internal', String(err)));
  }
  if (url.pathname === '/ca.crt') return res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end('-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n');
  let file = normalize(url.pathname).replace(/^\/+/, '');
  if (!file || !extname(file)) file = 'index.html';
  try {
    const data = await readFile(join(dist, file));
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
    res.end(data);
  } catch {
    res.writeHead(404).end();
  }
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(`admin page mock on http://127.0.0.1:${server.address().port}/ (setup token ${db.token})`));
