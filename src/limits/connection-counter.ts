/**
 * Open connections counted per key, under one cap (ARCHITECTURE rule 9). The
 * SMTP, IMAP and POP3 listeners use it for "connections from one client
 * address", and IMAP also for "sessions of one account" and "sessions of one
 * account from one address", so one busy or hostile host cannot take every
 * slot of a service on a board with little memory.
 *
 * Pure bookkeeping: it never touches a socket. The caller adds when it
 * accepts a connection and removes exactly once when that connection ends.
 */
export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  /** `max`: connections allowed per key at once (0 refuses every one). */
  constructor(readonly max: number) {}

  /** Connections currently counted for `key` (0 when none). */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** True when `key` is below the cap, so one more connection may be added. */
  hasRoom(key: string): boolean {
    return this.count(key) < this.max;
  }

  /**
   * Counts one more connection for `key` if it has room; false, counting
   * nothing, when the key is at its cap (the caller refuses the connection).
   */
  tryAdd(key: string): boolean {
    if (!this.hasRoom(key)) return false;
    this.add(key);
    return true;
  }

  /**
   * Counts one more connection for `key` without checking the cap, for a
   * caller that checked several counters with `hasRoom` first and must add to
   * all of them or none.
   */
  add(key: string): void {
    this.counts.set(key, this.count(key) + 1);
  }

  /**
   * One connection of `key` ended. A key at zero is forgotten, so the counter
   * holds only addresses and accounts with connections open, however many
   * clients came and went. Removing a key that is not counted does nothing.
   */
  remove(key: string): void {
    const left = this.count(key) - 1;
    if (left <= 0) this.counts.delete(key);
    else this.counts.set(key, left);
  }

  /** Keys with at least one connection open. */
  get size(): number {
    return this.counts.size;
  }
}
