// Submission + outbound queue runner + scripted remote, with a fake DNS that
// sends example.net (and friends) to the capture server, and a fake clock.
import pino from 'pino';
import nodemailer from 'nodemailer';
import { startOutboundQueue, type OutboundQueue } from '../../src/smtp/outbound/queue-runner.js';
import type { StoredOutboundSettings } from '../../src/smtp/outbound/settings.js';
import { startSubmissionHarness, type SubmissionHarness } from './submission-harness.js';
import { fakeResolver, startCaptureServer, type CaptureScript, type CaptureServer } from './outbound-capture.js';

export interface OutboundHarness {
  sub: SubmissionHarness;
  capture: CaptureServer;
  queue: OutboundQueue;
  resolver: ReturnType<typeof fakeResolver>;
  /** The fake clock (ms); move it with `advance`. */
  clock: { now: number };
  advance(ms: number): void;
  /** Sends as alice over 465 with nodemailer. */
  send(to: string[], raw: string, from?: string): Promise<void>;
  /** Starts a fresh runner (after `queue.close()`), e.g. to model a restart. */
  restartQueue(): void;
  /** Recipients the runner reported delivered (its `onDelivered` callback). */
  deliveredCount: number;
  close(): Promise<void>;
}

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

export async function startOutboundHarness(options: { script?: CaptureScript; settings?: StoredOutboundSettings; trustedCa?: string[] } = {}): Promise<OutboundHarness> {
  const clock = { now: T0 };
  const sub = await startSubmissionHarness({ now: () => clock.now });
  const capture = await startCaptureServer(options.script ?? {});
  const resolver = fakeResolver({
    mx: {
      'example.net': [{ exchange: 'mx.example.net', priority: 10 }],
      'other.example': [{ exchange: 'mx.example.net', priority: 10 }],
      'nomail.example': [{ exchange: '', priority: 0 }],
    },
    a: { 'mx.example.net': ['127.0.0.1'], 'implicit.example': ['127.0.0.1'] },
  });
  const start = () =>
    startOutboundQueue({
      store: sub.store,
      log: pino({ level: 'silent' }),
      hostname: 'mail.test',
      resolver,
      settings: { commandTimeoutMs: 10_000, ...options.settings },
      now: () => clock.now,
      mxPort: capture.port,
      trustedCa: options.trustedCa,
      onDelivered: (n) => {
        h.deliveredCount += n;
      },
    });
  const h: OutboundHarness = {
    sub,
    capture,
    queue: start(),
    resolver,
    clock,
    deliveredCount: 0,
    advance(ms) {
      clock.now += ms;
    },
    async send(to, raw, from = 'alice@mail.test') {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: sub.port465, secure: true, auth: { user: 'alice@mail.test', pass: 'alice-pw' }, tls: { ca: sub.caPem, servername: 'mail.test' } });
      try {
        await t.sendMail({ envelope: { from, to }, raw });
      } finally {
        t.close();
      }
    },
    restartQueue() {
      h.queue = start();
    },
    async close() {
      await h.queue.close();
      await capture.close();
      await sub.close();
    },
  };
  return h;
}

/** A small message from alice. */
export function message(subject: string, to = 'carol@example.net', body = 'hello\r\n'): string {
  return `From: Alice <alice@mail.test>\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\n${body}`;
}
