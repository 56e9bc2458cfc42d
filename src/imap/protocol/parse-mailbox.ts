/**
 * Mailbox-level arguments: LIST with LIST-EXTENDED/LIST-STATUS options
 * (RFC 5258 §6, RFC 5819, RFC 6154 §3), SELECT/EXAMINE parameters
 * (RFC 7162 §3.1.8, §3.2.5) and STATUS items (RFC 3501 §6.3.10).
 */
import { CommandReader, bad } from './command-reader.js';
import { mailboxFromBytes, readList, readSequenceSet } from './parse-common.js';
import type { AuthenticatedCommand, ListReturn, ListSelection, QresyncParams, StatusItem } from './types.js';

type ListCommand = Extract<AuthenticatedCommand, { name: 'LIST' }>;

const STATUS_ITEMS = new Set<string>(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'APPENDLIMIT']);

/** One status-att. */
export function readStatusItem(r: CommandReader): StatusItem {
  const item = r.keyword();
  if (!STATUS_ITEMS.has(item)) bad(`Unknown STATUS item ${item.slice(0, 40)}`);
  return item as StatusItem;
}

/** `list` arguments after the command name. */
export function readListCommand(r: CommandReader, tag: string): ListCommand {
  r.sp();
  const selection: ListSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  const returns: ListReturn = { subscribed: false, children: false, specialUse: false, status: null };
  let extended = false;
  if (r.peek() === 0x28) {
    extended = true;
    readList(
      r,
      () => {
        const opt = r.keyword();
        if (opt === 'SUBSCRIBED') selection.subscribed = true;
        else if (opt === 'REMOTE') selection.remote = true;
        else if (opt === 'RECURSIVEMATCH') selection.recursiveMatch = true;
        else if (opt === 'SPECIAL-USE') selection.specialUse = true;
        else bad('Unknown LIST selection option');
      },
      true,
    );
    // RFC 5258 §3: RECURSIVEMATCH only modifies a base option.
    if (selection.recursiveMatch && !selection.subscribed && !selection.specialUse) bad('RECURSIVEMATCH needs a selection option');
    r.sp();
  }
  const reference = mailboxFromBytes(r.astring());
  r.sp();
  let patterns: string[];
  if (r.peek() === 0x28) {
    extended = true;
    patterns = readList(r, () => mailboxFromBytes(r.listMailbox()));
  } else patterns = [mailboxFromBytes(r.listMailbox())];
  if (r.acceptSp()) {
    extended = true;
    if (r.keyword() !== 'RETURN') bad('Expected RETURN');
    r.sp();
    readList(
      r,
      () => {
        const opt = r.keyword();
        if (opt === 'SUBSCRIBED') returns.subscribed = true;
        else if (opt === 'CHILDREN') returns.children = true;
        else if (opt === 'SPECIAL-USE') returns.specialUse = true;
        else if (opt === 'STATUS') {
          r.sp();
          returns.status = readList(r, () => readStatusItem(r));
        } else bad('Unknown LIST return option');
      },
      true,
    );
  }
  r.end();
  return { tag, name: 'LIST', reference, patterns, selection, returns, extended };
}

/** SELECT/EXAMINE `(CONDSTORE)` / `(QRESYNC (uidvalidity modseq [known-uids] [(seqs uids)]))`. */
export function readSelectParams(r: CommandReader): { condstore: boolean; qresync: QresyncParams | null } {
  let condstore = false;
  let qresync: QresyncParams | null = null;
  readList(r, () => {
    const p = r.keyword();
    if (p === 'CONDSTORE') condstore = true;
    else if (p === 'QRESYNC') {
      r.sp();
      r.expect(0x28, '(');
      const uidValidity = r.number(true);
      r.sp();
      const modseq = r.modseq();
      let knownUids = null;
      let seqMatch = null;
      if (r.acceptSp()) {
        if (r.peek() !== 0x28) {
          knownUids = readSequenceSet(r);
          if (r.acceptSp() && r.peek() !== 0x28) bad('Expected sequence match data');
        }
        if (r.peek() === 0x28) {
          r.expect(0x28, '(');
          const seqs = readSequenceSet(r);
          r.sp();
          const uids = readSequenceSet(r);
          r.expect(0x29, ')');
          seqMatch = { seqs, uids };
        }
      }
      r.expect(0x29, ')');
      qresync = { uidValidity, modseq, knownUids, seqMatch };
    } else bad('Unknown SELECT parameter');
  });
  return { condstore, qresync };
}
