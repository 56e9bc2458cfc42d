// Shared helpers for the MIME indexer tests: fixture loading, chunked feeding,
// tree flattening and the structural sanity checks every index must pass.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createMimeIndexer, type MimeLimits } from '../../src/mime/index.js';
import type { MessageIndex, MimePart } from '../../src/mime/types.js';

/** test/fixtures/mime, resolved from dist/test/mime at run time. */
export const FIXTURE_DIR = new URL('../../../test/fixtures/mime/', import.meta.url);

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((n) => n.endsWith('.eml'))
    .sort();
}

export function loadFixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURE_DIR));
}

/** Feeds `raw` in chunks of `size` bytes (0 = one chunk), with an empty chunk thrown in to check those are harmless. */
export function indexChunked(raw: Buffer, size: number, limits?: Partial<MimeLimits>): MessageIndex {
  const ix = createMimeIndexer(limits);
  if (size <= 0) {
    ix.push(raw);
  } else {
    for (let i = 0; i < raw.length; i += size) {
      ix.push(raw.subarray(i, i + size));
      if (i === 0) ix.push(Buffer.alloc(0));
    }
  }
  return ix.end();
}

/** Parts in document order (each message/rfc822 part followed by its embedded root). */
export function flatten(root: MimePart): MimePart[] {
  const out: MimePart[] = [];
  const walk = (p: MimePart): void => {
    out.push(p);
    p.children.forEach(walk);
  };
  walk(root);
  return out;
}

export function depthOf(p: MimePart): number {
  return p.children.reduce((d, c) => Math.max(d, depthOf(c) + 1), 0);
}

/** Lines as IMAP counts them: LFs, plus one for a last line without a line break. */
export function countLines(body: Buffer): number {
  let n = 0;
  for (const b of body) if (b === 0x0a) n++;
  if (body.length > 0 && body[body.length - 1] !== 0x0a) n++;
  return n;
}

/** Invariants that hold for every index of every input. */
export function assertSane(ix: MessageIndex, raw: Buffer): void {
  assert.equal(ix.size, raw.length);
  assert.equal(ix.root.path, '');
  assert.equal(ix.root.headerStart, 0);
  const check = (p: MimePart, lo: number, hi: number): void => {
    assert.ok(lo <= p.headerStart && p.headerStart <= p.bodyStart && p.bodyStart <= p.bodyEnd && p.bodyEnd <= hi, `offsets of part ${p.path}`);
    assert.equal(p.bodyLines, countLines(raw.subarray(p.bodyStart, p.bodyEnd)), `lines of part ${p.path}`);
    assert.match(p.type, /^[^A-Z]+$/);
    assert.match(p.encoding, /^[^a-z]*$/);
    if (p.type === 'message' && p.subtype === 'rfc822' && p.children.length === 1) {
      const child = p.children[0] as MimePart;
      assert.equal(child.headerStart, p.bodyStart);
      assert.equal(child.bodyEnd, p.bodyEnd);
      assert.ok(child.envelope !== null);
    }
    let prevEnd = p.bodyStart;
    for (const c of p.children) {
      assert.ok(c.headerStart >= prevEnd, `children of ${p.path} in order`);
      check(c, p.bodyStart, p.bodyEnd);
      prevEnd = c.bodyEnd;
    }
  };
  check(ix.root, 0, raw.length);
}

/** Deterministic PRNG (mulberry32) so random tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
