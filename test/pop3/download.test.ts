import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawPop3 } from './raw-pop3.js';
import { message, startPop3Harness, type Pop3Harness } from './pop3-harness.js';

// The download loop (RETR 1 … RETR n) runs on read-ahead: prepared responses, one write each.
// These check it end to end on the disk store: byte-exact bodies whatever the order, with
// DELE, TOP and jumps in between, a message too big to prepare, and a client that pipelines
// every RETR at once and reads nothing until the server is stuck on back-pressure.
describe('pop3 downloads', () => {
  let h: Pop3Harness;
  const bob = 'bob@example.com';
  const bodies: Buffer[] = [];

  before(async () => {
    h = await startPop3Harness();
    await h.addUser(bob, 'bob-pw');
    for (let i = 1; i <= 150; i++) {
      const size = i === 77 ? 300_000 : 200 + ((i * 997) % 6000);
      const text = `.first body line ${i}\r\n${'z'.repeat(size)}\r\n.\r\n..\r\nlast ${i}`; // no final CRLF on purpose
      bodies.push(message(`m${i}`, text));
    }
    for (const b of bodies) await h.deliver(bob, b);
  });
  after(async () => h.close());

  const session = async (): Promise<RawPop3> => {
    const c = await RawPop3.open(h.tlsPort, { ca: h.caPem });
    await c.line();
    assert.match(await c.login(bob, 'bob-pw'), /^\+OK .*150 messages/);
    return c;
  };
  /** What the client reassembles from a RETR: the message plus the CRLF the server adds before "." when it lacks one. */
  const asReceived = (i: number): Buffer => Buffer.concat([bodies[i - 1]!, Buffer.from('\r\n')]);

  it('sends every message byte-exact, with DELE, TOP, LIST and jumps between the RETRs', async () => {
    const c = await session();
    for (let i = 1; i <= 150; i++) {
      if (i === 20) assert.match(await c.cmd('DELE 21'), /^\+OK/);
      if (i === 21) {
        assert.match(await c.cmd('RETR 21'), /^-ERR/);
        continue;
      }
      if (i === 40) assert.ok((await c.multi('TOP 41 0')).body.toString().includes('Subject: m41'));
      if (i === 60) {
        assert.ok((await c.multi('RETR 140')).body.equals(asReceived(140)), 'jump ahead');
        assert.ok((await c.multi('RETR 3')).body.equals(asReceived(3)), 'and back');
        assert.equal(await c.cmd('LIST 77'), `+OK 77 ${bodies[76]!.length}`);
      }
      const retr = await c.multi(`RETR ${i}`);
      assert.equal(retr.status, `+OK ${bodies[i - 1]!.length} octets`);
      assert.ok(retr.body.equals(asReceived(i)), `message ${i}`);
    }
    assert.match(await c.cmd('RSET'), /^\+OK/);
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.waitClosed();
  });

  it('answers 150 pipelined RETRs in order while the client reads nothing at first', async () => {
    const c = await session();
    c.socket.pause();
    c.write(Array.from({ length: 150 }, (_, i) => `RETR ${i + 1}\r\n`).join('') + 'QUIT\r\n');
    // Let the server run into back-pressure: wait until its output stops growing in our buffers.
    let last = -1;
    for (let same = 0; same < 5; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = c.socket.readableLength;
      same = now === last ? same + 1 : 0;
      last = now;
    }
    c.socket.resume();
    for (let i = 1; i <= 150; i++) assert.ok((await c.readMulti()).body.equals(asReceived(i)), `message ${i}`);
    assert.match((await c.line()) ?? '', /^\+OK/);
    await c.waitClosed();
  });
});
