import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryStore } from '../../src/store/index.js';
import { startHealthSampler, systemProbe, type SystemProbe } from '../../src/system/index.js';

function fakeProbe(): SystemProbe & { calls: number } {
  const p = {
    calls: 0,
    async read() {
      p.calls++;
      return { cpuPercent: p.calls % 100, loadAvg1: 0.1, memUsedBytes: 1, memTotalBytes: 2, diskUsedBytes: 3, diskTotalBytes: 4, temperatureC: null, uptimeSeconds: p.calls };
    },
  };
  return p;
}

describe('health sampler', () => {
  it('keeps at most 24 h of samples in memory and at most 24 small documents in the store; history survives a restart', async () => {
    const store = await openMemoryStore();
    const clock = { t: Date.UTC(2026, 0, 1) };
    const probe = fakeProbe();
    const s = await startHealthSampler({ probe, store, manual: true, now: () => clock.t });
    for (let i = 0; i < 1500; i++) {
      await s.sampleNow();
      clock.t += 60_000;
    }
    assert.equal(s.since(0).length, 1440);
    assert.equal(s.latest()?.uptimeSeconds, 1500);
    await s.close();
    let docs = 0;
    let rows = 0;
    for (let h = 0; h < 24; h++) {
      const doc = (await store.getSetting(`system.health.${String(h).padStart(2, '0')}`)) as { rows: unknown[] } | null;
      if (doc) {
        docs++;
        rows += doc.rows.length;
        assert.ok(doc.rows.length <= 60);
        assert.ok(JSON.stringify(doc).length < 8000, 'small documents');
      }
    }
    assert.equal(docs, 24);
    assert.ok(rows >= 1380 && rows <= 1440, `${rows} rows stored`);

    const again = await startHealthSampler({ probe, store, manual: true, now: () => clock.t });
    const restored = again.since(0);
    assert.ok(restored.length >= 1380);
    assert.ok(restored.every((x) => x.time >= clock.t - 86_400_000));
    assert.deepEqual(again.latest(), s.latest());
    await again.close();
    await store.close();
  });

  it('skips a failing reading without stopping', async () => {
    let fail = true;
    const s = await startHealthSampler({
      manual: true,
      probe: { read: async () => { if (fail) throw new Error('no /proc'); return { cpuPercent: 1, loadAvg1: 0, memUsedBytes: 1, memTotalBytes: 1, diskUsedBytes: 1, diskTotalBytes: 1, temperatureC: null, uptimeSeconds: 1 }; } },
    });
    assert.equal(await s.sampleNow(), null);
    fail = false;
    assert.ok(await s.sampleNow());
    assert.equal(s.since(0).length, 1);
    await s.close();
  });

  it('the real probe reads sane numbers on this machine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lb-probe-'));
    try {
      const r = await systemProbe(dir).read();
      assert.ok(r.memTotalBytes > 0 && r.memUsedBytes <= r.memTotalBytes);
      assert.ok(r.diskTotalBytes > 0 && r.diskUsedBytes <= r.diskTotalBytes);
      assert.ok(r.cpuPercent >= 0 && r.cpuPercent <= 100);
      assert.ok(r.uptimeSeconds > 0);
      assert.ok(r.temperatureC === null || (r.temperatureC > -50 && r.temperatureC < 150));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
