import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import pino from 'pino';
import { linkServiceManager, watchdogInterval } from '../../src/system/service-manager.js';

/**
 * Stands in for systemd's end of the notify protocol: a Unix datagram socket
 * (which Node.js cannot open, hence Python) printing each message as one JSON
 * line, and closing the file descriptor systemd-notify passes with BARRIER=1 so
 * the real `systemd-notify` returns just as it does under systemd.
 */
const LISTENER = `
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("LISTENING"), flush=True)
while True:
    data, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for i in range(0, len(payload) - len(payload) % 4, 4):
                os.close(int.from_bytes(payload[i:i + 4], sys.byteorder))
    print(json.dumps(data.decode()), flush=True)
`;

interface Listener {
  path: string;
  messages: string[];
  /** Resolves once a message satisfying `match` has arrived (including earlier ones). */
  waitFor(match: (messages: string[]) => boolean): Promise<void>;
  child: ChildProcess;
}

async function startListener(dir: string): Promise<Listener> {
  const path = join(dir, 'notify.sock');
  const child = spawn('python3', ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  const waiters: Array<{ match: (m: string[]) => boolean; resolve: () => void }> = [];
  let listening: () => void = () => {};
  const up = new Promise<void>((resolve) => (listening = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const text = JSON.parse(line) as string;
    if (text === 'LISTENING') return listening();
    messages.push(text);
    for (const w of [...waiters]) {
      if (w.match(messages)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  await up;
  return {
    path,
    messages,
    child,
    waitFor: (match) =>
      match(messages) ? Promise.resolve() : new Promise((resolve) => waiters.push({ match, resolve })),
  };
}

function captureLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

test('READY, STOPPING and watchdog pings reach a notify socket through the real systemd-notify', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lb-notify-'));
  const listener = await startListener(dir);
  t.after(async () => {
    listener.child.kill();
    await rm(dir, { recursive: true, force: true });
  });
  const { log, lines } = captureLog();
  const link = linkServiceManager({
    log,
    pid: 4242,
    env: { ...process.env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '4242' },
  });
  try {
    assert.equal(link.active, true);
    assert.equal(link.watchdogIntervalMs, 50);
    await link.ready('serving mail');
    assert.ok(listener.messages.includes('READY=1\nSTATUS=serving mail'), `got ${JSON.stringify(listener.messages)}`);
    // The first ping goes out at once, the rest every 50 ms: wait for three.
    await listener.waitFor((m) => m.filter((x) => x === 'WATCHDOG=1').length >= 3);
    await link.stopping();
    assert.ok(listener.messages.includes('STOPPING=1'));
    assert.deepEqual(lines.filter((l) => l.includes('could not notify')), []);
  } finally {
    link.close();
  }
});

test('without NOTIFY_SOCKET nothing is sent and nothing is armed', async () => {
  const { log, lines } = captureLog();
  const link = linkServiceManager({ log, env: { WATCHDOG_USEC: '100000' }, command: '/nonexistent/systemd-notify' });
  assert.equal(link.active, false);
  assert.equal(link.watchdogIntervalMs, undefined);
  await link.ready();
  await link.stopping();
  link.close();
  assert.deepEqual(lines, []);
});

test('a missing notify tool is logged once and start-up carries on', async () => {
  const { log, lines } = captureLog();
  const link = linkServiceManager({ log, env: { NOTIFY_SOCKET: '/run/none' }, command: '/nonexistent/systemd-notify' });
  await link.ready();
  await link.ready();
  link.close();
  assert.equal(lines.filter((l) => l.includes('could not notify the service manager')).length, 1);
});

test('the watchdog period is half of WATCHDOG_USEC and only for the process it names', () => {
  assert.equal(watchdogInterval({ WATCHDOG_USEC: '30000000' }, 7), 15_000);
  assert.equal(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 7), 15_000);
  assert.equal(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '8' }, 7), undefined);
  assert.equal(watchdogInterval({ WATCHDOG_USEC: 'soon' }, 7), undefined);
  assert.equal(watchdogInterval({ WATCHDOG_USEC: '0' }, 7), undefined);
  assert.equal(watchdogInterval({}, 7), undefined);
});
