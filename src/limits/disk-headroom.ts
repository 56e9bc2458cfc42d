import type { MailStore } from '../store/types.js';

/** Free space the store must keep, as a multiple of the largest message a client may send. */
export const HEADROOM_FACTOR = 1.5;

/**
 * True when the store is writable and its disk has room for one more message
 * of the largest allowed size with some to spare (`HEADROOM_FACTOR` × that
 * size). Every way mail comes in asks before it reads a message body: SMTP at
 * MAIL FROM (port 25 and submission), IMAP before an APPEND literal. A full
 * SD card must turn clients away with a temporary error (452 4.3.1,
 * NO [UNAVAILABLE]) while there is still room for the index and the queue, not
 * fail half-way through a write. A store that cannot tell its free space
 * counts as full.
 */
export async function hasDiskHeadroom(store: Pick<MailStore, 'isWritable' | 'freeBytes'>, maxMessageBytes: number): Promise<boolean> {
  if (!store.isWritable()) return false;
  try {
    return (await store.freeBytes()) >= HEADROOM_FACTOR * maxMessageBytes;
  } catch {
    return false;
  }
}
