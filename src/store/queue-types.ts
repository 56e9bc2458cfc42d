import type { MessageIndex } from '../mime/types.js';
import type { DeliveryInput, DeliveryResult } from './types.js';

/**
 * The outbound queue's records (issue 5): one entry per submitted message
 * with remote recipients. The entry holds one reference to its message body,
 * so the body stays on disk until the entry is removed.
 */

/** Where one remote recipient stands. `pending` is retried; the others are final. */
export type QueueRecipientState = 'pending' | 'delivered' | 'failed';

export interface QueueRecipient {
  address: string;
  state: QueueRecipientState;
  /** The last SMTP reply or local error for this recipient (for DSNs and `queue` listings). */
  lastResult?: string;
  /** RFC 3463 status of the last result, e.g. `4.4.1`, `5.1.1`, `2.0.0`. */
  status?: string;
  /** Name of the host that gave `lastResult` (RFC 3464 Remote-MTA). */
  remoteMta?: string;
}

export interface QueueEntry {
  /** Sortable id: creation time then random hex. */
  id: string;
  blobId: string;
  /** Envelope sender; '' is the null sender (never bounced to). */
  sender: string;
  /** Account that submitted the message, if any. */
  submitter?: string;
  recipients: QueueRecipient[];
  createdAt: number;
  /** Not retried before this time (ms since 1970). */
  nextAttemptAt: number;
  /** Delivery attempts started so far. */
  attempts: number;
  /**
   * Set durably before an attempt connects and cleared once its results are
   * recorded. Found set at start-up, it means the process died mid-attempt.
   */
  attemptStartedAt: number | null;
  /** A delay-warning DSN was already sent. */
  delayWarned: boolean;
}

/** A message to put into the queue. */
export interface NewQueueEntry {
  blobId: string;
  index: MessageIndex;
  sender: string;
  submitter?: string;
  /** Remote recipient addresses (deduplicated by the store). */
  recipients: string[];
  /** Defaults to now. */
  createdAt?: number;
  /** Defaults to `createdAt` (send at once). */
  nextAttemptAt?: number;
}

/**
 * Several queue and delivery changes applied as ONE atomic synced batch:
 * e.g. local copies of a submitted message plus the queue entry for its remote
 * recipients, or a bounce delivered to the sender plus the removal of the
 * failed entry, so a crash can never leave one without the other.
 */
export interface QueueTransaction {
  add?: NewQueueEntry[];
  /** Whole replacement records of existing entries (same id; blob unchanged). */
  update?: QueueEntry[];
  /** Ids of entries to delete (their body reference is dropped). */
  remove?: string[];
  /** Local deliveries, exactly as `MailStore.deliver` takes them. */
  deliver?: DeliveryInput[];
}

export interface QueueTransactionResult {
  added: QueueEntry[];
  delivered: DeliveryResult[];
}
