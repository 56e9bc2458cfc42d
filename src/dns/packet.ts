/**
 * Pure DNS message codec (RFC 1035 §4): builds one query and decodes an
 * answer. Used only where Node's resolver falls short — TLSA (Node 20 has no
 * resolveTlsa) and the AD bit (c-ares never exposes it). No I/O here.
 */

/** Record type numbers this codec knows by name (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891, RFC 6698, RFC 8659). */
export const RR_TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, TLSA: 52, CAA: 257 } as const;
export type RrTypeName = keyof typeof RR_TYPES;

/** Response codes (RFC 1035 §4.1.1). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** Header flags of a decoded message (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD). */
export interface DnsFlags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
}

/** A decoded resource record; `data` is decoded for the known types, else the raw RDATA. */
export interface DnsRecord {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  data: unknown;
}

/** A decoded DNS message. */
export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  questions: { name: string; type: number; klass: number }[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/** Malformed input: the message cannot be decoded. */
export class DnsPacketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnsPacketError';
  }
}

/** Encodes an absolute name as labels (RFC 1035 §3.1). Throws for labels over 63 bytes or names over 255. */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const parts: Buffer[] = [];
  if (trimmed !== '') {
    for (const label of trimmed.split('.')) {
      const bytes = Buffer.from(label, 'ascii');
      if (bytes.length === 0 || bytes.length > 63) throw new DnsPacketError(`bad label in "${name}"`);
      parts.push(Buffer.from([bytes.length]), bytes);
    }
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new DnsPacketError(`name too long: "${name}"`);
  return out;
}

/**
 * Builds a recursive query for one question. The AD bit is set in the query
 * so a validating resolver reports authenticity without DNSSEC records
 * (RFC 6840 §5.7); an EDNS0 OPT record advertises a 1232-byte UDP payload
 * so that long TXT (DKIM) answers need no TCP retry in most cases.
 */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100 | 0x0020, 2); // RD + AD
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  const question = Buffer.alloc(4);
  question.writeUInt16BE(type, 0);
  question.writeUInt16BE(1, 2); // IN
  // OPT RR (RFC 6891 §6.1.2): root name, type 41, class = UDP size, TTL = ext-rcode/version/flags, no options.
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, encodeName(name), question, opt]);
}

/** Decodes a whole message. Throws `DnsPacketError` on truncation, pointer loops or bad lengths. */
export function decodeMessage(buf: Buffer): DnsMessage {
  if (buf.length < 12) throw new DnsPacketError('message shorter than its header');
  const bits = buf.readUInt16BE(2);
  const flags: DnsFlags = {
    qr: (bits & 0x8000) !== 0,
    opcode: (bits >> 11) & 0xf,
    aa: (bits & 0x0400) !== 0,
    tc: (bits & 0x0200) !== 0,
    rd: (bits & 0x0100) !== 0,
    ra: (bits & 0x0080) !== 0,
    ad: (bits & 0x0020) !== 0,
    cd: (bits & 0x0010) !== 0,
    rcode: bits & 0xf,
  };
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)] as const;
  let offset = 12;
  const questions: DnsMessage['questions'] = [];
  for (let i = 0; i < counts[0]; i++) {
    const [name, next] = readName(buf, offset);
    need(buf, next, 4);
    questions.push({ name, type: buf.readUInt16BE(next), klass: buf.readUInt16BE(next + 2) });
    offset = next + 4;
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s + 1] as number); i++) {
      const [record, next] = readRecord(buf, offset);
      (sections[s] as DnsRecord[]).push(record);
      offset = next;
    }
  }
  return { id: buf.readUInt16BE(0), flags, questions, answers: sections[0] as DnsRecord[], authorities: sections[1] as DnsRecord[], additionals: sections[2] as DnsRecord[] };
}

function need(buf: Buffer, offset: number, length: number): void {
  if (offset + length > buf.length) throw new DnsPacketError('message truncated');
}

/** Reads a possibly compressed name (RFC 1035 §4.1.4); returns it without trailing dot and the offset after it. */
export function readName(buf: Buffer, start: number): [string, number] {
  const labels: string[] = [];
  let offset = start;
  let end = -1;
  let jumps = 0;
  while (true) {
    need(buf, offset, 1);
    const len = buf[offset] as number;
    if (len === 0) {
      offset += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      need(buf, offset, 2);
      if (++jumps > 64) throw new DnsPacketError('compression pointer loop');
      if (end < 0) end = offset + 2;
      offset = buf.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsPacketError('unknown label type');
    need(buf, offset + 1, len);
    labels.push(buf.toString('latin1', offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  return [labels.join('.'), end >= 0 ? end : offset];
}

function readRecord(buf: Buffer, start: number): [DnsRecord, number] {
  const [name, next] = readName(buf, start);
  need(buf, next, 10);
  const type = buf.readUInt16BE(next);
  const klass = buf.readUInt16BE(next + 2);
  const ttl = buf.readUInt32BE(next + 4);
  const length = buf.readUInt16BE(next + 8);
  const rdStart = next + 10;
  need(buf, rdStart, length);
  const data = decodeRdata(buf, rdStart, length, type);
  return [{ name, type, klass, ttl, data }, rdStart + length];
}

function decodeRdata(buf: Buffer, start: number, length: number, type: number): unknown {
  const end = start + length;
  const raw = buf.subarray(start, end);
  switch (type) {
    case RR_TYPES.A:
      if (length !== 4) throw new DnsPacketError('A record of wrong length');
      return [...raw].join('.');
    case RR_TYPES.AAAA: {
      if (length !== 16) throw new DnsPacketError('AAAA record of wrong length');
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
      return groups.join(':');
    }
    case RR_TYPES.CNAME:
    case RR_TYPES.NS:
    case RR_TYPES.PTR:
      return readName(buf, start)[0];
    case RR_TYPES.MX:
      need(buf, start, 2);
      return { priority: buf.readUInt16BE(start), exchange: readName(buf, start + 2)[0] };
    case RR_TYPES.TXT: {
      const strings: string[] = [];
      let at = start;
      while (at < end) {
        const len = buf[at] as number;
        if (at + 1 + len > end) throw new DnsPacketError('TXT string overruns its record');
        strings.push(buf.toString('utf8', at + 1, at + 1 + len));
        at += 1 + len;
      }
      return strings;
    }
    case RR_TYPES.SRV:
      need(buf, start, 6);
      return { priority: buf.readUInt16BE(start), weight: buf.readUInt16BE(start + 2), port: buf.readUInt16BE(start + 4), target: readName(buf, start + 6)[0] };
    case RR_TYPES.TLSA:
      if (length < 3) throw new DnsPacketError('TLSA record too short');
      return { usage: raw[0] as number, selector: raw[1] as number, matchingType: raw[2] as number, data: raw.subarray(3).toString('hex') };
    case RR_TYPES.CAA: {
      if (length < 2) throw new DnsPacketError('CAA record too short');
      const tagLen = raw[1] as number;
      if (2 + tagLen > length) throw new DnsPacketError('CAA tag overruns its record');
      return { critical: raw[0] as number, tag: raw.toString('latin1', 2, 2 + tagLen), value: raw.toString('utf8', 2 + tagLen) };
    }
    default:
      return Buffer.from(raw);
  }
}
