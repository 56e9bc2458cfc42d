/**
 * The MIME indexer's public surface: the streaming indexer used at delivery
 * and APPEND, and the small header helpers delivery code may need. Everything
 * here is pure (no I/O) and never throws on message content.
 */
export { createMimeIndexer, indexMessage, DEFAULT_MIME_LIMITS, type MimeIndexer, type MimeLimits } from './mime-indexer.js';
export { parseHeaderFields, firstHeaderValues, decodeHeaderBytes, type HeaderField } from './header-fields.js';
export { parseAddressList } from './address-list.js';
export { parseParameterizedValue, type ParameterizedValue } from './content-params.js';
export type { MessageIndex, MimePart, Envelope, EnvelopeAddress } from './types.js';
