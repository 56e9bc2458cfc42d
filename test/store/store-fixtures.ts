// Helpers shared by the store tests: fresh stores, bodies and MIME indexes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageIndex } from '../../src/mime/types.js';
import type { JournalPolicy, LetterboxStore } from '../../src/store/index.js';

/** A store under test and how to throw it away. */
export interface StoreHarness {
  store: LetterboxStore;
  /** Path of a blob file on disk, or null for the memory store. */
  blobPath(blobId: string): string | null;
  /** Closes the store and removes what it left behind. */
  dispose(): Promise<void>;
}

/** Options a conformance suite may ask of a fresh store. */
export interface StoreFactoryOptions {
  /** Journal history per mailbox (small values make pruning testable). */
  journal?: Partial<JournalPolicy>;
}

/** Makes a fresh, empty store. */
export type StoreFactory = (options?: StoreFactoryOptions) => Promise<StoreHarness>;

/** A minimal but well-formed MIME index for a single-part text message of `size` bytes. */
export function fakeIndex(size: number, subject = 'test'): MessageIndex {
  return {
    size,
    truncated: false,
    root: {
      path: '',
      type: 'text',
      subtype: 'plain',
      params: { charset: 'us-ascii' },
      id: null,
      description: null,
      encoding: '7BIT',
      md5: null,
      disposition: null,
      language: null,
      location: null,
      headerStart: 0,
      bodyStart: 0,
      bodyEnd: size,
      bodyLines: 1,
      children: [],
      envelope: { date: null, subject, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: null },
    },
  };
}

/** A small RFC 5322 message with a unique body. */
export function message(n: number | string, extraBytes = 0): Buffer {
  return Buffer.from(`From: a@example.org\r\nSubject: message ${n}\r\n\r\nbody ${n}\r\n${'x'.repeat(extraBytes)}`);
}

/** Streams `bytes` into a new blob in chunks and commits it. */
export async function commitBody(store: LetterboxStore, bytes: Buffer, chunk = 7): Promise<{ blobId: string; size: number }> {
  const w = store.createBlob();
  for (let i = 0; i < bytes.length; i += chunk) await w.write(bytes.subarray(i, i + chunk));
  return w.commit();
}

/** Commits a body and delivers it; returns the blob id and the delivery result. */
export async function deliverBody(store: LetterboxStore, accounts: string[], bytes: Buffer) {
  const { blobId, size } = await commitBody(store, bytes);
  const result = await store.deliver({ blobId, index: fakeIndex(size), accounts });
  return { blobId, size, result };
}

/** A temp directory under the OS temp dir; remove it with `removeDir`. */
export function tempDir(prefix = 'letterbox-store-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Collects a readable stream into one Buffer. */
export async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

/** The standard test domain and a second one. */
export const DOMAIN = 'example.com';
export const OTHER = 'example.net';
/** A PHC-looking hash; the store treats it as opaque text. */
export const HASH = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';

/** Adds the two domains and the given local parts as accounts in DOMAIN. */
export async function seed(store: LetterboxStore, ...locals: string[]): Promise<void> {
  await store.addDomain(DOMAIN);
  await store.addDomain(OTHER);
  for (const l of locals) await store.addAccount(`${l}@${DOMAIN}`, HASH);
}
