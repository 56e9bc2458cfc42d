import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDnsResolver } from '../../src/dns/node-resolver.js';
import { fetchPublicIp } from '../../src/dns/public-ip.js';
import { isMailError } from '../../src/errors.js';

/** A UDP "DNS server" on 127.0.0.1 that answers every query with `rcode`, or never answers when rcode is null. */
async function udpServer(rcode: number | null): Promise<{ socket: Socket; server: string; queries: number }> {
  const socket = createSocket('udp4');
  const state = { socket, server: '', queries: 0 };
  socket.on('message', (msg, peer) => {
    state.queries++;
    if (rcode === null || msg.length < 12) return;
    const reply = Buffer.from(msg);
    // QR=1, keep opcode/RD, RA=1, set the rcode; no answers; drop the additional (OPT) section.
    reply.writeUInt16BE((msg.readUInt16BE(2) & 0x7900) | 0x8080 | rcode, 2);
    reply.writeUInt16BE(0, 6);
    reply.writeUInt16BE(0, 8);
    reply.writeUInt16BE(0, 10);
    let end = 12;
    while ((reply[end] as number) !== 0) end += 1 + (reply[end] as number);
    socket.send(reply.subarray(0, end + 5), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  state.server = `127.0.0.1:${(socket.address() as AddressInfo).port}`;
  return state;
}

test('SERVFAIL and REFUSED from the server become failed lookups, for c-ares and for the raw client', async () => {
  for (const [rcode, failure] of [[2, 'SERVFAIL'], [5, 'REFUSED']] as const) {
    const srv = await udpServer(rcode);
    try {
      const resolver = createDnsResolver({ servers: [srv.server], timeoutMs: 2000, tries: 1 });
      for (const lookup of [await resolver.mx('example.test'), await resolver.txt('example.test'), await resolver.ptr('192.0.2.10'), await resolver.tlsa('_25._tcp.mail.example.test')]) {
        assert.equal(lookup.kind, 'failed');
        assert.equal(lookup.kind === 'failed' && lookup.failure, failure);
      }
      const auth = await resolver.authentic('example.test', 'MX');
      assert.equal(auth.kind === 'failed' && auth.failure, failure);
    } finally {
      srv.socket.close();
    }
  }
});

test('a server that never answers gives TIMEOUT, not "missing"', async () => {
  const srv = await udpServer(null);
  try {
    const resolver = createDnsResolver({ servers: [srv.server], timeoutMs: 300, tries: 1 });
    const mx = await resolver.mx('example.test');
    assert.equal(mx.kind === 'failed' && mx.failure, 'TIMEOUT');
    const tlsa = await resolver.tlsa('_25._tcp.mail.example.test');
    assert.equal(tlsa.kind === 'failed' && tlsa.failure, 'TIMEOUT');
    assert.ok(srv.queries >= 2);
  } finally {
    srv.socket.close();
  }
});

test('fetchPublicIp reads the address from a local echo server and rejects non-addresses', async () => {
  let body = '203.0.113.7\n';
  let status = 200;
  const server = createHttpServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    assert.equal(await fetchPublicIp(url), '203.0.113.7');
    body = '<html>not an address</html>';
    await assert.rejects(fetchPublicIp(url), (err) => isMailError(err, 'invalid'));
    status = 503;
    await assert.rejects(fetchPublicIp(url), (err) => isMailError(err, 'temporary'));
    await assert.rejects(fetchPublicIp('ftp://127.0.0.1/'), (err) => isMailError(err, 'invalid'));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
