/**
 * Opening the mail store: on disk for the appliance, in memory for fast tests.
 * Both run the same code; only where the index and the bodies live differs.
 */
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { FileBlobs } from './blob-files.js';
import { MemoryBlobs } from './blob-memory.js';
import type { FaultHooks, ReopenTiming } from './faults.js';
import type { IndexDb } from './group-commit.js';
import { LevelMailStore, type LetterboxStore } from './level-mail-store.js';
import { StoreCore, type StoreLogger } from './store-core.js';
import type { JournalPolicy } from './types.js';

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** Data directory: the index goes to `dir/index`, message bodies to `dir/blobs`. Created if missing. */
  dir: string;
  log?: StoreLogger;
  /** Test hooks at the durability points (see faults.ts). */
  faults?: FaultHooks;
  /** Retry timing of the reopen loop after a write error. */
  reopen?: ReopenTiming;
  /** Change history kept per mailbox (default: the newest 4000 changes; docs/store.md). */
  journal?: Partial<JournalPolicy>;
}

/**
 * Opens (creating if needed) the store in `options.dir`. Fails if the index is
 * locked by another process or cannot be read. Bodies left behind by an
 * interrupted delivery are removed. The caller owns the store and must
 * `close()` it.
 */
export async function openStore(options: OpenStoreOptions): Promise<LetterboxStore> {
  const indexDir = join(options.dir, 'index');
  await fsp.mkdir(indexDir, { recursive: true });
  const blobs = new FileBlobs(join(options.dir, 'blobs'));
  await blobs.init();
  const core = new StoreCore({
    opener: {
      async open(): Promise<IndexDb> {
        const db = new ClassicLevel<Buffer, Buffer>(indexDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
        await db.open();
        return db;
      },
    },
    blobs,
    hooks: options.faults,
    log: options.log,
    reopen: options.reopen,
    journal: options.journal,
  });
  await core.start();
  return new LevelMailStore(core, options.dir);
}

/** Options of `openMemoryStore`. */
export interface MemoryStoreOptions {
  log?: StoreLogger;
  faults?: FaultHooks;
  reopen?: ReopenTiming;
  journal?: Partial<JournalPolicy>;
}

/**
 * A store held in memory (memory-level and a Map of bodies), for tests. The
 * same code paths as on disk, including group commit and the reopen loop
 * (which closes and reopens the same in-memory database).
 */
export async function openMemoryStore(options: MemoryStoreOptions = {}): Promise<LetterboxStore> {
  const db = new MemoryLevel<Buffer, Buffer>({ keyEncoding: 'buffer', valueEncoding: 'buffer' });
  const core = new StoreCore({
    opener: {
      async open(): Promise<IndexDb> {
        await db.open();
        return db;
      },
    },
    blobs: new MemoryBlobs(),
    hooks: options.faults,
    log: options.log,
    reopen: options.reopen,
    journal: options.journal,
  });
  await core.start();
  return new LevelMailStore(core, null);
}
