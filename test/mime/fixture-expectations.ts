// Expected part trees for the hand-written fixtures in test/fixtures/mime.
// Parts are listed in document order (flatten()); a message/rfc822 part is
// followed by its embedded message root, which shares its path. Offsets are
// checked by slicing the raw bytes: `head` is what the raw message holds at
// headerStart, `body` the exact bytes between bodyStart and bodyEnd (or only
// their start/end for long multipart bodies).
import type { MimeLimits } from '../../src/mime/index.js';

export interface PartExpectation {
  path: string;
  type: string;
  head: string;
  body?: string;
  bodyHead?: string;
  bodyTail?: string;
  lines: number;
  params?: Record<string, string>;
  encoding?: string;
}

export interface FixtureExpectation {
  file: string;
  limits?: Partial<MimeLimits>;
  truncated?: boolean;
  parts: PartExpectation[];
}

const CT = 'Content-Type: ';

export const EXPECTATIONS: FixtureExpectation[] = [
  {
    file: '01-plain-text.eml',
    parts: [
      {
        path: '',
        type: 'text/plain',
        head: 'Date: Mon, 7 Feb 1994',
        body: 'Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n\r\nFred\r\n',
        lines: 3,
        params: { charset: 'US-ASCII' },
        encoding: '7BIT',
      },
    ],
  },
  {
    file: '02-alternative.eml',
    parts: [
      { path: '', type: 'multipart/alternative', head: 'From: a@', bodyHead: 'This is a multi-part', bodyTail: '\r\n--=_alt--\r\n', lines: 13, params: { boundary: '=_alt' } },
      { path: '1', type: 'text/plain', head: `${CT}text/plain; charset=utf-8`, body: 'Caf=C3=A9 au lait', lines: 1, params: { charset: 'utf-8' }, encoding: 'QUOTED-PRINTABLE' },
      { path: '2', type: 'text/html', head: `${CT}text/html`, body: '<p>Café au lait</p>\r\n', lines: 1 },
    ],
  },
  {
    file: '03-mixed-attachment.eml',
    parts: [
      {
        path: '',
        type: 'multipart/mixed',
        head: 'From: Sender',
        bodyHead: '------=_Part_0_1234.5678\r\n',
        bodyTail: 'AAAA\r\n------=_Part_0_1234.5678--\r\n',
        lines: 13,
        params: { boundary: '----=_Part_0_1234.5678' },
      },
      { path: '1', type: 'text/plain', head: `${CT}text/plain; charset="iso`, body: 'See attached.', lines: 1, params: { charset: 'iso-8859-1' }, encoding: '7BIT' },
      { path: '2', type: 'application/pdf', head: `${CT}application/pdf`, body: 'JVBERi0xLjQKJcOkw7zDtsOfCg==\r\nAAAA', lines: 2, params: { name: 'report.pdf' }, encoding: 'BASE64' },
    ],
  },
  {
    file: '04-nested-multipart.eml',
    parts: [
      { path: '', type: 'multipart/mixed', head: 'From: nest', bodyHead: '--outer\r\n', bodyTail: 'notes\r\n--outer--\r\n', lines: 27 },
      { path: '1', type: 'multipart/alternative', head: `${CT}multipart/alternative`, bodyHead: '--inner\r\n', bodyTail: '--rel--\r\n--inner--', lines: 19 },
      { path: '1.1', type: 'text/plain', head: `${CT}text/plain\r\n\r\nplain`, body: 'plain text', lines: 1 },
      { path: '1.2', type: 'multipart/related', head: `${CT}multipart/related`, bodyHead: '--rel\r\n', bodyTail: 'iVBORw0KGgo=\r\n--rel--', lines: 11, params: { boundary: 'rel' } },
      { path: '1.2.1', type: 'text/html', head: `${CT}text/html`, body: '<img src="cid:logo">', lines: 1 },
      { path: '1.2.2', type: 'image/png', head: `${CT}image/png`, body: 'iVBORw0KGgo=', lines: 1, encoding: 'BASE64' },
      { path: '2', type: 'text/plain', head: `${CT}text/plain; name=notes.txt`, body: 'notes', lines: 1, params: { name: 'notes.txt' } },
    ],
  },
  {
    file: '05-rfc822-attachment.eml',
    parts: [
      { path: '', type: 'multipart/mixed', head: 'From: Forwarder', bodyHead: '--fwd-1\r\n', bodyTail: '\r\n\r\n--fwd-1--\r\n', lines: 27 },
      { path: '1', type: 'text/plain', head: `${CT}text/plain`, body: 'See below.', lines: 1 },
      { path: '2', type: 'message/rfc822', head: `${CT}message/rfc822`, bodyHead: 'Date: Tue, 1 Mar', bodyTail: '</b>\r\n--orig-alt--\r\n', lines: 17, params: {} },
      { path: '2', type: 'multipart/alternative', head: 'Date: Tue, 1 Mar', bodyHead: '--orig-alt\r\n', bodyTail: '</b>\r\n--orig-alt--\r\n', lines: 9 },
      { path: '2.1', type: 'text/plain', head: `${CT}text/plain`, body: 'Lunch at noon?', lines: 1 },
      { path: '2.2', type: 'text/html', head: `${CT}text/html`, body: '<b>Lunch at noon?</b>', lines: 1 },
    ],
  },
  {
    file: '06-digest.eml',
    parts: [
      { path: '', type: 'multipart/digest', head: 'From: digest', bodyHead: '--dig\r\n', bodyTail: '--two--\r\n--dig--\r\n', lines: 21 },
      { path: '1', type: 'message/rfc822', head: '\r\nFrom: one', body: 'From: one@example.com\r\nSubject: first\r\n\r\nFirst message.', lines: 4, params: {} },
      { path: '1', type: 'text/plain', head: 'From: one', body: 'First message.', lines: 1, params: { charset: 'us-ascii' } },
      { path: '2', type: 'text/plain', head: `${CT}text/plain`, body: 'Not a message.', lines: 1, params: {} },
      {
        path: '3',
        type: 'message/rfc822',
        head: '\r\nFrom: two',
        body: 'From: two@example.com\r\nSubject: second\r\nContent-Type: multipart/mixed; boundary=two\r\n\r\n--two\r\n\r\nin two\r\n--two--',
        lines: 8,
      },
      { path: '3', type: 'multipart/mixed', head: 'From: two', body: '--two\r\n\r\nin two\r\n--two--', lines: 4 },
      { path: '3.1', type: 'text/plain', head: '\r\nin two', body: 'in two', lines: 1, params: { charset: 'us-ascii' } },
    ],
  },
  {
    file: '07-rfc2231-params.eml',
    parts: [
      { path: '', type: 'multipart/mixed', head: 'From: params', bodyHead: '--p\r\n', bodyTail: 'second\r\n--p--\r\n', lines: 21 },
      { path: '1', type: 'application/x-stuff', head: `${CT}application/x-stuff;\r\n title*0*`, body: 'data', lines: 1, params: { title: "This is even more ***fun*** isn't it!" } },
      { path: '2', type: 'text/plain', head: `${CT}text/plain; charset=iso`, body: 'second', lines: 1, params: { charset: 'iso-8859-1', format: 'flowed', delsp: 'Yes' } },
    ],
  },
  {
    file: '08-odd-addresses.eml',
    parts: [{ path: '', type: 'text/plain', head: 'Date: Thu, 13 Feb 1969', body: 'Body.\r\n', lines: 1, params: { charset: 'us-ascii' } }],
  },
  {
    file: '09-missing-final-boundary.eml',
    parts: [
      { path: '', type: 'multipart/mixed', head: 'From: a@', bodyHead: '--cut\r\n', bodyTail: 'just ends\r\n', lines: 8 },
      { path: '1', type: 'text/plain', head: `${CT}text/plain`, body: 'first', lines: 1 },
      { path: '2', type: 'text/plain', head: `${CT}text/plain`, body: 'second, and the message just ends\r\n', lines: 1 },
    ],
  },
  {
    file: '10-bare-lf.eml',
    parts: [
      { path: '', type: 'multipart/alternative', head: 'From: lf@', bodyHead: '--lf\nContent-Type', bodyTail: '<p>x</p>\n--lf--\n', lines: 11 },
      { path: '1', type: 'text/plain', head: `${CT}text/plain\n\nline`, body: 'line one\nline two\n', lines: 2 },
      { path: '2', type: 'text/html', head: `${CT}text/html\n`, body: '<p>x</p>', lines: 1 },
    ],
  },
  {
    file: '11-deep-nesting.eml',
    parts: [
      { path: '', type: 'multipart/mixed', head: 'From: deep', bodyHead: '--d1\r\n', bodyTail: 'last\r\n--d1--\r\n', lines: 29 },
      { path: '1', type: 'multipart/mixed', head: `${CT}multipart/mixed; boundary=d2`, bodyHead: '--d2\r\n', bodyTail: '--d3--\r\n--d2--', lines: 21 },
      { path: '1.1', type: 'multipart/mixed', head: `${CT}multipart/mixed; boundary=d3`, bodyHead: '--d3\r\n', bodyTail: 'after d3\r\n--d3--', lines: 17 },
      { path: '1.1.1', type: 'multipart/mixed', head: `${CT}multipart/mixed; boundary=d4`, bodyHead: '--d4\r\n', bodyTail: '--d5--\r\n--d4--', lines: 9 },
      { path: '1.1.1.1', type: 'multipart/mixed', head: `${CT}multipart/mixed; boundary=d5`, body: '--d5\r\nContent-Type: text/plain\r\n\r\ndeepest\r\n--d5--', lines: 5 },
      { path: '1.1.1.1.1', type: 'text/plain', head: `${CT}text/plain`, body: 'deepest', lines: 1 },
      { path: '1.1.2', type: 'text/plain', head: `${CT}text/plain`, body: 'after d3', lines: 1 },
      { path: '2', type: 'text/plain', head: `${CT}text/plain`, body: 'last', lines: 1 },
    ],
  },
  {
    // The same message with a nesting limit of 3: part 1.1.1 stays an opaque leaf, later parts are still found.
    file: '11-deep-nesting.eml',
    limits: { maxDepth: 3 },
    truncated: true,
    parts: [
      { path: '', type: 'multipart/mixed', head: 'From: deep', bodyHead: '--d1\r\n', bodyTail: 'last\r\n--d1--\r\n', lines: 29 },
      { path: '1', type: 'multipart/mixed', head: `${CT}multipart/mixed; boundary=d2`, bodyHead: '--d2\r\n', bodyTail: '--d3--\r\n--d2--', lines: 21 },
      { path: '1.1', type: 'multipart/mixed', head: `${CT}multipart/mixed; boundary=d3`, bodyHead: '--d3\r\n', bodyTail: 'after d3\r\n--d3--', lines: 17 },
      { path: '1.1.1', type: 'multipart/mixed', head: `${CT}multipart/mixed; boundary=d4`, bodyHead: '--d4\r\n', bodyTail: '--d5--\r\n--d4--', lines: 9 },
      { path: '1.1.2', type: 'text/plain', head: `${CT}text/plain`, body: 'after d3', lines: 1 },
      { path: '2', type: 'text/plain', head: `${CT}text/plain`, body: 'last', lines: 1 },
    ],
  },
  {
    file: '12-headers-only.eml',
    parts: [{ path: '', type: 'text/plain', head: 'From: headers', body: '', lines: 0, params: { charset: 'us-ascii' } }],
  },
  {
    file: '13-empty-body.eml',
    parts: [{ path: '', type: 'text/plain', head: 'From: empty', body: '', lines: 0 }],
  },
  {
    file: '14-boundary-prefix.eml',
    parts: [
      { path: '', type: 'multipart/mixed', head: 'From: prefix', bodyHead: '--abc\r\n', bodyTail: 'tail\r\n--abc--\r\n', lines: 18 },
      { path: '1', type: 'multipart/alternative', head: `${CT}multipart/alternative`, bodyHead: '--abc-def\r\n', bodyTail: '<p>html</p>\r\n--abc-def--', lines: 10 },
      { path: '1.1', type: 'text/plain', head: `${CT}text/plain`, body: '--abcx is not a delimiter\r\n--abc-defg is not one either', lines: 2 },
      { path: '1.2', type: 'text/html', head: `${CT}text/html`, body: '<p>html</p>', lines: 1 },
      { path: '2', type: 'text/plain', head: `${CT}text/plain`, body: 'tail', lines: 1 },
    ],
  },
  {
    file: '15-eight-bit-nul.eml',
    parts: [{ path: '', type: 'text/plain', head: 'From: J', body: 'caf\u00e9\r\nnul \u0000 byte\r\n\ufffd\ufffd raw\r\n', lines: 3, params: { charset: 'utf-8' }, encoding: '8BIT' }],
  },
  {
    file: '16-rfc822-root.eml',
    parts: [
      { path: '', type: 'message/rfc822', head: 'From: outer', bodyHead: 'From: inner', bodyTail: 'two\r\n--in--\r\n', lines: 11, params: {} },
      { path: '1', type: 'multipart/mixed', head: 'From: inner', body: '--in\r\n\r\none\r\n--in\r\n\r\ntwo\r\n--in--\r\n', lines: 7 },
      { path: '1.1', type: 'text/plain', head: '\r\none', body: 'one', lines: 1 },
      { path: '1.2', type: 'text/plain', head: '\r\ntwo', body: 'two', lines: 1 },
    ],
  },
];
