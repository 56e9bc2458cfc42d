// The conformance suite against the in-memory store.
import { openMemoryStore } from '../../src/store/index.js';
import { directoryConformance } from './conformance-directory.js';
import { messageConformance } from './conformance-messages.js';
import { blobConformance } from './conformance-blobs.js';
import { concurrencyConformance } from './conformance-concurrency.js';
import { copyConformance } from './conformance-copy.js';
import { journalConformance } from './conformance-journal.js';
import type { StoreFactory } from './store-fixtures.js';

const factory: StoreFactory = async (options = {}) => {
  const store = await openMemoryStore({ journal: options.journal });
  return { store, blobPath: () => null, dispose: () => store.close() };
};

directoryConformance('memory store', factory);
messageConformance('memory store', factory);
blobConformance('memory store', factory);
concurrencyConformance('memory store', factory);
copyConformance('memory store', factory);
journalConformance('memory store', factory);
