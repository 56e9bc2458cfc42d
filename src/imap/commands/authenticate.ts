/**
 * AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4616) with an initial response
 * (SASL-IR, RFC 4959) or after an empty `+ ` challenge. Refused before TLS
 * like LOGIN. `*` cancels (BAD, RFC 3501).
 */
import { decodeSaslPlain } from '../../auth/sasl-plain.js';
import { bad, defineCommand, no, type Completion } from '../session.js';
import { completeLogin } from './login.js';

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
    // Every malformed response gets the same BAD (see PlainProblem); "=" is the empty response and fails too.
    const plain = decodeSaslPlain(response);
    if (!plain.ok) return bad('Invalid PLAIN response');
    return completeLogin(ctx, plain.credentials.authcid, plain.credentials.password);
  },
});
