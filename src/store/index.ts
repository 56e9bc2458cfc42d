/**
 * The mail store: the one place that knows LevelDB (ARCHITECTURE rules 2–5).
 * Services receive a `MailStore` (contract in types.ts) by injection.
 */
export { openStore, openMemoryStore, type OpenStoreOptions, type MemoryStoreOptions } from './open-store.js';
export type { LetterboxStore } from './level-mail-store.js';
export type { CommitStats } from './group-commit.js';
export type { StoreLogger } from './store-core.js';
export { diskFullError, type FaultHooks, type ReopenTiming, type SyncDetail, type SyncEvent } from './faults.js';
export { MAX_ALIAS_DEPTH } from './resolve-recipient.js';
export { canonicalAddress, canonicalDomain, canonicalMailboxName } from './validate.js';
export type * from './types.js';
