// Fixture-table tests of the MIME indexer: part tree, paths, offsets (by
// slicing the raw bytes), line counts, MIME fields and ENVELOPEs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indexMessage } from '../../src/mime/index.js';
import type { EnvelopeAddress, MessageIndex, MimePart } from '../../src/mime/types.js';
import { EXPECTATIONS } from './fixture-expectations.js';
import { assertSane, flatten, loadFixture } from './mime-helpers.js';

function addr(name: string | null, mailbox: string | null, host: string | null, adl: string | null = null): EnvelopeAddress {
  return { name, adl, mailbox, host };
}

function indexFixture(file: string): { raw: Buffer; ix: MessageIndex; parts: MimePart[] } {
  const raw = loadFixture(file);
  const ix = indexMessage(raw);
  return { raw, ix, parts: flatten(ix.root) };
}

describe('MIME indexer fixture table', () => {
  for (const exp of EXPECTATIONS) {
    it(`${exp.file}${exp.limits ? ` with ${JSON.stringify(exp.limits)}` : ''}`, () => {
      const raw = loadFixture(exp.file);
      const ix = indexMessage(raw, exp.limits);
      assertSane(ix, raw);
      assert.equal(ix.size, raw.length);
      assert.equal(ix.truncated, exp.truncated ?? false);
      const parts = flatten(ix.root);
      assert.deepEqual(
        parts.map((p) => `${p.path}:${p.type}/${p.subtype}`),
        exp.parts.map((p) => `${p.path}:${p.type}`),
      );
      exp.parts.forEach((e, i) => {
        const p = parts[i] as MimePart;
        const label = `part ${i} (${e.path})`;
        assert.ok(raw.subarray(p.headerStart).toString('utf8').startsWith(e.head), `${label} head`);
        const body = raw.subarray(p.bodyStart, p.bodyEnd).toString('utf8');
        if (e.body !== undefined) assert.equal(body, e.body, `${label} body`);
        if (e.bodyHead !== undefined) assert.ok(body.startsWith(e.bodyHead), `${label} body start: ${JSON.stringify(body.slice(0, 40))}`);
        if (e.bodyTail !== undefined) assert.ok(body.endsWith(e.bodyTail), `${label} body end: ${JSON.stringify(body.slice(-40))}`);
        assert.equal(p.bodyLines, e.lines, `${label} lines`);
        if (e.params) assert.deepEqual(p.params, e.params, `${label} params`);
        if (e.encoding) assert.equal(p.encoding, e.encoding, `${label} encoding`);
      });
    });
  }
});

describe('MIME fields and ENVELOPE from fixtures', () => {
  it('plain text: ENVELOPE with sender and reply-to defaulting to from', () => {
    const { ix } = indexFixture('01-plain-text.eml');
    const fred = [addr('Fred Foobar', 'foobar', 'Blurdybloop.example')];
    assert.deepEqual(ix.root.envelope, {
      date: 'Mon, 7 Feb 1994 21:52:25 -0800 (PST)',
      subject: 'afternoon meeting',
      from: fred,
      sender: fred,
      replyTo: fred,
      to: [addr(null, 'mooch', 'owatagu.siam.edu.example')],
      cc: null,
      bcc: null,
      inReplyTo: null,
      messageId: '<B27397-0100000@Blurdybloop.example>',
    });
  });

  it('attachment: disposition with parameters, folded Content-Type', () => {
    const { parts } = indexFixture('03-mixed-attachment.eml');
    assert.deepEqual(parts[2]?.disposition, { type: 'attachment', params: { filename: 'report.pdf', size: '24' } });
    assert.equal(parts[1]?.disposition, null);
    assert.equal(parts[0]?.envelope?.subject, 'report attached');
    assert.equal(parts[1]?.envelope, null);
  });

  it('nested multipart: Content-ID', () => {
    const { parts } = indexFixture('04-nested-multipart.eml');
    assert.equal(parts.find((p) => p.path === '1.2.2')?.id, '<logo>');
  });

  it('message/rfc822: the part and its embedded root carry the inner ENVELOPE', () => {
    const { ix, parts } = indexFixture('05-rfc822-attachment.eml');
    const msg = parts[2] as MimePart;
    const inner = parts[3] as MimePart;
    assert.equal(msg.children.length, 1);
    assert.equal(msg.children[0], inner);
    assert.equal(msg.description, 'forwarded message');
    assert.deepEqual(msg.envelope, inner.envelope);
    assert.deepEqual(inner.envelope, {
      date: 'Tue, 1 Mar 2022 12:00:00 +0000',
      subject: 'lunch',
      from: [addr('Original', 'orig', 'example.org')],
      sender: [addr('Original', 'orig', 'example.org')],
      replyTo: [addr('Original', 'orig', 'example.org')],
      to: [addr('Forwarder', 'fwd', 'example.com')],
      cc: null,
      bcc: null,
      inReplyTo: '<earlier@example.org>',
      messageId: '<orig-1@example.org>',
    });
    assert.equal(ix.root.envelope?.subject, 'Fwd: lunch');
    assert.equal(parts[4]?.envelope, null);
  });

  it('multipart/digest: children default to message/rfc822 with their own ENVELOPE', () => {
    const { parts } = indexFixture('06-digest.eml');
    assert.equal(parts[1]?.envelope?.subject, 'first');
    assert.equal(parts[4]?.envelope?.subject, 'second');
    assert.equal(parts[3]?.envelope, null);
  });

  it('RFC 2231 parameters and the other MIME fields', () => {
    const { parts } = indexFixture('07-rfc2231-params.eml');
    const one = parts[1] as MimePart;
    assert.deepEqual(one.disposition, { type: 'attachment', params: { filename: 'naïve résumé.txt' } });
    assert.deepEqual(one.language, ['en', 'fr']);
    assert.equal(one.location, 'http://example.com/doc');
    assert.equal(one.id, '<part1@example.com>');
    assert.equal(one.description, 'a description');
    assert.equal(one.md5, 'Q2hlY2sgSW50ZWdyaXR5IQ==');
    const two = parts[2] as MimePart;
    assert.deepEqual(two.disposition, { type: 'inline', params: { filename: 'longname.txt' } });
    assert.equal(two.language, null);
    assert.equal(two.id, null);
  });

  it('odd addresses: groups, routes, comments, quoted strings, missing domains', () => {
    const { ix } = indexFixture('08-odd-addresses.eml');
    const env = ix.root.envelope;
    assert.ok(env);
    assert.equal(env.date, 'Thu, 13 Feb 1969 23:32:54 -0330');
    assert.equal(env.subject, '=?UTF-8?B?w6lsw6h2ZQ==?= odd  folded subject');
    assert.deepEqual(env.from, [addr('Joe Q. Public', 'john.q.public', 'example.com')]);
    assert.deepEqual(env.sender, [addr('Pete', 'pete', 'silly.test')]);
    assert.deepEqual(env.replyTo, [addr(null, 'undisclosed-recipients', null), addr(null, null, null)]);
    assert.deepEqual(env.to, [
      addr(null, 'A Group', null),
      addr('Ed Jones', 'c', 'a.test'),
      addr(null, 'joe', 'where.test'),
      addr('John', 'jdoe', 'one.test'),
      addr(null, null, null),
      addr('Mary Smith', 'mary', 'example.net', '@node.test,@other.test'),
    ]);
    assert.deepEqual(env.cc, [addr('John Doe', 'jdoe', 'example.org'), addr('=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=', 'keld', 'dkuug.dk')]);
    assert.deepEqual(env.bcc, [
      addr(null, '"quoted local"', 'example.com'),
      addr(null, 'localonly', ''),
      addr(null, '', ''),
      addr('John Q. Public', 'jqp', 'example.com'),
    ]);
    assert.equal(env.inReplyTo, '<a@b> <c@d>');
    assert.equal(env.messageId, '<m1@example.com>');
  });

  it('headers-only and empty-body messages: body is empty at the end of the message', () => {
    for (const file of ['12-headers-only.eml', '13-empty-body.eml']) {
      const { raw, ix } = indexFixture(file);
      assert.equal(ix.root.bodyStart, raw.length, file);
      assert.equal(ix.root.bodyEnd, raw.length, file);
    }
    assert.equal(indexFixture('12-headers-only.eml').ix.root.envelope?.messageId, '<h@example.com>');
  });

  it('8-bit and NUL bytes: UTF-8 headers decoded, invalid UTF-8 kept byte for byte as Latin-1', () => {
    const { raw, ix } = indexFixture('15-eight-bit-nul.eml');
    assert.equal(ix.root.envelope?.subject, 'Grüße');
    assert.deepEqual(ix.root.envelope?.from, [addr('J\u00f6rg', 'joerg', 'example.de')]);
    assert.deepEqual(raw.subarray(ix.root.bodyStart, ix.root.bodyEnd), Buffer.from('caf\xc3\xa9\r\nnul \x00 byte\r\n\xff\xfe raw\r\n', 'latin1'));
  });

  it('message/rfc822 as the whole body: root keeps its own ENVELOPE, the embedded message is part 1', () => {
    const { ix } = indexFixture('16-rfc822-root.eml');
    assert.equal(ix.root.envelope?.subject, 'outer');
    assert.equal(ix.root.children[0]?.envelope?.subject, 'inner');
    assert.deepEqual(ix.root.children[0]?.envelope?.from, [addr(null, 'inner', 'example.com')]);
  });
});
