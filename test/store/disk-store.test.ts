// The conformance suite against the on-disk store (classic-level + blob files).
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { directoryConformance } from './conformance-directory.js';
import { messageConformance } from './conformance-messages.js';
import { blobConformance } from './conformance-blobs.js';
import { concurrencyConformance } from './conformance-concurrency.js';
import { copyConformance } from './conformance-copy.js';
import { journalConformance } from './conformance-journal.js';
import { removeDir, tempDir, type StoreFactory } from './store-fixtures.js';

const factory: StoreFactory = async (options = {}) => {
  const dir = await tempDir();
  const store = await openStore({ dir, journal: options.journal });
  return {
    store,
    blobPath: (id) => join(dir, 'blobs', id.slice(0, 2), id),
    dispose: async () => {
      await store.close();
      await removeDir(dir);
    },
  };
};

directoryConformance('disk store', factory);
messageConformance('disk store', factory);
blobConformance('disk store', factory);
concurrencyConformance('disk store', factory);
copyConformance('disk store', factory);
journalConformance('disk store', factory);
