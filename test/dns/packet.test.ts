import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, DnsPacketError, encodeName, encodeQuery, RR_TYPES } from '../../src/dns/packet.js';
import { parseServer } from '../../src/dns/raw-query.js';

test('encodeQuery: header with RD+AD, one question, an EDNS0 OPT record (golden bytes)', () => {
  const q = encodeQuery(0x1234, 'a.example.', RR_TYPES.TLSA);
  const golden = Buffer.from(
    '1234' + '0120' + '0001' + '0000' + '0000' + '0001' + // header: id, RD|AD, QD=1, AR=1
      '01' + '61' + '07' + Buffer.from('example').toString('hex') + '00' + '0034' + '0001' + // a.example. TLSA IN
      '00' + '0029' + '04d0' + '00000000' + '0000', // OPT: root, type 41, 1232 bytes, no flags, no data
    'hex',
  );
  assert.deepEqual(q, golden);
});

test('encodeName rejects empty and over-long labels', () => {
  assert.throws(() => encodeName('a..b'), DnsPacketError);
  assert.throws(() => encodeName(`${'x'.repeat(64)}.test`), DnsPacketError);
  assert.deepEqual(encodeName('.'), Buffer.from([0]));
});

/** Builds an answer by hand: header, the question, then records whose names point back at the question (0xc00c). */
function answer(flags: number, records: { type: number; rdata: Buffer }[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0xbeef, 0);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const question = Buffer.concat([encodeName('x.test'), Buffer.from([0, 16, 0, 1])]);
  const rrs = records.map((r) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0);
    fixed.writeUInt16BE(r.type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(300, 6);
    fixed.writeUInt16BE(r.rdata.length, 10);
    return Buffer.concat([fixed, r.rdata]);
  });
  return Buffer.concat([header, question, ...rrs]);
}

test('decodeMessage: flags, compressed names, TXT strings, MX, TLSA, CAA, AAAA', () => {
  const txt = Buffer.concat([Buffer.from([3]), Buffer.from('abc'), Buffer.from([2]), Buffer.from('de')]);
  const mx = Buffer.concat([Buffer.from([0, 10]), Buffer.from([4]), Buffer.from('mail'), Buffer.from([0xc0, 0x0c])]);
  const tlsa = Buffer.from('030101' + 'ab'.repeat(32), 'hex');
  const caa = Buffer.concat([Buffer.from([0, 5]), Buffer.from('issue'), Buffer.from('letsencrypt.org')]);
  const aaaa = Buffer.from('20010db8000000000000000000000010', 'hex');
  const msg = decodeMessage(answer(0x81a0, [
    { type: RR_TYPES.TXT, rdata: txt },
    { type: RR_TYPES.MX, rdata: mx },
    { type: RR_TYPES.TLSA, rdata: tlsa },
    { type: RR_TYPES.CAA, rdata: caa },
    { type: RR_TYPES.AAAA, rdata: aaaa },
  ]));
  assert.equal(msg.id, 0xbeef);
  assert.equal(msg.flags.qr, true);
  assert.equal(msg.flags.rd, true);
  assert.equal(msg.flags.ra, true);
  assert.equal(msg.flags.ad, true);
  assert.equal(msg.flags.rcode, 0);
  assert.deepEqual(msg.questions, [{ name: 'x.test', type: 16, klass: 1 }]);
  assert.deepEqual(msg.answers.map((a) => a.data), [
    ['abc', 'de'],
    { priority: 10, exchange: 'mail.x.test' },
    { usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) },
    { critical: 0, tag: 'issue', value: 'letsencrypt.org' },
    '2001:db8:0:0:0:0:0:10',
  ]);
  assert.ok(msg.answers.every((a) => a.name === 'x.test' && a.ttl === 300));
});

test('decodeMessage rejects truncation, pointer loops and overrunning strings', () => {
  const good = answer(0x8180, [{ type: RR_TYPES.TXT, rdata: Buffer.from([3, 0x61, 0x62, 0x63]) }]);
  for (let cut = 0; cut < good.length; cut++) assert.throws(() => decodeMessage(good.subarray(0, cut)), DnsPacketError, `cut at ${cut}`);
  const loop = Buffer.from(good);
  loop.writeUInt16BE(0xc00c, 12); // the question name points at itself
  assert.throws(() => decodeMessage(loop), /loop/);
  assert.throws(() => decodeMessage(answer(0x8180, [{ type: RR_TYPES.TXT, rdata: Buffer.from([9, 0x61]) }])), /overruns/);
});

test('parseServer reads the forms getServers() produces', () => {
  assert.deepEqual(parseServer('192.0.2.1'), { host: '192.0.2.1', port: 53 });
  assert.deepEqual(parseServer('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseServer('2001:db8::1'), { host: '2001:db8::1', port: 53 });
  assert.deepEqual(parseServer('[2001:db8::1]:5353'), { host: '2001:db8::1', port: 5353 });
});
