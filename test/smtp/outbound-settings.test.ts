// Settings and keys of sending mail through the shared management operations
// (control socket and CLI run the same code): relay set/show/clear with the
// password never shown, DKIM records split into ≤ 255-character strings,
// rotation keeping the old key listed, Ed25519 as a second key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../../src/store/index.js';
import { runOperation } from '../../src/control/operations.js';
import { parseControlRequest } from '../../src/control/protocol.js';
import { formatOutboundResult } from '../../src/cli/outbound-commands.js';
import { readOutboundSettings, retryDelay, DEFAULT_OUTBOUND_SETTINGS } from '../../src/smtp/outbound/settings.js';
import { ensureDkimKeys, splitTxt, listDkimKeys } from '../../src/smtp/outbound/dkim-keys.js';

test('relay set/show/clear: validated, stored, password never shown', async () => {
  const store = await openMemoryStore();
  const ctx = { store, running: true };
  await assert.rejects(runOperation(ctx, { op: 'relay.set', host: 'bad host' }), /not a host name/);
  await assert.rejects(runOperation(ctx, { op: 'relay.set', host: 'smtp.example.com', tls: 'none' }), /starttls/);
  await assert.rejects(runOperation(ctx, { op: 'relay.set', host: 'smtp.example.com', username: 'me' }), /go together/);
  const set = await runOperation(ctx, parseControlRequest({ op: 'relay.set', host: 'SMTP.example.com', username: 'me', password: 's3cret' }));
  assert.deepEqual(set, { domain: '*', host: 'smtp.example.com', port: 587, tls: 'starttls', username: 'me' });
  await runOperation(ctx, { op: 'relay.set', host: 'relay.example.org', tls: 'implicit', domain: 'Example.ORG' });
  const shown = await runOperation(ctx, { op: 'relay.show' });
  assert.doesNotMatch(JSON.stringify(shown), /s3cret/);
  assert.equal(formatOutboundResult({ op: 'relay.show' }, shown), '*\tsmtp.example.com:587\tstarttls\tuser=me\nexample.org\trelay.example.org:465\timplicit\n');
  const settings = await readOutboundSettings(store);
  assert.equal(settings.relay?.password, 's3cret', 'the runner gets the password');
  assert.equal(settings.relayDomains['example.org']?.port, 465);
  await runOperation(ctx, { op: 'relay.clear', domain: 'example.org' });
  await runOperation(ctx, { op: 'relay.clear' });
  await assert.rejects(runOperation(ctx, { op: 'relay.clear' }), /no relay/);
  assert.equal((await readOutboundSettings(store)).relay, null);
  await store.close();
});

test('DKIM: records generated on first show, split into ≤ 255-char strings; rotation waits for the owner, then retires the old key', async () => {
  const store = await openMemoryStore();
  await store.addDomain('mail.test');
  const ctx = { store, running: true };
  const first = await runOperation(ctx, { op: 'dkim.show' });
  assert.equal(first.records.length, 1);
  const rec = first.records[0]!;
  assert.equal(rec.name, 'letterbox._domainkey.mail.test');
  assert.ok(rec.txt.length >= 2 && rec.txt.every((s) => s.length <= 255));
  assert.match(rec.txt.join(''), /^v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/=]+$/);
  assert.deepEqual((await runOperation(ctx, { op: 'dkim.show', domain: 'mail.test' })).records, first.records, 'stable across calls');
  const text = formatOutboundResult({ op: 'dkim.show' }, first);
  assert.match(text, /^letterbox\._domainkey\.mail\.test\. IN TXT \( "v=DKIM1; k=rsa; p=[^"]{200,}" "[^"]+" \)$/m);

  await store.putSetting('outbound', { dkim: { ed25519: true } });
  const rotated = await runOperation(ctx, { op: 'dkim.rotate', domain: 'mail.test', selector: 'sel2' });
  let bySelector = Object.fromEntries(rotated.records.map((r) => [r.selector, r]));
  assert.equal(bySelector.letterbox?.state, 'active', 'the old key keeps signing while the new one waits');
  assert.equal(bySelector.sel2?.state, 'pending');
  assert.equal(bySelector.sel2?.active, false);
  assert.equal(bySelector['sel2-ed']?.algorithm, 'ed25519');
  assert.match(bySelector['sel2-ed']!.txt.join(''), /^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
  assert.match(formatOutboundResult({ op: 'dkim.rotate', domain: 'mail.test' }, rotated), /; mail\.test rsa waiting: publish this record, then run letterbox dkim activate\nsel2\._domainkey\.mail\.test\. IN TXT/);
  await assert.rejects(runOperation(ctx, { op: 'dkim.rotate', domain: 'mail.test', selector: 'sel3' }), /already waiting/);
  const signing = async () => (await ensureDkimKeys(store, 'mail.test', (await readOutboundSettings(store)).dkim)).map((k) => k.selector).sort();
  assert.deepEqual(await signing(), ['letterbox'], 'outgoing mail is still signed with the published key only, not with a new Ed25519 key');
  const activated = await runOperation(ctx, { op: 'dkim.activate', domain: 'mail.test' });
  bySelector = Object.fromEntries(activated.records.map((r) => [r.selector, r]));
  assert.equal(bySelector.letterbox?.state, 'retired', 'old key retired but still listed');
  assert.equal(bySelector.sel2?.state, 'active');
  assert.equal(bySelector['sel2-ed']?.state, 'active');
  assert.deepEqual(await signing(), ['sel2', 'sel2-ed']);
  await assert.rejects(runOperation(ctx, { op: 'dkim.activate', domain: 'mail.test' }), /no new DKIM key is waiting/);
  await assert.rejects(runOperation(ctx, { op: 'dkim.rotate', domain: 'mail.test', selector: 'sel2' }), /already used/);
  await assert.rejects(runOperation(ctx, { op: 'dkim.remove', domain: 'mail.test', selector: 'sel2' }), /in use/);
  const removed = await runOperation(ctx, { op: 'dkim.remove', domain: 'mail.test', selector: 'letterbox' });
  assert.deepEqual(removed.records.map((r) => r.selector).sort(), ['sel2', 'sel2-ed'], 'only the removed key is gone');
  await assert.rejects(runOperation(ctx, { op: 'dkim.show', domain: 'other.test' }), /not a local domain/);
  assert.equal((await listDkimKeys(store, 'mail.test')).filter((k) => k.active).length, 2);
  await store.close();
});

test('DKIM: switching Ed25519 on later makes a waiting key, never one that signs unpublished; selectors are lower case', async () => {
  const store = await openMemoryStore();
  await store.addDomain('mail.test');
  const ctx = { store, running: true };
  await runOperation(ctx, { op: 'dkim.show' });
  await store.putSetting('outbound', { dkim: { ed25519: true } });
  const settings = (await readOutboundSettings(store)).dkim;
  assert.deepEqual((await ensureDkimKeys(store, 'mail.test', settings)).map((k) => k.selector), ['letterbox'], 'the signer still uses the RSA key only');
  const shown = await runOperation(ctx, { op: 'dkim.show', domain: 'mail.test' });
  assert.deepEqual(shown.records.map((r) => [r.selector, r.state]), [['letterbox', 'active'], ['letterbox-ed', 'pending']]);
  await runOperation(ctx, { op: 'dkim.activate', domain: 'mail.test' });
  assert.deepEqual((await ensureDkimKeys(store, 'mail.test', settings)).map((k) => k.selector).sort(), ['letterbox', 'letterbox-ed']);
  const rotated = await runOperation(ctx, { op: 'dkim.rotate', domain: 'mail.test', selector: 'NewSel' });
  assert.ok(rotated.records.some((r) => r.selector === 'newsel' && r.state === 'pending'));
  // The DNS self-check (daily run, admin page, letterbox check-dns) gets the waiting key beside the signing one.
  const inputs = await runOperation(ctx, { op: 'dns.inputs', domain: 'mail.test' });
  assert.equal(inputs.dkim['mail.test']?.selector, 'letterbox');
  assert.equal(inputs.dkimPending?.['mail.test']?.selector, 'newsel');
  await store.close();
});

test('splitTxt and the retry schedule', () => {
  assert.deepEqual(splitTxt('a'.repeat(600)).map((s) => s.length), [255, 255, 90]);
  const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelay(DEFAULT_OUTBOUND_SETTINGS.retry, n) / 60_000);
  assert.deepEqual(waits, [5, 10, 20, 40, 80, 160, 240, 240]);
});
