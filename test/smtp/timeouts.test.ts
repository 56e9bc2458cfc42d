import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpHarness } from '../helpers/smtp-harness.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

// security-cases T20: idle clients, slow-drip clients and connection floods are cut off.

test('an idle session is closed with 421 after the idle timeout', async () => {
  const h = await startSmtpHarness({ limits: { idleTimeoutMs: 300 } });
  try {
    const c = await RawSmtp.open(h.port);
    await c.expect(220);
    const r = await c.read();
    assert.equal(r?.code, 421);
    await c.waitClosed();
  } finally {
    await h.close();
  }
});

test('a session that keeps talking is still closed at the session time limit', async () => {
  const h = await startSmtpHarness({ limits: { sessionTimeoutMs: 400 } });
  try {
    const c = await RawSmtp.open(h.port);
    await c.expect(220);
    let last = null;
    // NOOP keeps the session from being idle; only the total-time cap can end it.
    for (let i = 0; i < 10_000 && !c.closed; i++) {
      const r = await c.command('NOOP');
      if (r) last = r;
      if (r?.code === 421) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The 421 may have arrived between two NOOPs: read whatever is still queued.
    for (let r = await c.read(); r; r = await c.read()) last = r;
    assert.equal(last?.code, 421);
    assert.match(last?.text ?? '', /^4\.4\.2 /);
    await c.waitClosed();
  } finally {
    await h.close();
  }
});

test('connections beyond the total limit are refused with 421', async () => {
  const h = await startSmtpHarness({ limits: { maxClients: 3, maxClientsPerIp: 10 } });
  try {
    const open: RawSmtp[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawSmtp.open(h.port);
      await c.expect(220);
      open.push(c);
    }
    const extra = await RawSmtp.open(h.port);
    const r = await extra.read();
    assert.equal(r?.code, 421);
    await extra.waitClosed();
    for (const c of open) c.close();
  } finally {
    await h.close();
  }
});
