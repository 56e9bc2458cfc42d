import type { MailStore } from '../store/types.js';
import { err, multiline, ok, parseCommand, type Pop3Command } from './protocol.js';
import type { Maildrop, MaildropEntry } from './maildrop.js';
import { sendMessage, type Pop3Output } from './send-message.js';
import type { ReadAhead } from './read-ahead.js';

/** The body vanished under us (an IMAP expunge of the only copy, T58): never send a different message. */
function gone(): string {
  return err('Message is no longer available');
}

/** Looks up a message number and writes the RFC 1939 -ERR for missing or deleted ones; null when it did. */
async function entryOr(out: Pop3Output, drop: Maildrop, n: number): Promise<MaildropEntry | null> {
  const found = drop.lookup(n);
  if (found.found) return found.entry;
  await out.write(found.reason === 'deleted' ? err(`Message ${n} is deleted`) : err('No such message'));
  return null;
}

/**
 * The download loop's fast path: `RETR n` for a message whose response the
 * read-ahead has ready is written at once, with no promise in between.
 * Returns false when `line` is anything else (or the message is not ready),
 * and the caller runs the ordinary path; otherwise what `writeNow` returned.
 */
export function quickRetr(out: Pop3Output, drop: Maildrop, readAhead: ReadAhead, line: Buffer): false | Promise<void> | undefined {
  // "RETR" SP 1*9DIGIT: at most 14 octets; the first letter rules out everything else cheaply.
  if (line.length < 6 || line.length > 14 || (line[0]! | 0x20) !== 0x72) return false;
  const cmd = parseCommand(line.toString('latin1'));
  if (cmd.name !== 'RETR' || !drop.lookup(cmd.msg).found) return false;
  const ready = readAhead.takeReady(cmd.msg);
  if (!ready) return false;
  const written = out.writeNow(ready);
  readAhead.refill(); // after the write, so the client already has its bytes
  return written;
}

/**
 * TRANSACTION-state commands (RFC 1939 §5, §7; UIDL and TOP are RFC 1939
 * optional commands announced in CAPA). Message numbers refer to the login
 * snapshot; a deleted message is answered -ERR by every command but LIST
 * and UIDL without an argument, which skip it. Resolves false when `cmd` is
 * not a TRANSACTION command (the caller counts it as bad); rejects only when
 * the connection fails mid-message, and then the caller must close it.
 */
export async function runTransactionCommand(store: MailStore, out: Pop3Output, drop: Maildrop, readAhead: ReadAhead, cmd: Pop3Command): Promise<boolean> {
  switch (cmd.name) {
    case 'STAT': {
      const { count, octets } = drop.stat();
      await out.write(`+OK ${count} ${octets}\r\n`);
      return true;
    }
    case 'LIST':
    case 'UIDL': {
      const show = (n: number, e: MaildropEntry): string => `${n} ${cmd.name === 'LIST' ? e.size : e.uidl}`;
      if (cmd.msg !== null) {
        const entry = await entryOr(out, drop, cmd.msg);
        if (entry) await out.write(ok(show(cmd.msg, entry)));
        return true;
      }
      const lines: string[] = [];
      drop.entries.forEach((e, i) => {
        if (!e.deleted) lines.push(show(i + 1, e));
      });
      const { count, octets } = drop.stat();
      await out.write(multiline(cmd.name === 'LIST' ? `${count} messages (${octets} octets)` : 'Unique-ID listing follows', lines));
      return true;
    }
    case 'RETR':
    case 'TOP': {
      const entry = await entryOr(out, drop, cmd.msg);
      if (!entry) return true;
      if (cmd.name === 'RETR') {
        // The common case, a small message read ahead: its whole response in one write.
        const taken = readAhead.take(cmd.msg);
        const prepared = taken instanceof Promise ? await taken : taken;
        if (prepared !== undefined) {
          const written = out.write(prepared ?? gone());
          readAhead.refill(); // after the write, so the client already has its bytes
          await written;
          return true;
        }
      }
      const sent = await sendMessage(store, out, entry, cmd.name === 'TOP' ? cmd.lines : null);
      if (!sent) await out.write(gone());
      if (cmd.name === 'RETR') readAhead.refill();
      return true;
    }
    case 'DELE': {
      const entry = await entryOr(out, drop, cmd.msg);
      if (!entry) return true;
      entry.deleted = true;
      await out.write(ok(`Message ${cmd.msg} deleted`));
      return true;
    }
    case 'RSET': {
      drop.reset();
      const { count, octets } = drop.stat();
      await out.write(ok(`Maildrop has ${count} messages (${octets} octets)`));
      return true;
    }
    case 'NOOP':
      await out.write(ok(''));
      return true;
    default:
      return false;
  }
}
