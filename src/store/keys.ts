/**
 * Every table of the mail index and its key codec, in one place (ARCHITECTURE
 * rule 4 and the layout note on `keys.ts`).
 *
 * The index is one LevelDB keyspace. Each key starts with a one-byte table tag
 * followed by the table's fields; numbers are fixed-width big-endian so that
 * LevelDB's byte order equals numeric order (UID and modseq ranges become
 * simple range scans). Values are UTF-8 JSON.
 *
 * Tables:
 *   D name                     → DomainRecord
 *   A address                  → AccountRecord
 *   L source                   → string[] (alias targets)
 *   B mailboxId:u32            → MailboxRecord
 *   M mailboxId:u32 uid:u32    → MessageValue
 *   J mailboxId:u32 modseq:u64 → JournalEntry (see journal.ts)
 *   R blobHash:32 bytes        → BlobRefValue (reference count and size)
 *   I blobHash:32 bytes        → MessageIndex (stored once per blob)
 *   S name                     → store-wide counters (next mailbox id, last UIDVALIDITY)
 *   P                          → write probe used after a reopen
 *   Q queueId (20 hex chars)   → QueueEntry (outbound queue, queue-ops.ts)
 *   C name                     → runtime settings document (JSON object)
 */

/** One put or delete of the index; a mutation is a list of these written in one batch. */
export type IndexOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/** Stored form of a local domain. */
export interface DomainRecord {
  name: string;
  createdAt: number;
}

/** Stored form of an account (`AccountInfo` is exactly these fields). */
export interface AccountRecord {
  address: string;
  passwordHash: string;
  quotaBytes: number;
  usedBytes: number;
  createdAt: number;
}

/** Stored form of a mailbox, including its counters (kept in step with its messages in every batch). */
export interface MailboxRecord {
  id: number;
  account: string;
  name: string;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  /**
   * Journal watermark: the entries up to this modseq may be pruned, every later
   * one is kept (journal.ts). Records written before pruning existed lack it
   * and are read as 0 (`StoreState.load`).
   */
  journalFloor: number;
  specialUse: string | null;
  subscribed: boolean;
  messages: number;
  unseen: number;
  bytes: number;
}

/** Stored form of one message in one mailbox (the UID lives in the key). */
export interface MessageValue {
  modseq: number;
  flags: string[];
  internalDate: number;
  size: number;
  blobId: string;
}

/** Reference count of a blob: how many message records point at it. */
export interface BlobRefValue {
  refs: number;
  size: number;
}

/** Store-wide counters. */
export interface CounterRecord {
  nextMailboxId: number;
  lastUidValidity: number;
  lastCreatedAt: number;
}

const TAG = {
  domain: 0x44, // D
  account: 0x41, // A
  alias: 0x4c, // L
  mailbox: 0x42, // B
  message: 0x4d, // M
  journal: 0x4a, // J
  blobRef: 0x52, // R
  blobIndex: 0x49, // I
  counters: 0x53, // S
  probe: 0x50, // P
  queue: 0x51, // Q
  setting: 0x43, // C
} as const;

/** A table tag, for range scans over a whole table. */
export type Table = keyof typeof TAG;

const U32_MAX = 0xffffffff;

function u32(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > U32_MAX) throw new RangeError(`not a u32: ${n}`);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function u64(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a u64: ${n}`);
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(n / 0x100000000), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

function tagged(table: Table, ...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([TAG[table]]), ...parts]);
}

function hashBytes(blobId: string): Buffer {
  return Buffer.from(blobId, 'hex');
}

/** Key builders, one per table. */
export const keys = {
  domain: (name: string): Buffer => tagged('domain', Buffer.from(name, 'utf8')),
  account: (address: string): Buffer => tagged('account', Buffer.from(address, 'utf8')),
  alias: (source: string): Buffer => tagged('alias', Buffer.from(source, 'utf8')),
  mailbox: (id: number): Buffer => tagged('mailbox', u32(id)),
  message: (mailboxId: number, uid: number): Buffer => tagged('message', u32(mailboxId), u32(uid)),
  journal: (mailboxId: number, modseq: number): Buffer => tagged('journal', u32(mailboxId), u64(modseq)),
  blobRef: (blobId: string): Buffer => tagged('blobRef', hashBytes(blobId)),
  blobIndex: (blobId: string): Buffer => tagged('blobIndex', hashBytes(blobId)),
  counters: (): Buffer => tagged('counters', Buffer.from('counters', 'utf8')),
  probe: (): Buffer => tagged('probe'),
  queue: (id: string): Buffer => tagged('queue', Buffer.from(id, 'latin1')),
  setting: (name: string): Buffer => tagged('setting', Buffer.from(name, 'utf8')),
};

/** A half-open key range [gte, lt) for iterators. */
export interface KeyRange {
  gte: Buffer;
  lt: Buffer;
}

/** Every key of one table. */
export function tableRange(table: Table): KeyRange {
  return { gte: Buffer.from([TAG[table]]), lt: Buffer.from([TAG[table] + 1]) };
}

/** Messages of one mailbox with fromUid <= uid <= toUid (default: to the end), in UID order. */
export function messageRange(mailboxId: number, fromUid = 0, toUid = 0xffffffff): KeyRange {
  const lt = toUid >= 0xffffffff ? tagged('message', u32(mailboxId), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])) : keys.message(mailboxId, Math.max(0, toUid + 1));
  return { gte: keys.message(mailboxId, fromUid), lt };
}

/** Journal entries of one mailbox with modseq > afterModseq, in modseq order. */
export function journalRange(mailboxId: number, afterModseq = 0): KeyRange {
  const gte = afterModseq >= Number.MAX_SAFE_INTEGER ? keys.journal(mailboxId, Number.MAX_SAFE_INTEGER) : keys.journal(mailboxId, afterModseq + 1);
  return { gte, lt: tagged('journal', u32(mailboxId), Buffer.alloc(8, 0xff), Buffer.from([0xff])) };
}

/** The UID part of a message key. */
export function uidOfMessageKey(key: Buffer): number {
  return key.readUInt32BE(5);
}

/** The modseq part of a journal key. */
export function modseqOfJournalKey(key: Buffer): number {
  return key.readUInt32BE(5) * 0x100000000 + key.readUInt32BE(9);
}

/** The blob id (hex SHA-256) of a blob-ref key. */
export function blobIdOfRefKey(key: Buffer): string {
  return key.subarray(1).toString('hex');
}

/** Encodes a value as UTF-8 JSON. */
export function encodeValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Decodes a UTF-8 JSON value written by `encodeValue`. */
export function decodeValue<T>(buf: Buffer | Uint8Array): T {
  return JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8')) as T;
}

/** A put op with a JSON value. */
export function put(key: Buffer, value: unknown): IndexOp {
  return { type: 'put', key, value: encodeValue(value) };
}

/** A delete op. */
export function del(key: Buffer): IndexOp {
  return { type: 'del', key };
}
