import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { HOST, removeSharedCerts, startHarness, type Harness } from './admin-harness.js';

after(removeSharedCerts);

/** Parses XML with Python's ElementTree and returns what `script` prints (as JSON). An independent parser, not ours. */
function python(script: string, input: string): unknown {
  const r = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const AUTOCONFIG_PY = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read().encode())
assert root.tag == 'clientConfig' and root.get('version') == '1.1'
p = root.find('emailProvider')
out = {'id': p.get('id'), 'domain': p.findtext('domain'), 'servers': []}
for tag in ('incomingServer', 'outgoingServer'):
    for s in p.findall(tag):
        out['servers'].append({'tag': tag, 'type': s.get('type'), 'hostname': s.findtext('hostname'), 'port': int(s.findtext('port')), 'socketType': s.findtext('socketType'), 'username': s.findtext('username'), 'authentication': s.findtext('authentication')})
print(json.dumps(out))
`;

const AUTODISCOVER_PY = `
import sys, json, xml.etree.ElementTree as ET
ns = {'a': 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006', 'o': 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'}
root = ET.fromstring(sys.stdin.read().encode())
acct = root.find('o:Response/o:Account', ns)
out = {'type': acct.findtext('o:AccountType', namespaces=ns), 'protocols': []}
for p in acct.findall('o:Protocol', ns):
    out['protocols'].append({k: p.findtext('o:' + k, namespaces=ns) for k in ('Type', 'Server', 'Port', 'LoginName', 'SSL', 'Encryption')})
print(json.dumps(out))
`;

const PLIST_PY = `
import sys, json, plistlib
d = plistlib.loads(sys.stdin.buffer.read())
print(json.dumps({'type': d['PayloadType'], 'version': d['PayloadVersion'], 'uuid': d['PayloadUUID'], 'payloads': [{k: (v.hex() if isinstance(v, bytes) else v) for k, v in p.items()} for p in d['PayloadContent']]}))
`;

describe('mail client self-configuration (public)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.store.addDomain('example.test');
  });
  afterEach(() => h.close());

  it('Thunderbird autoconfig at both paths: valid XML with our host names, ports and socket types, for any client', async () => {
    for (const [url, host] of [
      ['/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=al%40example.test', 'example.test'],
      ['/mail/config-v1.1.xml?emailaddress=al%40example.test', 'autoconfig.example.test'],
      ['/mail/config-v1.1.xml', 'autoconfig.example.test'],
    ] as const) {
      const res = await h.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.4', headers: { host } });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^application\/xml/);
      const parsed = python(AUTOCONFIG_PY, res.body) as { id: string; domain: string; servers: { tag: string; type: string; hostname: string; port: number; socketType: string; username: string; authentication: string }[] };
      assert.equal(parsed.domain, 'example.test');
      assert.deepEqual(
        parsed.servers.map((s) => [s.tag, s.type, s.hostname, s.port, s.socketType]),
        [
          ['incomingServer', 'imap', HOST, 993, 'SSL'],
          ['incomingServer', 'imap', HOST, 143, 'STARTTLS'],
          ['incomingServer', 'pop3', HOST, 995, 'SSL'],
          ['outgoingServer', 'smtp', HOST, 465, 'SSL'],
          ['outgoingServer', 'smtp', HOST, 587, 'STARTTLS'],
        ],
      );
      assert.ok(parsed.servers.every((s) => s.username === '%EMAILADDRESS%' && s.authentication === 'password-cleartext'));
    }
    assert.equal((await h.app.inject({ method: 'GET', url: '/mail/config-v1.1.xml?emailaddress=nope', headers: { host: HOST } })).statusCode, 400);
  });

  it('Outlook autodiscover (POST XML and GET): valid POX answer with SSL for implicit TLS', async () => {
    const request = '<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>al@example.test</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>';
    const res = await h.app.inject({ method: 'POST', url: '/autodiscover/autodiscover.xml', remoteAddress: '198.51.100.4', headers: { host: 'autodiscover.example.test', 'content-type': 'text/xml' }, payload: request });
    assert.equal(res.statusCode, 200, res.body);
    const parsed = python(AUTODISCOVER_PY, res.body) as { type: string; protocols: Record<string, string | null>[] };
    assert.equal(parsed.type, 'email');
    assert.deepEqual(parsed.protocols[0], { Type: 'IMAP', Server: HOST, Port: '993', LoginName: 'al@example.test', SSL: 'on', Encryption: null });
    const smtp = parsed.protocols.filter((p) => p.Type === 'SMTP');
    assert.deepEqual(smtp.map((p) => [p.Port, p.SSL, p.Encryption]), [['465', 'on', null], ['587', null, 'TLS']]);

    const upper = await h.app.inject({ method: 'POST', url: '/Autodiscover/Autodiscover.xml', headers: { host: 'autodiscover.example.test', 'content-type': 'application/xml' }, payload: request });
    assert.equal(upper.statusCode, 200);
    const get = await h.app.inject({ method: 'GET', url: '/autodiscover/autodiscover.xml?emailaddress=al%40example.test', headers: { host: HOST } });
    assert.equal(get.statusCode, 200);
    const bad = await h.app.inject({ method: 'POST', url: '/autodiscover/autodiscover.xml', headers: { host: HOST, 'content-type': 'text/xml' }, payload: '<Autodiscover/>' });
    assert.equal(bad.statusCode, 400);
    const entity = await h.app.inject({ method: 'POST', url: '/autodiscover/autodiscover.xml', headers: { host: HOST, 'content-type': 'text/xml' }, payload: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Autodiscover><Request><EMailAddress>&e;</EMailAddress></Request></Autodiscover>' });
    assert.equal(entity.statusCode, 400, 'entities are never expanded');
  });

  it('Apple profile: a valid plist with the mail account (no password) and our CA as a trusted root', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/mobileconfig?emailaddress=al%40example.test', headers: { host: HOST } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/x-apple-aspen-config');
    assert.match(String(res.headers['content-disposition']), /attachment; filename="al@example.test.mobileconfig"/);
    const parsed = python(PLIST_PY, res.body) as { type: string; version: number; uuid: string; payloads: Record<string, unknown>[] };
    assert.equal(parsed.type, 'Configuration');
    assert.equal(parsed.version, 1);
    assert.match(parsed.uuid, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-A[0-9A-F]{3}-[0-9A-F]{12}$/);
    const mail = parsed.payloads.find((p) => p.PayloadType === 'com.apple.mail.managed') as Record<string, unknown>;
    assert.equal(mail.EmailAccountType, 'EmailTypeIMAP');
    assert.equal(mail.IncomingMailServerHostName, HOST);
    assert.equal(mail.IncomingMailServerPortNumber, 993);
    assert.equal(mail.IncomingMailServerUseSSL, true);
    assert.equal(mail.OutgoingMailServerPortNumber, 465);
    assert.equal(mail.IncomingMailServerUsername, 'al@example.test');
    assert.ok(!Object.keys(mail).some((k) => /Password$/.test(k) && k !== 'OutgoingPasswordSameAsIncomingPassword'));
    const root = parsed.payloads.find((p) => p.PayloadType === 'com.apple.security.root') as Record<string, unknown>;
    const der = Buffer.from(String(root.PayloadContent), 'hex');
    assert.equal(new X509Certificate(der).fingerprint256, new X509Certificate(h.certs.caPem()).fingerprint256);
    assert.equal((await h.app.inject({ method: 'GET', url: '/mobileconfig', headers: { host: HOST } })).statusCode, 400);
  });

  it('ACME challenge path is public and 404 without a pending challenge', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/.well-known/acme-challenge/abc_DEF-1', remoteAddress: '198.51.100.4', headers: { host: HOST } });
    assert.equal(res.statusCode, 404);
    assert.equal((await h.app.inject({ method: 'GET', url: '/.well-known/acme-challenge/..%2f', headers: { host: HOST } })).statusCode, 400);
  });
});
