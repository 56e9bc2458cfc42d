import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

/**
 * A promise-shaped outbound SMTP connection on nodemailer's SMTP client.
 * nodemailer's DataStream dot-stuffs every line that starts with "." and
 * turns bare LF into CRLF (RFC 5321 §4.5.2); the message source in front of it
 * also turns bare CR into CRLF, so nothing can end DATA early at the remote
 * (security-cases T10).
 */

export interface ConnectOptions {
  /** Address to connect to (an IP, or a name for a smarthost). */
  host: string;
  port: number;
  /** Name for TLS SNI and certificate checks (the MX or smarthost name). */
  servername: string;
  /** Our name in EHLO. */
  ehloName: string;
  /**
   * `opportunistic`: STARTTLS when offered, certificate not checked (RFC 7435;
   * MX delivery without DANE/MTA-STS); `starttls`: STARTTLS required and the
   * certificate verified; `implicit`: TLS from the first byte, verified; `none`:
   * plain text (the retry after a failed opportunistic handshake).
   */
  tls: 'opportunistic' | 'starttls' | 'implicit' | 'none';
  auth?: { user: string; pass: string };
  /** Extra trusted CA certificates (PEM) for verified connections. */
  ca?: string[];
  localAddress?: string;
  timeoutMs: number;
}

/** The remote's answer for one recipient of one transaction. */
export interface RecipientOutcome {
  recipient: string;
  /** `sent`: the remote took responsibility (250 after DATA). */
  kind: 'sent' | 'temporary' | 'permanent';
  /** The reply line(s), or a description of a local error. */
  reply: string;
}

/** A failure before any transaction (connect, greeting, TLS, AUTH). */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

type SmtpError = SMTPConnection.SMTPError;

function replyText(err: SmtpError | null | undefined, fallback: string): string {
  const text = err?.response ?? err?.message ?? fallback;
  return text.replace(/[\r\n]+/g, ' ').slice(0, 512);
}

function permanent(err: SmtpError | null | undefined): boolean {
  const code = err?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** One connection; `send` may be called repeatedly (RSET in between); `close` always. */
export class OutboundConnection {
  /** Rejects the transaction in flight when the connection errors or ends under it. */
  private broken: ((err: ConnectError) => void) | null = null;

  private constructor(
    private readonly conn: SMTPConnection,
    readonly remote: string,
  ) {
    const lost = (err?: SmtpError): void => {
      const b = this.broken;
      this.broken = null;
      b?.(new ConnectError(replyText(err, 'connection lost'), false, err?.code));
    };
    conn.on('error', lost);
    conn.on('end', () => lost());
  }

  /** Connects, says EHLO, upgrades TLS as the mode says and logs in. Fails with `ConnectError`. */
  static open(o: ConnectOptions): Promise<OutboundConnection> {
    const verified = o.tls === 'starttls' || o.tls === 'implicit';
    const conn = new SMTPConnection({
      host: o.host,
      port: o.port,
      name: o.ehloName,
      secure: o.tls === 'implicit',
      requireTLS: o.tls === 'starttls',
      ignoreTLS: o.tls === 'none',
      opportunisticTLS: o.tls === 'opportunistic',
      localAddress: o.localAddress,
      connectionTimeout: o.timeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: o.timeoutMs,
      logger: false,
      tls: {
        // SNI carries names only (RFC 6066 §3); an IP is checked against the certificate's IP SANs.
        ...(isIP(o.servername) ? {} : { servername: o.servername }),
        rejectUnauthorized: verified,
        minVersion: 'TLSv1.2',
        ...(o.ca && o.ca.length > 0 ? { ca: o.ca } : {}),
      },
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: SmtpError): void => {
        if (settled) return;
        settled = true;
        conn.close();
        reject(new ConnectError(replyText(err, 'connection failed'), permanent(err) && err.command !== 'CONN', err.code));
      };
      conn.on('error', fail);
      conn.once('end', () => fail({ name: 'Error', message: 'connection closed' }));
      conn.connect((err) => {
        if (err) return fail(err);
        if (!o.auth) {
          settled = true;
          return resolve(new OutboundConnection(conn, o.servername));
        }
        conn.login({ credentials: { user: o.auth.user, pass: o.auth.pass } } as never, (loginErr) => {
          if (loginErr) return fail(loginErr);
          settled = true;
          resolve(new OutboundConnection(conn, o.servername));
        });
      });
    });
  }

  /** True when the session runs over TLS. */
  get secure(): boolean {
    return Boolean((this.conn as unknown as { secure?: boolean }).secure);
  }

  /**
   * One transaction (RFC 5321 §3.3). Resolves with an outcome per recipient;
   * rejects only when the connection broke (outcomes then unknown → retry).
   */
  send(from: string, to: string[], message: Readable, size: number): Promise<RecipientOutcome[]> {
    return new Promise<RecipientOutcome[]>((resolve, reject) => {
      this.broken = reject;
      this.conn.send({ from: from || false, to, size }, message, (err, info) => {
        this.broken = null;
        if (!err) {
          const rejected = new Map((info.rejectedErrors ?? []).map((e) => [(e as SmtpError & { recipient?: string }).recipient ?? '', e]));
          resolve(
            to.map((recipient) => {
              const e = rejected.get(recipient);
              if (e) return { recipient, kind: permanent(e) ? 'permanent' : 'temporary', reply: replyText(e, 'rejected') };
              return { recipient, kind: 'sent', reply: replyText(null, info.response) };
            }),
          );
          return;
        }
        const perRecipient = new Map(((err as SmtpError & { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []).map((e) => [(e as SmtpError & { recipient?: string }).recipient ?? '', e]));
        if (err.responseCode === undefined && perRecipient.size === 0) {
          // No SMTP reply: the connection failed mid-transaction.
          reject(new ConnectError(replyText(err, 'connection lost'), false, err.code));
          return;
        }
        resolve(
          to.map((recipient) => {
            const e = perRecipient.get(recipient) ?? err;
            return { recipient, kind: permanent(e) ? 'permanent' : 'temporary', reply: replyText(e, 'failed') };
          }),
        );
      });
    });
  }

  /** RSET before the next transaction on the same connection. */
  reset(): Promise<void> {
    return new Promise((resolve, reject) => this.conn.reset((err) => (err ? reject(new ConnectError(replyText(err, 'RSET failed'), false)) : resolve())));
  }

  /** QUIT and close. Never throws. */
  close(): void {
    try {
      this.conn.quit();
    } catch {
      // already closed
    }
    this.conn.close();
  }

  /** Drops the connection at once (shutdown). */
  abort(): void {
    this.conn.close();
  }
}
