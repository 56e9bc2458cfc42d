import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { maskCommand } from '../../src/log/mask-command.js';
import { connectionLogger, createLogger } from '../../src/log/logger.js';

const cases: [string, string][] = [
  ['AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n', 'AUTH PLAIN ****'],
  ['auth login YWxpY2U=', 'auth login ****'],
  ['AUTH LOGIN', 'AUTH LOGIN'],
  ['AUTH XOAUTH2 dXNlcj1h', 'AUTH XOAUTH2 ****'],
  ['PASS hunter2 with spaces', 'PASS ****'],
  ['PASS', 'PASS'],
  ['USER alice', 'USER alice'],
  ['APOP alice c4c9334bac560ecc979e58001b3e22fb', 'APOP alice ****'],
  ['a1 LOGIN alice secret', 'a1 LOGIN alice ****'],
  ['a1 login "alice smith" "my \\"quoted\\" pw"', 'a1 login "alice smith" ****'],
  ['a1 LOGIN {5}', 'a1 LOGIN ****'],
  ['a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==', 'a2 AUTHENTICATE PLAIN ****'],
  ['a2 AUTHENTICATE PLAIN', 'a2 AUTHENTICATE PLAIN'],
  ['MAIL FROM:<a@example.com>', 'MAIL FROM:<a@example.com>'],
  ['a3 SELECT INBOX', 'a3 SELECT INBOX'],
];

for (const [line, expected] of cases) {
  test(`maskCommand ${JSON.stringify(line)}`, () => {
    assert.equal(maskCommand(line), expected);
  });
}

test('the logger redacts secret fields and masks command lines', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const root = createLogger({ level: 'debug', destination: sink });
  const log = connectionLogger(root, { svc: 'imap', remote: '192.0.2.1:5555' });
  log.debug({ command: 'a1 LOGIN alice s3cr3t-value' }, 'command');
  log.info({ password: 's3cr3t-value', user: { pass: 's3cr3t-value' }, authorization: 'Basic s3cr3t-value' }, 'login');
  assert.equal(lines.length, 2);
  for (const line of lines) assert.ok(!line.includes('s3cr3t-value'), line);
  const first = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(first.svc, 'imap');
  assert.equal(first.remote, '192.0.2.1:5555');
  assert.match(String(first.cid), /^[A-Za-z0-9_-]{8}$/);
  assert.equal(first.command, 'a1 LOGIN alice ****');
});
