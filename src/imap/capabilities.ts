/**
 * The CAPABILITY list (RFC 3501 §7.2.1), by connection state. Only what is
 * implemented is listed; IMAP4rev2 is not (RFC 9051 is not implemented in full).
 *
 * Before TLS on port 143 the list carries STARTTLS and LOGINDISABLED and no
 * AUTH= mechanism (RFC 2595 §3.2, security-cases T46); after TLS it offers
 * AUTH=PLAIN with SASL-IR. After login it lists every extension.
 */

/** The facts the list depends on. */
export interface CapabilityFacts {
  tls: boolean;
  authenticated: boolean;
  /** Largest APPEND (RFC 7889 APPENDLIMIT=). */
  appendLimit: number;
}

const COMMON = ['IMAP4rev1', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'LITERAL+'];

const AFTER_LOGIN = [
  'UIDPLUS',
  'MOVE',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'NAMESPACE',
  'UNSELECT',
  'CHILDREN',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'ESEARCH',
  'SEARCHRES',
  'CONDSTORE',
  'QRESYNC',
  'QUOTA',
  'QUOTA=RES-STORAGE',
];

/** Space-separated capability names for the given state. */
export function capabilityList(f: CapabilityFacts): string {
  const caps = [...COMMON];
  if (!f.authenticated) {
    if (f.tls) caps.push('AUTH=PLAIN');
    else caps.push('STARTTLS', 'LOGINDISABLED');
    return caps.join(' ');
  }
  caps.push(...AFTER_LOGIN, `APPENDLIMIT=${f.appendLimit}`);
  return caps.join(' ');
}
