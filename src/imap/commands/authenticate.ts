/**
 * AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4616) with an initial response
 * (SASL-IR, RFC 4959) or after an empty `+ ` challenge. Refused before TLS
 * like LOGIN. `*` cancels (BAD, RFC 3501).
 */
import { bad, defineCommand, no, type Completion } from '../session.js';
import { completeLogin } from './login.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `authzid NUL authcid NUL password` (RFC 4616 §2); null when malformed or acting as another user. */
export function decodePlain(base64: string): { user: string; password: string } | null {
  if (!BASE64.test(base64)) return null;
  const raw = Buffer.from(base64, 'base64');
  const a = raw.indexOf(0);
  const b = a < 0 ? -1 : raw.indexOf(0, a + 1);
  if (a < 0 || b < 0 || raw.indexOf(0, b + 1) >= 0) return null;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    const authzid = utf8.decode(raw.subarray(0, a));
    const user = utf8.decode(raw.subarray(a + 1, b));
    const password = utf8.decode(raw.subarray(b + 1));
    if (!user || !password) return null;
    // No proxy logins on the box: an authzid must name the same user.
    if (authzid && authzid.toLowerCase() !== user.toLowerCase()) return null;
    return { user, password };
  } catch {
    return null;
  }
}

export const authenticateCommand = defineCommand({
  names: ['AUTHENTICATE'],
  states: ['notAuthenticated'],
  async run(ctx, cmd): Promise<Completion> {
    if (cmd.mechanism.toUpperCase() !== 'PLAIN') return no('Unsupported authentication mechanism', 'CANNOT');
    if (!ctx.tls) return no('Use STARTTLS first', 'PRIVACYREQUIRED');
    let response = cmd.initialResponse;
    if (response === null) {
      await ctx.write('+ \r\n');
      const frame = await ctx.readContinuation();
      if (!frame) return null;
      const line = (frame.lines[0] ?? Buffer.alloc(0)).toString('latin1');
      if (frame.lines.length !== 1) return bad('Invalid response');
      if (line === '*') return bad('Authentication cancelled');
      response = line;
    }
    const creds = decodePlain(response);
    if (!creds) return bad('Invalid PLAIN response');
    return completeLogin(ctx, creds.user, creds.password);
  },
});
