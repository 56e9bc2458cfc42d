/**
 * `MailStore` over LevelDB (or memory-level) and content-addressed blobs.
 * This class only checks arguments and routes; the work is in directory.ts,
 * mailbox-ops.ts, message-ops.ts and the write machinery in store-core.ts.
 */
import type { Readable } from 'node:stream';
import { promises as fsp } from 'node:fs';
import type { MessageIndex } from '../mime/types.js';
import { MailError } from '../errors.js';
import type { AccountInfo, AccountStore, AliasInfo, BlobWriter, ChangeEvent, DeliveryInput, DeliveryResult, MailStore, Resolution } from './types.js';
import { LevelAccountStore } from './account-store.js';
import { HashingBlobWriter } from './blob-backend.js';
import * as dir from './directory.js';
import * as msgs from './message-ops.js';
import * as queue from './queue-ops.js';
import type { QueueEntry, QueueTransaction, QueueTransactionResult } from './queue-types.js';
import { decodeValue, keys } from './keys.js';
import { resolveRecipient } from './resolve-recipient.js';
import type { StoreCore } from './store-core.js';
import type { CommitStats } from './group-commit.js';
import { canonicalAddress, checkBlobId } from './validate.js';

/** `readBlobs` bounds (see its contract in types.ts). */
const MAX_BLOBS_PER_READ = 256;
const DEFAULT_READ_BYTES = 1024 * 1024;
const MAX_READ_BYTES = 16 * 1024 * 1024;

/** What the store offers beyond the `MailStore` contract (health, tests, status page). */
export interface LetterboxStore extends MailStore {
  /** Resolves when the store takes writes (at once if it does); rejects if it is closed first. */
  whenWritable(): Promise<void>;
  /** Group-commit counters since open. */
  commitStats(): CommitStats;
  /** Sets an account's quota in bytes (0 = unlimited) in one synced batch. Fails `invalid`, `notFound`. */
  setQuota(address: string, quotaBytes: number): Promise<void>;
}

/** How long one reading of the free disk space answers `freeBytes()`. */
const FREE_BYTES_MAX_AGE_MS = 1000;

/** The store; made by `openStore` / `openMemoryStore`. */
export class LevelMailStore implements LetterboxStore {
  /** The last free-space reading (see `freeBytes`). */
  private free: { at: number; value: Promise<number> } | null = null;

  constructor(
    private readonly core: StoreCore,
    private readonly dataDir: string | null,
  ) {}

  async addDomain(name: string): Promise<void> {
    return dir.addDomain(this.core, name);
  }
  async removeDomain(name: string): Promise<void> {
    return dir.removeDomain(this.core, name);
  }
  async listDomains(): Promise<string[]> {
    return [...this.core.state.domains.keys()].sort();
  }
  isLocalDomain(name: string): boolean {
    return typeof name === 'string' && this.core.state.domains.has(name.toLowerCase());
  }

  async addAccount(address: string, passwordHash: string, options?: { quotaBytes?: number }): Promise<void> {
    return dir.addAccount(this.core, address, passwordHash, options);
  }
  async removeAccount(address: string): Promise<void> {
    return dir.removeAccount(this.core, address);
  }
  async setPasswordHash(address: string, passwordHash: string): Promise<void> {
    return dir.setPasswordHash(this.core, address, passwordHash);
  }
  async setQuota(address: string, quotaBytes: number): Promise<void> {
    return dir.setQuota(this.core, address, quotaBytes);
  }
  async getAccount(address: string): Promise<AccountInfo | null> {
    return dir.getAccount(this.core, address);
  }
  async listAccounts(domain?: string): Promise<AccountInfo[]> {
    return dir.listAccounts(this.core, domain);
  }

  async addAlias(source: string, target: string): Promise<void> {
    return dir.addAlias(this.core, source, target);
  }
  async removeAlias(source: string, target?: string): Promise<void> {
    return dir.removeAlias(this.core, source, target);
  }
  async listAliases(domain?: string): Promise<AliasInfo[]> {
    return dir.listAliases(this.core, domain);
  }

  async resolveRecipient(address: string): Promise<Resolution> {
    return resolveRecipient(this.core.state, address, (notes) => this.core.log.warn({ address, ...notes }, 'alias loop or too deep alias chain while resolving a recipient'));
  }

  createBlob(): BlobWriter {
    return new HashingBlobWriter(this.core.blobs.newSink(), this.core);
  }

  async deliver(input: DeliveryInput): Promise<DeliveryResult> {
    return msgs.deliver(this.core, input);
  }

  async account(address: string): Promise<AccountStore> {
    const addr = canonicalAddress(address);
    if (!this.core.state.accounts.has(addr)) throw new MailError('notFound', `no account ${addr}`);
    return new LevelAccountStore(this.core, addr);
  }

  readBlob(blobId: string): Readable {
    checkBlobId(blobId);
    return this.core.blobs.read(blobId);
  }

  async readBlobRange(blobId: string, start: number, end: number): Promise<Buffer> {
    checkBlobId(blobId);
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new MailError('invalid', 'byte range must be numbers');
    return this.core.blobs.readRange(blobId, Math.floor(start), Math.floor(end));
  }

  async readBlobs(blobIds: readonly string[], options: { maxBytes?: number; inThread?: boolean } = {}): Promise<(Buffer | null)[]> {
    if (blobIds.length > MAX_BLOBS_PER_READ) throw new MailError('invalid', `at most ${MAX_BLOBS_PER_READ} bodies per read`);
    for (const id of blobIds) checkBlobId(id);
    const maxBytes = options.maxBytes ?? DEFAULT_READ_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0 || maxBytes > MAX_READ_BYTES) throw new MailError('invalid', `maxBytes must be a whole number up to ${MAX_READ_BYTES}`);
    if (this.core.closed) throw new MailError('temporary', 'the mail store is closed');
    return this.core.blobs.readMany(blobIds, maxBytes, options.inThread === true);
  }

  async getIndex(blobId: string): Promise<MessageIndex> {
    checkBlobId(blobId);
    const raw = await this.core.query(() => this.core.committer.read(keys.blobIndex(blobId)));
    if (!raw) throw new MailError('notFound', 'no index for that message body');
    return decodeValue<MessageIndex>(raw);
  }

  async getIndexes(blobIds: readonly string[]): Promise<(MessageIndex | null)[]> {
    const keyList = blobIds.map((id) => keys.blobIndex(checkBlobId(id)));
    // Through the committer's overlay like `getIndex`, so a delivery still in flight is seen too.
    const raws = await this.core.query(() => this.core.committer.readMany(keyList));
    return raws.map((raw) => (raw ? decodeValue<MessageIndex>(raw) : null));
  }

  async countBlobs(): Promise<number> {
    return (await this.core.blobs.list()).length;
  }

  async discardBlob(blobId: string): Promise<void> {
    checkBlobId(blobId);
    // An empty mutation: the pin goes under the serialising section, and the
    // release step deletes the file only if no reference exists.
    await this.core.mutate(async () => {
      this.core.consumePin(blobId);
      return { ops: [], result: undefined, released: [blobId] };
    });
  }

  async queueTransaction(tx: QueueTransaction): Promise<QueueTransactionResult> {
    return queue.queueTransaction(this.core, tx);
  }
  async listQueue(): Promise<QueueEntry[]> {
    return queue.listQueue(this.core);
  }
  async getQueueEntry(id: string): Promise<QueueEntry | null> {
    return queue.getQueueEntry(this.core, id);
  }
  async getSetting(name: string): Promise<unknown> {
    return queue.getSetting(this.core, name);
  }
  async putSetting(name: string, value: unknown): Promise<void> {
    return queue.putSetting(this.core, name, value);
  }

  isWritable(): boolean {
    return this.core.isWritable();
  }

  /**
   * Asked at every MAIL FROM: one statfs serves every caller for a second
   * (and callers while it runs share it), instead of one per message. The
   * figure is a guard for early refusal; a full disk is still caught by the
   * failing write, which makes the store refuse writes until it reopens.
   */
  async freeBytes(): Promise<number> {
    // The memory store (tests) has no disk to fill.
    if (this.dataDir === null) return Number.MAX_SAFE_INTEGER;
    const now = Date.now();
    if (!this.free || now - this.free.at > FREE_BYTES_MAX_AGE_MS) {
      const dir = this.dataDir;
      const entry = { at: now, value: fsp.statfs(dir).then((s) => s.bavail * s.bsize) };
      // A failed statfs is not remembered: the next caller asks again.
      entry.value.catch(() => {
        if (this.free === entry) this.free = null;
      });
      this.free = entry;
    }
    return this.free.value;
  }

  onChange(listener: (change: ChangeEvent) => void): () => void {
    return this.core.hub.subscribe(listener);
  }

  async close(): Promise<void> {
    return this.core.close();
  }

  whenWritable(): Promise<void> {
    return this.core.whenWritable();
  }

  commitStats(): CommitStats {
    return this.core.committer.stats();
  }
}
