/**
 * One account's mailbox-level operations (`AccountStore`) over the store's
 * core: argument routing only; the work is in mailbox-ops.ts, message-ops.ts
 * and copy-ops.ts.
 */
import type { MessageIndex } from '../mime/types.js';
import type { AccountStore, CopyResult, JournalChanges, MailboxInfo, MessageRecord } from './types.js';
import { copyMessages } from './copy-ops.js';
import * as boxes from './mailbox-ops.js';
import * as msgs from './message-ops.js';
import type { StoreCore } from './store-core.js';
import { canonicalMailboxName } from './validate.js';

/** `AccountStore` of the LevelDB store: one account's mailboxes (made by `MailStore.account`). */
export class LevelAccountStore implements AccountStore {
  constructor(
    private readonly core: StoreCore,
    readonly address: string,
  ) {}

  async listMailboxes(): Promise<MailboxInfo[]> {
    const list = [...this.core.state.mailboxesOf(this.address).values()].map(boxes.mailboxInfo);
    // INBOX first, the rest by name: the order clients show them in.
    return list.sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async getMailbox(name: string): Promise<MailboxInfo> {
    return boxes.mailboxInfo(boxes.requireMailbox(this.core, this.address, canonicalMailboxName(name)));
  }

  async createMailbox(name: string, specialUse?: string | null): Promise<MailboxInfo> {
    return boxes.createMailbox(this.core, this.address, name, specialUse);
  }

  async deleteMailbox(name: string): Promise<void> {
    return boxes.deleteMailbox(this.core, this.address, name);
  }

  async renameMailbox(from: string, to: string): Promise<void> {
    return boxes.renameMailbox(this.core, this.address, from, to);
  }

  async setSubscribed(name: string, subscribed: boolean): Promise<void> {
    return boxes.setSubscribed(this.core, this.address, name, subscribed);
  }

  async listMessages(mailbox: string, fromUid?: number, toUid?: number): Promise<MessageRecord[]> {
    return msgs.listMessages(this.core, this.address, mailbox, fromUid, toUid);
  }

  async append(mailbox: string, input: { blobId: string; index: MessageIndex; flags?: string[]; internalDate?: number }): Promise<MessageRecord> {
    return msgs.append(this.core, this.address, mailbox, input);
  }

  async setFlags(mailbox: string, uids: number[], op: 'add' | 'remove' | 'set', flags: string[]): Promise<MessageRecord[]> {
    return msgs.setFlags(this.core, this.address, mailbox, uids, op, flags);
  }

  async expunge(mailbox: string, uids: number[]): Promise<number[]> {
    return msgs.expunge(this.core, this.address, mailbox, uids);
  }

  async changesSince(mailbox: string, modseq: number): Promise<JournalChanges> {
    return msgs.changesSince(this.core, this.address, mailbox, modseq);
  }

  async storeFlags(mailbox: string, uids: number[], op: 'add' | 'remove' | 'set', flags: string[], unchangedSince?: number): Promise<{ changed: MessageRecord[]; modified: number[] }> {
    return msgs.storeFlags(this.core, this.address, mailbox, uids, op, flags, unchangedSince);
  }

  async copyMessages(from: string, uids: number[], to: string): Promise<CopyResult> {
    return copyMessages(this.core, this.address, from, uids, to, false);
  }

  async moveMessages(from: string, uids: number[], to: string): Promise<CopyResult> {
    return copyMessages(this.core, this.address, from, uids, to, true);
  }

  async snapshot(mailbox: string): Promise<{ mailbox: MailboxInfo; messages: MessageRecord[] }> {
    return msgs.snapshot(this.core, this.address, mailbox);
  }
}
