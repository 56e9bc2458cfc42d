import type { ChangeEvent, MailStore } from '../store/types.js';

/**
 * "Mail received today / sent today" for the dashboard. Counters live in
 * memory and are saved in the store (settings document `admin.counters`)
 * at most once a minute through `persist()`, so counting costs no write per
 * message and a restart keeps the day's numbers (minus the last minute).
 *
 * Received = messages arriving in an INBOX (learned from the store's change
 * events and the INBOX journal); sent = what the sending side reports through
 * `noteSent` (one per remote recipient delivered).
 */
export interface MailCounters {
  /** Today's numbers (the day is the box's local calendar day). */
  today(): { receivedToday: number; sentToday: number };
  noteReceived(count?: number): void;
  noteSent(count?: number): void;
  /** Saves the counters if they changed. Never rejects (a failure is retried next time). */
  persist(): Promise<void>;
  /** Stops following the store. */
  close(): void;
}

export const COUNTERS_SETTING = 'admin.counters';

interface CounterDoc {
  day: string;
  received: number;
  sent: number;
}

function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Loads today's counters from the store and starts counting INBOX arrivals.
 * Fails only when the store cannot be read.
 */
export async function createMailCounters(store: MailStore, now: () => number = Date.now): Promise<MailCounters> {
  const saved = (await store.getSetting(COUNTERS_SETTING)) as CounterDoc | null;
  let doc: CounterDoc = saved && saved.day === dayOf(now()) ? { ...saved } : { day: dayOf(now()), received: 0, sent: 0 };
  let dirty = false;
  const roll = (): void => {
    const d = dayOf(now());
    if (doc.day !== d) {
      doc = { day: d, received: 0, sent: 0 };
      dirty = true;
    }
  };
  const seenModseq = new Map<string, number>();

  const onChange = (e: ChangeEvent): void => {
    if (e.mailbox !== 'INBOX') return;
    const key = `${e.account}\u0000${e.mailboxId}`;
    const from = seenModseq.get(key) ?? e.modseq - 1;
    if (e.modseq <= from) return;
    seenModseq.set(key, e.modseq);
    if (seenModseq.size > 10_000) seenModseq.clear();
    store
      .account(e.account)
      .then((acct) => acct.changesSince('INBOX', from))
      // Only the newest changes are read, which the journal always keeps; a count short
      // after a journal prune would only make today's figure low, never double it.
      .then(({ entries }) => {
        const appended = entries.filter((j) => j.type === 'append' && j.modseq <= e.modseq).length;
        if (appended > 0) counters.noteReceived(appended);
      })
      .catch(() => undefined); // the account or mailbox went away meanwhile: nothing to count
  };
  const unsubscribe = store.onChange(onChange);

  const counters: MailCounters = {
    today() {
      roll();
      return { receivedToday: doc.received, sentToday: doc.sent };
    },
    noteReceived(count = 1) {
      roll();
      doc.received += count;
      dirty = true;
    },
    noteSent(count = 1) {
      roll();
      doc.sent += count;
      dirty = true;
    },
    async persist() {
      roll();
      if (!dirty) return;
      dirty = false;
      try {
        await store.putSetting(COUNTERS_SETTING, { ...doc });
      } catch {
        dirty = true;
      }
    },
    close() {
      unsubscribe();
    },
  };
  return counters;
}
