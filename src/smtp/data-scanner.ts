/**
 * Watches the bytes of a message as they stream in, without keeping them:
 * finds bare CR or bare LF (the raw material of SMTP smuggling, RFC 5321 §2.3.8
 * and security-cases T09) and counts Received headers for loop detection
 * (RFC 5321 §6.3). Pure and resumable: any split of the input gives the same answer.
 */
export class DataScanner {
  private prevCR = false;
  private atLineStart = true;
  private inHeader = true;
  /** First bytes of the current line, enough to recognise "Received:". */
  private lineHead = '';
  /** True once a CR not followed by LF, or an LF not preceded by CR, was seen. */
  bareLineEnding = false;
  receivedHeaders = 0;

  push(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (this.prevCR && b !== 0x0a) this.bareLineEnding = true;
      if (b === 0x0a) {
        if (!this.prevCR) this.bareLineEnding = true;
        this.endLine();
      } else if (b !== 0x0d && this.inHeader && this.lineHead.length < 9) {
        this.lineHead += String.fromCharCode(b);
        if (this.lineHead.length === 9 && this.lineHead.toLowerCase() === 'received:') this.receivedHeaders++;
      }
      if (b !== 0x0d && b !== 0x0a) this.atLineStart = false;
      this.prevCR = b === 0x0d;
      // Past the header the body can be skipped quickly: only CR/LF pairing matters there.
      if (!this.inHeader) {
        i = this.skipToLineBreak(chunk, i + 1) - 1;
      }
    }
  }

  /** Call once the stream has ended; a trailing lone CR counts as bare. */
  end(): void {
    if (this.prevCR) this.bareLineEnding = true;
  }

  private endLine(): void {
    // An empty line ends the header section (RFC 5322 §2.1).
    if (this.atLineStart && this.inHeader) this.inHeader = false;
    this.atLineStart = true;
    this.lineHead = '';
  }

  /** Index of the next CR or LF at or after `from` (or the chunk length). */
  private skipToLineBreak(chunk: Buffer, from: number): number {
    if (this.prevCR) return from;
    const cr = chunk.indexOf(0x0d, from);
    const lf = chunk.indexOf(0x0a, from);
    if (cr < 0 && lf < 0) return chunk.length;
    if (cr < 0) return lf;
    if (lf < 0) return cr;
    return Math.min(cr, lf);
  }
}
