import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { firmwareDir } from './firmware-dir.js';

/** The shape of firmware/lib/image-layout.mjs (plain JavaScript, so the build host needs no TypeScript). */
interface Partition {
  index: number; name: string; label: string; type: string;
  sizeMib: number; startMib: number; startBytes: number; sizeBytes: number; startSector: number; sizeSectors: number;
}
interface Layout { alignMib: number; sectorBytes: number; imageMib: number; imageBytes: number; partitions: Partition[] }
interface LayoutModule {
  ALIGN_MIB: number;
  MBR_MAX_BYTES: number;
  DEFAULT_SIZES: { bootMib: number; rootMib: number; dataMib: number };
  computeLayout(sizes?: Partial<{ bootMib: number; rootMib: number; dataMib: number }>): Layout;
  grownData(layout: Layout, diskBytes: number): { startSector: number; sizeBytes: number; sizeSectors: number; sizeMib: number };
  sfdiskScript(layout: Layout, diskId: string): string;
  shellVars(layout: Layout): string;
}

const MIB = 1024 * 1024;
const modulePath = join(firmwareDir(), 'lib', 'image-layout.mjs');
const load = async (): Promise<LayoutModule> => (await import(pathToFileURL(modulePath).href)) as LayoutModule;

function part(layout: Layout, index: number): Partition {
  const p = layout.partitions[index - 1];
  assert.ok(p, `partition ${index}`);
  return p;
}

describe('firmware image layout', () => {
  it('places boot, root A, root B and data back to back on 4 MiB boundaries', async () => {
    const m = await load();
    const layout = m.computeLayout();
    assert.deepEqual(layout.partitions.map((p) => p.name), ['boot', 'rootA', 'rootB', 'data']);
    assert.equal(part(layout, 1).startMib, 4, 'the first 4 MiB hold only the MBR');
    let expectedStart = 4;
    for (const p of layout.partitions) {
      assert.equal(p.startMib, expectedStart, `${p.name} starts where the previous one ends`);
      assert.equal(p.startMib % 4, 0, `${p.name} start aligned`);
      assert.equal(p.sizeMib % 4, 0, `${p.name} size aligned`);
      assert.equal(p.startBytes, p.startMib * MIB);
      assert.equal(p.startSector * 512, p.startBytes);
      assert.equal(p.sizeSectors * 512, p.sizeBytes);
      expectedStart += p.sizeMib;
    }
    assert.equal(layout.imageMib, expectedStart);
    assert.equal(layout.imageMib, 4 + 256 + 1024 + 1024 + 128);
    assert.equal(part(layout, 2).sizeMib, part(layout, 3).sizeMib, 'both root slots have the same size');
    assert.equal(part(layout, 1).type, 'c', 'boot is FAT32 LBA, which the Pi boot ROM reads');
  });

  it('honours explicit sizes and rejects unaligned or too small ones', async () => {
    const m = await load();
    const layout = m.computeLayout({ bootMib: 128, rootMib: 1024, dataMib: 64 });
    assert.equal(part(layout, 4).startMib, 4 + 128 + 1024 + 1024);
    assert.equal(layout.imageBytes, (4 + 128 + 2048 + 64) * MIB);
    assert.throws(() => m.computeLayout({ rootMib: 1000 + 2 }), /root must be a multiple of 4 MiB/);
    assert.throws(() => m.computeLayout({ bootMib: 32 }), /boot must be an integer of at least 64 MiB/);
    assert.throws(() => m.computeLayout({ dataMib: 1.5 }), /data must be an integer/);
  });

  it('grows data to the last whole 4 MiB of the card', async () => {
    const m = await load();
    const layout = m.computeLayout();
    const data = part(layout, 4);
    const same = m.grownData(layout, layout.imageBytes);
    assert.equal(same.sizeBytes, data.sizeBytes, 'a card of exactly the image size changes nothing');
    // A "32 GB" card: 31,914,983,424 bytes is not a multiple of 4 MiB.
    const card = 31_914_983_424;
    const grown = m.grownData(layout, card);
    const end = data.startBytes + grown.sizeBytes;
    assert.equal(end % (4 * MIB), 0);
    assert.ok(end <= card && card - end < 4 * MIB, 'uses everything but the unaligned tail');
    assert.equal(grown.startSector, data.startSector, 'the start never moves');
    assert.equal(grown.sizeSectors * 512, grown.sizeBytes);
    assert.throws(() => m.grownData(layout, layout.imageBytes - 1), /smaller than the image/);
  });

  it('stops at the 2 TiB an MBR partition table can address', async () => {
    const m = await load();
    const layout = m.computeLayout();
    const grown = m.grownData(layout, 4 * 1024 * 1024 * MIB);
    assert.equal(part(layout, 4).startBytes + grown.sizeBytes, m.MBR_MAX_BYTES);
  });

  it('writes an sfdisk script with a per-build disk id and a bootable FAT partition', async () => {
    const m = await load();
    const layout = m.computeLayout();
    const script = m.sfdiskScript(layout, '0x1234abcd');
    assert.match(script, /^label: dos\nlabel-id: 0x1234abcd\nunit: sectors\n/);
    assert.match(script, /start=8192, size=524288, type=c, bootable\n/);
    assert.equal(script.split('\n').filter((l) => l.startsWith('start=')).length, 4);
    assert.throws(() => m.sfdiskScript(layout, '1234abcd'), /disk id/);
  });

  it('agrees with sfdisk on a real (sparse) image file', async () => {
    const m = await load();
    const layout = m.computeLayout({ bootMib: 64, rootMib: 512, dataMib: 32 });
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-layout-'));
    try {
      const file = join(dir, 'card.img');
      await writeFile(file, '');
      await truncate(file, layout.imageBytes);
      const write = spawnSync('sfdisk', ['--quiet', file], { input: m.sfdiskScript(layout, '0x0badcafe'), encoding: 'utf8' });
      assert.equal(write.status, 0, write.stderr);
      const read = spawnSync('sfdisk', ['--json', file], { encoding: 'utf8' });
      assert.equal(read.status, 0, read.stderr);
      const table = (JSON.parse(read.stdout) as { partitiontable: { id: string; partitions: { start: number; size: number; type: string }[] } }).partitiontable;
      assert.equal(table.id, '0x0badcafe');
      assert.deepEqual(
        table.partitions.map((p) => [p.start, p.size, p.type]),
        layout.partitions.map((p) => [p.startSector, p.sizeSectors, p.type]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints shell variables the build script can eval', async () => {
    const m = await load();
    const vars = m.shellVars(m.computeLayout());
    for (const line of vars.trim().split('\n')) assert.match(line, /^[A-Z_]+=[A-Za-z0-9]+$/);
    assert.match(vars, /^DATA_START_BYTES=2420113408$/m);
    assert.match(vars, /^BOOT_LABEL=LBBOOT$/m);
  });

  it('answers on the command line and exits 2 on a bad option', () => {
    const ok = spawnSync(process.execPath, [modulePath, 'grow', '--disk-bytes', String(8 * 1024 * MIB)], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const grown = JSON.parse(ok.stdout) as { sizeMib: number };
    assert.equal(grown.sizeMib, 8192 - (4 + 256 + 1024 + 1024));
    const bad = spawnSync(process.execPath, [modulePath, 'shell', '--root-mib', '7'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /root must be/);
  });
});
