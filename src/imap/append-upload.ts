/**
 * APPEND (RFC 3501 §6.3.11, LITERAL+ RFC 7888, UIDPLUS APPENDUID RFC 4315,
 * APPENDLIMIT RFC 7889). The message literal streams from the framer into a
 * new blob (fsynced at commit) and through the MIME indexer, so a 25 MiB
 * message never sits in memory; the message becomes visible only when the
 * store's append batch is synced, and only then does the client get OK
 * (ARCHITECTURE rule 5).
 *
 * Before the client sends the literal, the mailbox and the quota are checked
 * so a doomed upload is refused without reading it (`NO [TRYCREATE]`,
 * `NO [OVERQUOTA]` for the account's quota, `NO [UNAVAILABLE]` (RFC 5530: a
 * temporary failure) for a disk without headroom; too large is refused by the
 * framer with `[TOOBIG]`).
 */
import { hasDiskHeadroom } from '../limits/disk-headroom.js';
import { createMimeIndexer, type MimeIndexer } from '../mime/index.js';
import type { BlobWriter } from '../store/types.js';
import { completionForError } from './dispatch.js';
import type { CommandFramer } from './protocol/framer.js';
import { parseAppendPrefix } from './protocol/parser.js';
import type { AppendCommand } from './protocol/types.js';
import type { CommandContext } from './session.js';
import { statusLine } from './wire.js';

export class AppendUpload {
  private failed: unknown = null;
  private readonly indexer: MimeIndexer;

  private constructor(
    private readonly ctx: CommandContext,
    private readonly cmd: AppendCommand,
    private readonly writer: BlobWriter,
  ) {
    this.indexer = createMimeIndexer();
  }

  /**
   * Decides on the framer's `append` event: checks the command and the
   * mailbox, answers NO/BAD itself when refusing (and tells the framer), or
   * accepts (sending `+` for a synchronising literal) and returns the upload.
   */
  static async begin(ctx: CommandContext, framer: CommandFramer, ev: { frame: Parameters<typeof parseAppendPrefix>[0]; size: number; synchronizing: boolean }): Promise<AppendUpload | null> {
    const parsed = parseAppendPrefix(ev.frame, ev.size, ev.synchronizing);
    const refuse = async (tag: string | null, status: 'NO' | 'BAD', text: string, code?: string | null) => {
      framer.rejectAppend();
      await ctx.write(statusLine(tag ?? '*', status, text, code));
      return null;
    };
    if (!parsed.ok) return refuse(parsed.error.tag, parsed.error.status, parsed.error.message, parsed.error.code);
    const cmd = parsed.command as AppendCommand;
    const s = ctx.state;
    if (s.kind !== 'authenticated' && s.kind !== 'selected') return refuse(cmd.tag, 'BAD', 'Log in first');
    try {
      await s.account.getMailbox(cmd.mailbox);
    } catch {
      return refuse(cmd.tag, 'NO', 'No such mailbox', 'TRYCREATE');
    }
    const info = await ctx.services.store.getAccount(s.account.address);
    if (info && info.quotaBytes > 0 && info.usedBytes + cmd.size > info.quotaBytes) return refuse(cmd.tag, 'NO', 'Mailbox is full', 'OVERQUOTA');
    // Same headroom rule as SMTP: a nearly full card refuses new mail before it fails mid-write.
    if (!(await hasDiskHeadroom(ctx.services.store, ctx.services.limits.maxMessageBytes))) return refuse(cmd.tag, 'NO', 'Not enough disk space, try again later', 'UNAVAILABLE');
    if (cmd.flags.some((f) => f === '\\Recent')) return refuse(cmd.tag, 'BAD', 'The \\Recent flag cannot be set');
    framer.acceptAppend();
    const upload = new AppendUpload(ctx, cmd, ctx.services.store.createBlob());
    if (cmd.synchronizing) await ctx.write('+ Ready for literal data\r\n');
    return upload;
  }

  /** Takes the next piece of the literal (valid only during this call; written before returning). */
  async data(chunk: Uint8Array): Promise<void> {
    if (this.failed) return;
    try {
      this.indexer.push(chunk);
      await this.writer.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    } catch (err) {
      this.failed = err;
    }
  }

  /** The literal and its CRLF arrived: commit, append, answer. */
  async finish(): Promise<void> {
    const { ctx, cmd } = this;
    const s = ctx.state;
    let response: string;
    try {
      if (this.failed) throw this.failed;
      if (s.kind !== 'authenticated' && s.kind !== 'selected') throw new Error('APPEND outside an authenticated session');
      const index = this.indexer.end();
      const { blobId } = await this.writer.commit();
      const rec = await s.account.append(cmd.mailbox, { blobId, index, flags: cmd.flags, internalDate: cmd.date ? cmd.date.getTime() : undefined });
      const box = await s.account.getMailbox(cmd.mailbox);
      if (s.kind === 'selected' && s.view.mailboxId === box.id) ctx.touchView();
      response = statusLine(cmd.tag, 'OK', 'APPEND completed', `APPENDUID ${box.uidValidity} ${rec.uid}`);
    } catch (err) {
      await this.writer.abort().catch(() => undefined);
      const c = completionForError(ctx, err);
      response = statusLine(cmd.tag, c?.status ?? 'NO', c?.text ?? 'APPEND failed', c?.code);
    }
    await ctx.syncView(true);
    await ctx.write(response);
  }

  /** The connection went away mid-upload. */
  async abort(): Promise<void> {
    await this.writer.abort().catch(() => undefined);
  }
}
