import { MailError, type MailErrorKind } from '../errors.js';
import type { DkimRecord, RelaySummary } from '../smtp/outbound/settings-ops.js';
import type { DnsCheckInputs } from './dns-inputs.js';

/**
 * Requests of the control socket, one JSON object per line. They mirror the
 * CLI's commands one to one. Passwords travel only inside `user.add` and
 * `user.passwd` bodies (never in argv, never logged).
 */
export type ControlRequest =
  | { op: 'domain.add'; name: string }
  | { op: 'domain.list' }
  | { op: 'domain.remove'; name: string }
  | { op: 'user.add'; address: string; password: string; quotaBytes?: number }
  | { op: 'user.list'; domain?: string }
  | { op: 'user.remove'; address: string }
  | { op: 'user.passwd'; address: string; password: string }
  | { op: 'alias.add'; source: string; target: string }
  | { op: 'alias.list'; domain?: string }
  | { op: 'alias.remove'; source: string; target?: string }
  | { op: 'tls.ca' }
  | { op: 'status' }
  | { op: 'relay.set'; host: string; port?: number; tls?: string; username?: string; password?: string; domain?: string }
  | { op: 'relay.show' }
  | { op: 'relay.clear'; domain?: string }
  | { op: 'dkim.show'; domain?: string }
  | { op: 'dkim.rotate'; domain: string; selector?: string }
  | { op: 'dkim.activate'; domain: string }
  | { op: 'dkim.remove'; domain: string; selector: string }
  | { op: 'dns.inputs'; domain?: string };

export type ControlOp = ControlRequest['op'];

/** An account as the CLI shows it (the password hash never leaves the box's store). */
export interface UserSummary {
  address: string;
  quotaBytes: number;
  usedBytes: number;
  createdAt: number;
}

/** Result of each operation; `ok` replies carry one of these in `result`. */
export interface ControlResults {
  'domain.add': { name: string };
  'domain.list': { domains: string[] };
  'domain.remove': { name: string };
  'user.add': { address: string };
  'user.list': { users: UserSummary[] };
  'user.remove': { address: string };
  'user.passwd': { address: string };
  'alias.add': { source: string; target: string };
  'alias.list': { aliases: { source: string; targets: string[] }[] };
  'alias.remove': { source: string; target?: string };
  'tls.ca': { pem: string };
  status: { running: boolean } & Record<string, unknown>;
  'relay.set': RelaySummary;
  'relay.show': { relays: RelaySummary[] };
  'relay.clear': { domain: string };
  'dkim.show': { records: DkimRecord[] };
  'dkim.rotate': { records: DkimRecord[] };
  'dkim.activate': { records: DkimRecord[] };
  'dkim.remove': { records: DkimRecord[] };
  'dns.inputs': DnsCheckInputs;
}

export type ControlResult = ControlResults[ControlOp];

/** One reply line: a result, or a failure carrying a `MailError` kind and a message for the user. */
export type ControlResponse = { ok: true; result: ControlResult } | { ok: false; kind: MailErrorKind; message: string };

/** Longest request line accepted (a password is at most 1024 characters; the rest is small). */
export const MAX_REQUEST_BYTES = 64 * 1024;

type FieldSpec = Record<string, 'string' | 'string?' | 'number?'>;

const FIELDS: Record<ControlOp, FieldSpec> = {
  'domain.add': { name: 'string' },
  'domain.list': {},
  'domain.remove': { name: 'string' },
  'user.add': { address: 'string', password: 'string', quotaBytes: 'number?' },
  'user.list': { domain: 'string?' },
  'user.remove': { address: 'string' },
  'user.passwd': { address: 'string', password: 'string' },
  'alias.add': { source: 'string', target: 'string' },
  'alias.list': { domain: 'string?' },
  'alias.remove': { source: 'string', target: 'string?' },
  'tls.ca': {},
  status: {},
  'relay.set': { host: 'string', port: 'number?', tls: 'string?', username: 'string?', password: 'string?', domain: 'string?' },
  'relay.show': {},
  'relay.clear': { domain: 'string?' },
  'dkim.show': { domain: 'string?' },
  'dkim.rotate': { domain: 'string', selector: 'string?' },
  'dkim.activate': { domain: 'string' },
  'dkim.remove': { domain: 'string', selector: 'string' },
  'dns.inputs': { domain: 'string?' },
};

/** Every operation name, for help and validation. */
export const CONTROL_OPS = Object.keys(FIELDS) as ControlOp[];

/**
 * Checks that a parsed JSON value is a well-formed request: a known `op`, the
 * fields that op needs with the right types, and no others. Throws
 * `MailError('invalid')` naming the problem. Pure.
 */
export function parseControlRequest(value: unknown): ControlRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MailError('invalid', 'request must be a JSON object');
  const obj = value as Record<string, unknown>;
  const op = obj.op;
  if (typeof op !== 'string' || !Object.hasOwn(FIELDS, op)) throw new MailError('invalid', `unknown operation ${JSON.stringify(op)}`);
  const spec = FIELDS[op as ControlOp];
  for (const key of Object.keys(obj)) {
    if (key !== 'op' && !Object.hasOwn(spec, key)) throw new MailError('invalid', `${op}: unexpected field "${key}"`);
  }
  for (const [key, type] of Object.entries(spec)) {
    const v = obj[key];
    const optional = type.endsWith('?');
    if (v === undefined) {
      if (!optional) throw new MailError('invalid', `${op}: missing field "${key}"`);
      continue;
    }
    const base = optional ? type.slice(0, -1) : type;
    if (typeof v !== base) throw new MailError('invalid', `${op}: field "${key}" must be a ${base}`);
  }
  return obj as ControlRequest;
}
