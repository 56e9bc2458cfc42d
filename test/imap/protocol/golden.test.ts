/**
 * ENVELOPE / BODYSTRUCTURE / BODY golden files for a corpus of real
 * messages (test/fixtures/imap/corpus: Python's email test suite and the
 * SpamAssassin public corpus, CRLF). Regenerate with
 * scripts/update-imap-golden.mjs and review the diff against RFC 3501.
 * The current files were also checked against Dovecot 2.3's answers for the
 * same messages; the known, intended differences are listed in
 * test/fixtures/imap/corpus/README.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORPUS_DIR, renderGolden } from './golden-render.js';
import { indexMessage } from '../../../src/mime/index.js';
import { parseCommand } from '../../../src/imap/protocol/parser.js';

const dir = fileURLToPath(CORPUS_DIR);
const names = readdirSync(dir).filter((n) => n.endsWith('.eml')).sort();

test('the corpus covers at least 20 messages, each with a golden file', () => {
  assert.ok(names.length >= 20, `${names.length} messages`);
  for (const n of names) assert.ok(readdirSync(dir).includes(n.replace(/\.eml$/, '.golden')), n);
});

test('ENVELOPE, BODYSTRUCTURE and BODY match the golden files', () => {
  for (const n of names) {
    const got = renderGolden(readFileSync(dir + n));
    const want = readFileSync(dir + n.replace(/\.eml$/, '.golden'));
    assert.equal(got.toString('latin1'), want.toString('latin1'), n);
  }
});

test('golden output is well-formed IMAP: balanced lists and exact literal lengths', () => {
  for (const n of names) {
    const text = readFileSync(dir + n.replace(/\.eml$/, '.golden'));
    // Feed each line through the command parser as a FETCH-like argument is not possible;
    // instead walk the bytes: literals must be followed by exactly n bytes, parentheses balance.
    let depth = 0;
    let i = 0;
    while (i < text.length) {
      const c = text[i] as number;
      if (c === 0x22) {
        i++;
        while (i < text.length && text[i] !== 0x22) i += text[i] === 0x5c ? 2 : 1;
      } else if (c === 0x7b) {
        const close = text.indexOf(0x7d, i);
        const size = Number(text.toString('latin1', i + 1, close));
        assert.equal(text.toString('latin1', close + 1, close + 3), '\r\n', n);
        i = close + 2 + size;
      } else if (c === 0x28) depth++;
      else if (c === 0x29) depth--;
      assert.ok(depth >= 0, n);
      i++;
    }
    assert.equal(depth, 0, n);
  }
});

test('every corpus message indexes without truncation and its structure is parseable as FETCH items', () => {
  for (const n of names) {
    const index = indexMessage(readFileSync(dir + n));
    assert.equal(index.truncated, false, n);
    assert.ok(index.size > 0);
  }
  // The FETCH items that request these structures parse (sanity link between parser and golden names).
  const r = parseCommand({ lines: [Buffer.from('a FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)')], literals: [] });
  assert.ok(r.ok);
});
