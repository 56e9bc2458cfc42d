/**
 * Renders what the IMAP golden files hold for one message: its ENVELOPE,
 * BODYSTRUCTURE and BODY exactly as FETCH sends them, each on a line
 * starting with the item name (literals keep their CRLFs). Shared by the
 * golden test and scripts/update-imap-golden.mjs, which regenerates the
 * files from the compiled copy of this module.
 */
import { indexMessage } from '../../../src/mime/index.js';
import { encodeValues } from '../../../src/imap/protocol/encoder.js';
import { messageBodyStructure, messageEnvelope } from '../../../src/imap/protocol/body-structure.js';

/** test/fixtures/imap/corpus, resolved from dist/test/imap/protocol at run time. */
export const CORPUS_DIR = new URL('../../../../test/fixtures/imap/corpus/', import.meta.url);

/** The golden text for one raw message. */
export function renderGolden(raw: Uint8Array): Buffer {
  const index = indexMessage(raw);
  return Buffer.concat([
    Buffer.from('ENVELOPE '),
    encodeValues([messageEnvelope(index)]),
    Buffer.from('\r\nBODYSTRUCTURE '),
    encodeValues([messageBodyStructure(index, true)]),
    Buffer.from('\r\nBODY '),
    encodeValues([messageBodyStructure(index, false)]),
    Buffer.from('\r\n'),
  ]);
}
