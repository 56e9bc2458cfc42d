/**
 * The typed IMAP command union produced by the parser (parser.ts) from one
 * command frame (framer.ts). RFC 3501 plus the extensions the server offers:
 * IDLE (RFC 2177), UIDPLUS (RFC 4315), MOVE (RFC 6851), SPECIAL-USE (RFC 6154),
 * NAMESPACE (RFC 2342), ID (RFC 2971), ENABLE (RFC 5161), LITERAL+ (RFC 7888),
 * UNSELECT (RFC 3691), LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819),
 * ESEARCH (RFC 4731), SEARCHRES (RFC 5182, the `$` set), CONDSTORE/QRESYNC
 * (RFC 7162), QUOTA (RFC 9208), APPENDLIMIT (RFC 7889), SASL-IR (RFC 4959).
 *
 * Conventions every consumer can rely on:
 * - Mailbox names are decoded from modified UTF-7 (RFC 3501 §5.1.3) into
 *   Unicode; a name equal to INBOX in any case is the string 'INBOX'.
 *   LIST reference/patterns are decoded the same way (wildcards are ASCII).
 * - Flags: system flags are canonicalised to `\Seen`, `\Answered`, `\Flagged`,
 *   `\Deleted`, `\Draft`, `\Recent`; keywords keep their spelling.
 * - Numbers that RFC 3501 limits to 32 bits (`nz-number`, `number`) are JS
 *   numbers checked to be ≤ 4294967295; mod-sequences (63 bits) are bigint.
 * - Dates from SEARCH are calendar days 'YYYY-MM-DD' (RFC 3501 §6.4.4: time
 *   and zone are disregarded); APPEND's date-time is a Date.
 */

/** One message number or UID in a sequence set; '*' is the largest in use. */
export type SeqNumber = number | '*';

/** `a:b` (or a single number when start === end); the order of a and b does not matter. */
export interface SeqRange {
  start: SeqNumber;
  end: SeqNumber;
}

/**
 * RFC 3501 sequence-set, or RFC 5182's `$` (the result saved by the last
 * `SEARCH RETURN (SAVE)`). Resolve with `resolveSequenceSet` (sequence-set.ts).
 */
export type SequenceSet =
  | { kind: 'ranges'; ranges: SeqRange[] }
  | { kind: 'saved' };

/** RFC 3501 §6.4.4 search key tree. NEW, OLD and the flag keys are normalised into `flag`/`and`. */
export type SearchKey =
  | { op: 'all' }
  /** Flag present (`has`) or absent; includes keywords (KEYWORD/UNKEYWORD) and \Recent. */
  | { op: 'flag'; flag: string; has: boolean }
  /** HEADER field value; FROM/TO/CC/BCC/SUBJECT become header with that field name (lower-case). Empty value = field present. */
  | { op: 'header'; field: string; value: string }
  | { op: 'body'; value: string }
  | { op: 'text'; value: string }
  /** BEFORE/ON/SINCE (internal date) and SENTBEFORE/SENTON/SENTSINCE (Date: header). */
  | { op: 'date'; field: 'internal' | 'sent'; cmp: 'before' | 'on' | 'since'; date: string }
  | { op: 'size'; cmp: 'larger' | 'smaller'; size: number }
  | { op: 'seq'; set: SequenceSet }
  | { op: 'uid'; set: SequenceSet }
  | { op: 'not'; key: SearchKey }
  | { op: 'or'; a: SearchKey; b: SearchKey }
  | { op: 'and'; keys: SearchKey[] }
  /** RFC 7162 §3.1.5 MODSEQ, optional entry name/type are parsed and reported. */
  | { op: 'modseq'; modseq: bigint; entry: { name: string; type: 'priv' | 'shared' | 'all' } | null };

/** RFC 4731 ESEARCH return options (+ RFC 5182 SAVE). An empty list means ALL. */
export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

/** BODY[section] (RFC 3501 §6.4.5). `part` is the numeric path ([] = whole message). */
export interface FetchSection {
  part: number[];
  /** null: the whole part ([] or [1.2]); MIME requires a non-empty part. */
  specifier: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME' | null;
  /** Field names for HEADER.FIELDS(.NOT), as sent (upper-cased). */
  fields: string[];
}

/** `<origin.length>` of BODY[...]<o.n>. */
export interface FetchPartial {
  offset: number;
  length: number;
}

/** One FETCH data item; the macros ALL/FAST/FULL are expanded by the parser. */
export type FetchAttribute =
  | { kind: 'ENVELOPE' }
  | { kind: 'FLAGS' }
  | { kind: 'INTERNALDATE' }
  | { kind: 'RFC822.SIZE' }
  | { kind: 'RFC822' }
  | { kind: 'RFC822.HEADER' }
  | { kind: 'RFC822.TEXT' }
  /** BODY without section: BODYSTRUCTURE without extension data. */
  | { kind: 'BODY' }
  | { kind: 'BODYSTRUCTURE' }
  | { kind: 'UID' }
  /** RFC 7162 §3.1.4.1 */
  | { kind: 'MODSEQ' }
  | { kind: 'BODY[]'; peek: boolean; section: FetchSection; partial: FetchPartial | null };

/** RFC 3501 §6.3.10 STATUS items (+ HIGHESTMODSEQ RFC 7162, APPENDLIMIT RFC 7889). */
export type StatusItem =
  | 'MESSAGES'
  | 'RECENT'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT';

/** RFC 5258 LIST-EXTENDED selection options. */
export interface ListSelection {
  subscribed: boolean;
  remote: boolean;
  recursiveMatch: boolean;
  specialUse: boolean;
}

/** RFC 5258 return options (+ RFC 5819 STATUS, RFC 6154 SPECIAL-USE). */
export interface ListReturn {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  /** RETURN (STATUS (...)): items to report per listed mailbox, or null. */
  status: StatusItem[] | null;
}

/** RFC 7162 §3.2.5 SELECT/EXAMINE (QRESYNC (uidvalidity modseq [known-uids [seq-match]])). */
export interface QresyncParams {
  uidValidity: number;
  modseq: bigint;
  knownUids: SequenceSet | null;
  /** (known-sequence-set known-uid-set) */
  seqMatch: { seqs: SequenceSet; uids: SequenceSet } | null;
}

interface Tagged {
  tag: string;
}

/** Commands valid in any state (RFC 3501 §6.1, ID RFC 2971). */
export type AnyStateCommand =
  | (Tagged & { name: 'CAPABILITY' })
  | (Tagged & { name: 'NOOP' })
  | (Tagged & { name: 'LOGOUT' })
  /** ID with a field list (names lower-case) or NIL (null). */
  | (Tagged & { name: 'ID'; params: Record<string, string | null> | null });

/** Not-authenticated state (RFC 3501 §6.2, SASL-IR RFC 4959). */
export type NotAuthenticatedCommand =
  | (Tagged & { name: 'STARTTLS' })
  /**
   * `initialResponse` is the base64 text as sent (SASL-IR), '' for `=`
   * (an empty response), or null when absent (the server sends `+ `).
   */
  | (Tagged & { name: 'AUTHENTICATE'; mechanism: string; initialResponse: string | null })
  /** Strings are UTF-8 decoded; NUL or invalid UTF-8 is rejected by the parser. */
  | (Tagged & { name: 'LOGIN'; username: string; password: string });

/** Authenticated state (RFC 3501 §6.3 and extensions). */
export type AuthenticatedCommand =
  | (Tagged & { name: 'ENABLE'; capabilities: string[] })
  | (Tagged & {
      name: 'SELECT' | 'EXAMINE';
      mailbox: string;
      condstore: boolean;
      qresync: QresyncParams | null;
    })
  | (Tagged & { name: 'CREATE'; mailbox: string; specialUse: string[] })
  | (Tagged & { name: 'DELETE'; mailbox: string })
  | (Tagged & { name: 'RENAME'; from: string; to: string })
  | (Tagged & { name: 'SUBSCRIBE'; mailbox: string })
  | (Tagged & { name: 'UNSUBSCRIBE'; mailbox: string })
  /**
   * LIST; `extended` is true when any RFC 5258 syntax was used (selection
   * options, RETURN, or a parenthesised pattern list), which changes how
   * the answer may be shaped (e.g. CHILDINFO).
   */
  | (Tagged & {
      name: 'LIST';
      reference: string;
      patterns: string[];
      selection: ListSelection;
      returns: ListReturn;
      extended: boolean;
    })
  | (Tagged & { name: 'LSUB'; reference: string; pattern: string })
  | (Tagged & { name: 'NAMESPACE' })
  | (Tagged & { name: 'STATUS'; mailbox: string; items: StatusItem[] })
  /** APPEND's header; the message bytes arrive separately (see AppendCommand). */
  | AppendCommand
  | (Tagged & { name: 'IDLE' })
  | (Tagged & { name: 'GETQUOTA'; root: string })
  | (Tagged & { name: 'GETQUOTAROOT'; mailbox: string })
  /** Parsed so it can be refused with NO (users cannot set their own quota). */
  | (Tagged & { name: 'SETQUOTA'; root: string; limits: { resource: string; limit: bigint }[] });

/**
 * RFC 3501 §6.3.11 APPEND (one message; MULTIAPPEND is not offered). The
 * framer streams the message literal (framer.ts `append` event); this value
 * is what `parseAppendPrefix` makes of the bytes before it.
 */
export interface AppendCommand extends Tagged {
  name: 'APPEND';
  mailbox: string;
  flags: string[];
  date: Date | null;
  /** Literal size announced by the client. */
  size: number;
  /** true for `{n}` (server must answer `+` or a tagged NO), false for `{n+}`. */
  synchronizing: boolean;
}

/** Selected state (RFC 3501 §6.4 and extensions); `uid` is true for the UID forms. */
export type SelectedCommand =
  | (Tagged & { name: 'CHECK' })
  | (Tagged & { name: 'CLOSE' })
  | (Tagged & { name: 'UNSELECT' })
  /** EXPUNGE, or UID EXPUNGE <set> (UIDPLUS) when `uids` is not null. */
  | (Tagged & { name: 'EXPUNGE'; uids: SequenceSet | null })
  | (Tagged & {
      name: 'SEARCH';
      uid: boolean;
      /** 'UTF-8' or 'US-ASCII' (others are refused by the parser with NO [BADCHARSET]); null when absent. */
      charset: string | null;
      /** RETURN (...) options (ESEARCH); null when the classic SEARCH response is wanted. */
      returnOptions: SearchReturnOption[] | null;
      /** Top-level keys are ANDed; always an `and` node. */
      key: SearchKey;
    })
  | (Tagged & {
      name: 'FETCH';
      uid: boolean;
      set: SequenceSet;
      /** In request order; UID FETCH responses must include UID even if not listed. */
      items: FetchAttribute[];
      /** CHANGEDSINCE modifier (RFC 7162 §3.1.4.1), implies MODSEQ in responses. */
      changedSince: bigint | null;
      /** VANISHED modifier (RFC 7162 §3.2.6), only with UID FETCH and CHANGEDSINCE. */
      vanished: boolean;
    })
  | (Tagged & {
      name: 'STORE';
      uid: boolean;
      set: SequenceSet;
      /** 'replace' = FLAGS, 'add' = +FLAGS, 'remove' = -FLAGS. */
      action: 'replace' | 'add' | 'remove';
      silent: boolean;
      flags: string[];
      /** UNCHANGEDSINCE modifier (RFC 7162 §3.1.3). */
      unchangedSince: bigint | null;
    })
  | (Tagged & { name: 'COPY' | 'MOVE'; uid: boolean; set: SequenceSet; mailbox: string });

/** Every command the parser can produce. */
export type ImapCommand = AnyStateCommand | NotAuthenticatedCommand | AuthenticatedCommand | SelectedCommand;

/** The command names, for dispatch tables. */
export type ImapCommandName = ImapCommand['name'];

/** The command variant with a given name. */
export type CommandOf<N extends ImapCommandName> = Extract<ImapCommand, { name: N }>;

/**
 * A command the parser refused. `status` is what the server answers with the
 * tag (or untagged `* BAD` when `tag` is null): BAD for syntax, NO for a
 * well-formed but unsupported request (`code` e.g. 'BADCHARSET').
 */
export interface ParseError {
  tag: string | null;
  status: 'BAD' | 'NO';
  /** RFC 5530 / RFC 3501 response code to put in brackets, e.g. 'BADCHARSET' or 'TOOBIG'. */
  code: string | null;
  /** Arguments of the code (BADCHARSET lists the supported charsets). */
  codeArgs: string[];
  /** Short text for the client. */
  message: string;
}

/** parser.ts result: exactly one of the two. */
export type ParseResult = { ok: true; command: ImapCommand } | { ok: false; error: ParseError };
