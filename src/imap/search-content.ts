/**
 * What SEARCH reads of one message beyond the view (RFC 3501 §6.4.4): header
 * fields (parsed from the header bytes, RFC 2047 words decoded), the header as
 * TEXT sees it, and whether the body text contains a string. Everything is
 * read at most once per message and only when a key asks; the MIME index and
 * the whole body may be handed in, read for a batch of messages at once.
 */
import { parseHeaderFields } from '../mime/index.js';
import type { MessageIndex } from '../mime/types.js';
import type { MailStore, MessageRecord } from '../store/types.js';
import { bodyContains, decodeEncodedWords, fold } from './search-text.js';

/**
 * Lazily loaded content of one message; every loader swallows store errors
 * (an expunged body matches nothing). The index may be handed in, read for
 * many messages at once.
 */
export class MessageContent {
  private headers?: Promise<{ name: string; value: string }[] | null>;
  private headerText?: Promise<string | null>;
  private rawP?: Promise<Buffer>;

  constructor(
    private readonly store: MailStore,
    private readonly msg: MessageRecord,
    private readonly preset?: MessageIndex | null,
    private readonly presetRaw?: Buffer | null,
  ) {}

  private indexP?: Promise<MessageIndex>;

  private index(): Promise<MessageIndex> {
    if (this.preset !== undefined) return this.preset ? Promise.resolve(this.preset) : Promise.reject(new Error('message index gone'));
    this.indexP ??= this.store.getIndex(this.msg.blobId);
    return this.indexP;
  }

  /** The whole message, read once (one read of its file). */
  private raw(): Promise<Buffer> {
    if (this.presetRaw !== undefined) this.rawP ??= this.presetRaw ? Promise.resolve(this.presetRaw) : Promise.reject(new Error('message body gone'));
    this.rawP ??= this.store.readBlobRange(this.msg.blobId, 0, this.msg.size);
    return this.rawP;
  }

  /** Values of one header field (RFC 2047 words decoded); null when the message is gone. */
  async headerValues(name: string): Promise<string[] | null> {
    const fields = await this.headerFields();
    return fields ? fields.filter((f) => f.name === name).map((f) => f.value) : null;
  }

  headerFields(): Promise<{ name: string; value: string }[] | null> {
    this.headers ??= (async () => {
      try {
        const end = (await this.index()).root.bodyStart;
        const bytes = this.rawP ? (await this.rawP).subarray(0, end) : await this.store.readBlobRange(this.msg.blobId, 0, end);
        return parseHeaderFields(bytes).map((f) => ({ name: f.name, value: decodeEncodedWords(f.value) }));
      } catch {
        return null;
      }
    })();
    return this.headers;
  }

  /** True when the body text contains `want` (folded); null when the message is gone. */
  async bodyContains(want: string): Promise<boolean | null> {
    try {
      const index = await this.index();
      return bodyContains(index.root, await this.raw(), want);
    } catch {
      return null;
    }
  }

  /** The header as TEXT searches it: "name: value" lines, decoded and folded. */
  foldedHeader(): Promise<string | null> {
    this.headerText ??= (async () => {
      if (this.preset !== null && this.presetRaw !== undefined) await this.raw().catch(() => undefined);
      const fields = await this.headerFields();
      return fields ? fold(fields.map((f) => `${f.name}: ${f.value}`).join('\n')) : null;
    })();
    return this.headerText;
  }
}
