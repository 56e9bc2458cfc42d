/**
 * The pure IMAP codec (ARCHITECTURE rule 1): framer (bytes → command
 * frames), parser (frame → typed command), encoder and response builders
 * (typed values → bytes), ENVELOPE/BODYSTRUCTURE and section resolution
 * from the stored MIME index. No I/O; nothing here imports store, net, log
 * or config.
 */
export type * from './types.js';
export { CommandFramer } from './framer.js';
export { DEFAULT_FRAMER_LIMITS, type CommandFrame, type FrameError, type FramerEvent, type FramerLimits } from './framer-events.js';
export { isTag } from './framer-line.js';
export { parseCommand, parseAppendPrefix, frameTag } from './parser.js';
export { DEFAULT_PARSER_OPTIONS, PRE_AUTH_PARSER_OPTIONS, type ParserOptions } from './parse-common.js';
export { SEARCH_CHARSETS } from './parse-search.js';
export { encodeMailboxName, decodeMailboxName, decodeMailboxArgument } from './mailbox-name.js';
export { resolveSequenceSet, mergeRanges, rangesContain, formatSequenceSet, formatRanges, MAX_UINT32, type NumberRange } from './sequence-set.js';
export {
  atom,
  astring,
  literal,
  deferredLiteral,
  encodeValueInto,
  encodeParts,
  encodeValues,
  mergeBuffers,
  taggedResponse,
  untaggedStatus,
  untagged,
  untaggedParts,
  continuation,
  MAX_QUOTED,
  type ImapValue,
  type ImapAtom,
  type ImapLiteral,
  type DeferredLiteral,
  type EncodedPart,
  type ResponseCode,
} from './encoder.js';
export { envelopeValue, bodyStructureValue, messageBodyStructure, messageEnvelope } from './body-structure.js';
export { resolveSection, filterHeaderFields, applyPartial, type SectionRange } from './section-resolver.js';
export {
  sectionText,
  fetchItemName,
  fetchResponse,
  flagList,
  searchResponse,
  esearchResponse,
  listResponse,
  statusResponse,
  vanishedResponse,
  quotaResponse,
  quotaRootResponse,
  simple,
  type EsearchResult,
  type ListEntry,
} from './response-builders.js';
