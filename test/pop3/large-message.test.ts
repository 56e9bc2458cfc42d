import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawPop3 } from './raw-pop3.js';
import { startPop3Harness, type Pop3Harness } from './pop3-harness.js';

/** A message of about `size` octets whose lines start with "." exactly at the store's 64 KiB read-chunk boundaries. */
function bigMessage(size: number): Buffer {
  const head = 'From: a@example.org\r\nTo: alice@example.com\r\nSubject: large\r\n\r\n';
  let text = head;
  while (text.length < size) {
    if (text.length % 65536 === 0) {
      text += '.dot at a chunk boundary\r\n';
      continue;
    }
    const fill = Math.ceil(text.length / 65536) * 65536 - text.length - 2;
    text += fill < 1 ? 'y\r\n' : 'x'.repeat(Math.min(fill, 998)) + '\r\n';
  }
  return Buffer.from(text, 'latin1');
}

// Messages above the read-ahead size are streamed from the blob: stuffing must survive chunk
// boundaries, and a client that does not read must not make the server buffer the message.
describe('pop3 large messages', () => {
  let h: Pop3Harness;
  const alice = 'alice@example.com';
  const big = bigMessage(3 * 1024 * 1024);

  before(async () => {
    h = await startPop3Harness();
    await h.addUser(alice, 'alice-pw');
    await h.deliver(alice, big);
  });
  after(async () => h.close());

  it('streams a 3 MiB message byte-exact, with dot lines at every chunk boundary', async () => {
    assert.equal(big.indexOf('\r\n.dot at a chunk boundary', 65000), 65534);
    const c = await RawPop3.open(h.tlsPort, { ca: h.caPem });
    await c.line();
    assert.match(await c.login(alice, 'alice-pw'), /^\+OK/);
    assert.equal(await c.cmd('LIST 1'), `+OK 1 ${big.length}`);
    const retr = await c.multi('RETR 1');
    assert.ok(retr.body.equals(big));
    const top = await c.multi('TOP 1 3');
    assert.equal(top.body.toString('latin1'), big.toString('latin1').split(/(?<=\r\n)/).slice(0, 7).join(''));
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.waitClosed();
  });

  it('survives a client that stops reading mid-message and resumes (back-pressure path)', async () => {
    const c = await RawPop3.open(h.plainPort);
    await c.line();
    await c.cmd('STLS');
    await c.startTls(h.caPem);
    assert.match(await c.login(alice, 'alice-pw'), /^\+OK/);
    c.socket.pause();
    c.write('RETR 1\r\n');
    // Wait until the server has filled the socket buffers and stopped; then the bytes in
    // flight are a small part of the message.
    let last = -1;
    for (let same = 0; same < 20; ) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const now = c.socket.readableLength + c.pending;
      same = now === last ? same + 1 : 0;
      last = now;
    }
    c.socket.resume();
    const retr = await c.readMulti();
    assert.ok(retr.body.equals(big), 'complete once the client reads again');
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.waitClosed();
  });
});
