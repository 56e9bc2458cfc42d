/**
 * STATUS data (RFC 3501 §6.3.10; HIGHESTMODSEQ RFC 7162 §3.1.7; APPENDLIMIT
 * RFC 7889), shared by STATUS and LIST-STATUS (RFC 5819). For the mailbox
 * this session has selected, RECENT comes from its view.
 */
import type { MailboxInfo } from '../store/types.js';
import type { StatusItem } from './protocol/types.js';
import type { CommandContext } from './session.js';
import { mailboxString } from './wire.js';

/** `* STATUS name (ITEM value ...)`, without CRLF. */
export function statusResponse(ctx: CommandContext, box: MailboxInfo, items: readonly StatusItem[]): string {
  const s = ctx.state;
  const view = s.kind === 'selected' && s.view.mailboxId === box.id ? s.view : null;
  const values = items.map((item) => {
    switch (item) {
      case 'MESSAGES':
        return `MESSAGES ${box.messages}`;
      case 'RECENT':
        return `RECENT ${view ? view.recentCount : 0}`;
      case 'UIDNEXT':
        return `UIDNEXT ${box.uidNext}`;
      case 'UIDVALIDITY':
        return `UIDVALIDITY ${box.uidValidity}`;
      case 'UNSEEN':
        return `UNSEEN ${box.unseen}`;
      case 'HIGHESTMODSEQ':
        return `HIGHESTMODSEQ ${box.highestModseq}`;
      case 'APPENDLIMIT':
        return `APPENDLIMIT ${ctx.services.limits.maxMessageBytes}`;
    }
  });
  return `* STATUS ${mailboxString(box.name)} (${values.join(' ')})`;
}
