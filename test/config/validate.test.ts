import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBootConfig } from '../../src/config/validate.js';
import { defaultBootConfig, DEFAULT_SMTP_LIMITS } from '../../src/config/defaults.js';
import { formatListenAddress, parseListenAddress } from '../../src/config/listen-address.js';
import type { BootEnvironment } from '../../src/config/environment.js';
import { isMailError } from '../../src/errors.js';

const checkout: BootEnvironment = { hostname: 'devbox', privilegedPorts: false, device: false };
const device: BootEnvironment = { hostname: 'mailbox', privilegedPorts: true, device: true };

function problemsOf(raw: unknown): string {
  try {
    validateBootConfig(raw, checkout);
  } catch (err) {
    assert.ok(isMailError(err, 'invalid'), `expected MailError invalid, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected validation to fail');
}

test('empty file gives the documented unprivileged checkout defaults', () => {
  const config = validateBootConfig({}, checkout);
  assert.equal(config.hostname, 'devbox');
  assert.deepEqual(config.listen, {
    smtp: { host: '127.0.0.1', port: 2525 },
    submission: { host: '127.0.0.1', port: 2587 },
    submissions: { host: '127.0.0.1', port: 2465 },
    imap: { host: '127.0.0.1', port: 2143 },
    imaps: { host: '127.0.0.1', port: 2993 },
    pop3: { host: '127.0.0.1', port: 2110 },
    pop3s: { host: '127.0.0.1', port: 2995 },
    admin: { host: '127.0.0.1', port: 8443 },
  });
  assert.deepEqual(config.smtp, DEFAULT_SMTP_LIMITS);
  assert.equal(config.log.level, 'info');
});

test('device with privileged ports gets standard ports on every address', () => {
  const config = validateBootConfig({}, device);
  assert.deepEqual(config.listen.smtp, { host: '0.0.0.0', port: 25 });
  assert.deepEqual(config.listen.submission, { host: '0.0.0.0', port: 587 });
  assert.deepEqual(config.listen.submissions, { host: '0.0.0.0', port: 465 });
  assert.deepEqual(config.listen.imap, { host: '0.0.0.0', port: 143 });
  assert.deepEqual(config.listen.imaps, { host: '0.0.0.0', port: 993 });
  assert.deepEqual(config.listen.pop3, { host: '0.0.0.0', port: 110 });
  assert.deepEqual(config.listen.pop3s, { host: '0.0.0.0', port: 995 });
  assert.deepEqual(config.listen.admin, { host: '0.0.0.0', port: 8443 });
  // A root user in a checkout: standard ports, loopback only.
  const rootCheckout = defaultBootConfig({ hostname: 'h', privilegedPorts: true, device: false });
  assert.deepEqual(rootCheckout.listen.smtp, { host: '127.0.0.1', port: 25 });
});

test('Pi-sized SMTP limits from security-cases appendix 1', () => {
  assert.equal(DEFAULT_SMTP_LIMITS.maxMessageBytes, 25 * 1024 * 1024);
  assert.equal(DEFAULT_SMTP_LIMITS.maxRecipients, 100);
  assert.equal(DEFAULT_SMTP_LIMITS.maxClients, 50);
  assert.equal(DEFAULT_SMTP_LIMITS.maxClientsPerIp, 10);
  assert.equal(DEFAULT_SMTP_LIMITS.maxCommandLength, 4096);
  assert.equal(DEFAULT_SMTP_LIMITS.idleTimeoutMs, 120_000);
  assert.equal(DEFAULT_SMTP_LIMITS.sessionTimeoutMs, 600_000);
  assert.equal(DEFAULT_SMTP_LIMITS.maxUnknownCommands, 10);
  assert.equal(DEFAULT_SMTP_LIMITS.rcptErrorsBeforeDelay, 10);
  assert.equal(DEFAULT_SMTP_LIMITS.rcptErrorDelayMs, 1000);
  assert.equal(DEFAULT_SMTP_LIMITS.maxRcptErrors, 20);
});

test('given values override defaults, the rest stay', () => {
  const config = validateBootConfig(
    {
      hostname: 'Mail.Example.COM.',
      listen: { smtp: '127.0.0.1:0', imap: false, admin: '[::1]:8443', pop3: 'localhost:1110' },
      smtp: { maxRecipients: 500, idleTimeoutMs: 50 },
      log: { level: 'debug' },
    },
    checkout,
  );
  assert.equal(config.hostname, 'mail.example.com');
  assert.deepEqual(config.listen.smtp, { host: '127.0.0.1', port: 0 });
  assert.equal(config.listen.imap, false);
  assert.deepEqual(config.listen.admin, { host: '::1', port: 8443 });
  assert.deepEqual(config.listen.pop3, { host: 'localhost', port: 1110 });
  assert.deepEqual(config.listen.submission, { host: '127.0.0.1', port: 2587 });
  assert.equal(config.smtp.maxRecipients, 500);
  assert.equal(config.smtp.idleTimeoutMs, 50);
  assert.equal(config.smtp.maxClients, 50);
  assert.equal(config.log.level, 'debug');
});

const rejected: [string, unknown, RegExp][] = [
  ['not an object', [1, 2], /must contain a JSON object \(got an array\)/],
  ['unknown top-level key', { hostnmae: 'x' }, /unknown key "hostnmae" \(expected one of hostname, listen, smtp, imap, pop3, admin, outbound, dns, log; did you mean "hostname"\?\)/],
  ['unknown service', { listen: { smpt: '0.0.0.0:25' } }, /letterbox\.json: unknown key "listen\.smpt" \(expected one of smtp, submission, submissions, imap, imaps, pop3, pop3s, admin; did you mean "smtp"\?\)/],
  ['unknown limit', { smtp: { maxRcpt: 5 } }, /unknown key "smtp\.maxRcpt" \(expected one of maxMessageBytes/],
  ['unknown log key', { log: { lvl: 'info' } }, /unknown key "log\.lvl"/],
  ['unknown imap limit', { imap: { maxLine: 5 } }, /unknown key "imap\.maxLine" \(expected one of maxLineBytesPreAuth/],
  ['pop3 limit not an integer', { pop3: { idleTimeoutMs: '10' } }, /"pop3\.idleTimeoutMs" must be an integer >= 1 \(got the string "10"\)/],
  ['dns server not an address', { dns: { servers: ['resolver.example'] } }, /"dns\.servers" must be a list of IP addresses/],
  ['dns unknown key', { dns: { dailycheck: false } }, /unknown key "dns\.dailycheck" .*did you mean "dailyCheck"/],
  ['hostname not a string', { hostname: 42 }, /"hostname" must be a string \(got number 42\)/],
  ['hostname not a DNS name', { hostname: 'mail box' }, /"hostname" must be a DNS name/],
  ['listen not an object', { listen: '0.0.0.0:25' }, /"listen" must be an object/],
  ['listen value true', { listen: { smtp: true } }, /"listen\.smtp" must be "host:port" or false \(got boolean true\)/],
  ['listen value number', { listen: { smtp: 25 } }, /"listen\.smtp" must be "host:port" or false \(got number 25\)/],
  ['no port', { listen: { smtp: '0.0.0.0' } }, /"listen\.smtp" must be "host:port" .*no port/],
  ['port out of range', { listen: { imap: '0.0.0.0:70000' } }, /"listen\.imap" has an invalid port "70000"/],
  ['port not numeric', { listen: { imap: '0.0.0.0:imap' } }, /invalid port "imap"/],
  ['unbracketed IPv6', { listen: { smtp: '::1:25' } }, /"listen\.smtp" must write an IPv6 address in brackets/],
  ['bad IPv6', { listen: { smtp: '[::g]:25' } }, /invalid IPv6 address "::g"/],
  ['bad host', { listen: { smtp: 'bad host:25' } }, /invalid host "bad host"/],
  ['limit wrong type', { smtp: { maxRecipients: '100' } }, /"smtp\.maxRecipients" must be an integer >= 1 \(got the string "100"\)/],
  ['limit fractional', { smtp: { maxClients: 1.5 } }, /"smtp\.maxClients" must be an integer >= 1/],
  ['limit too small', { smtp: { maxCommandLength: 100 } }, /"smtp\.maxCommandLength" must be an integer >= 512/],
  ['inconsistent rcpt limits', { smtp: { rcptErrorsBeforeDelay: 30 } }, /must not exceed "smtp\.maxRcptErrors"/],
  ['bad log level', { log: { level: 'loud' } }, /"log\.level" must be one of fatal, error, warn, info, debug, trace, silent/],
];

for (const [name, raw, expected] of rejected) {
  test(`rejects: ${name}`, () => {
    assert.match(problemsOf(raw), expected);
  });
}

test('every problem is reported at once, one line each', () => {
  const message = problemsOf({ listen: { smpt: 'x:1', imap: 'nope' }, smtp: { maxClients: -1 } });
  const lines = message.split('\n');
  assert.equal(lines.length, 3);
  for (const line of lines) assert.match(line, /^letterbox\.json: /);
});

test('listen addresses round-trip through format', () => {
  for (const text of ['127.0.0.1:25', '[::1]:993', '[::]:0', 'localhost:2525']) {
    const parsed = parseListenAddress(text);
    assert.notEqual(typeof parsed, 'string', text);
    assert.equal(formatListenAddress(parsed as Exclude<typeof parsed, string>), text);
  }
  assert.equal(formatListenAddress(false), 'off');
  assert.equal(parseListenAddress(false), false);
});
