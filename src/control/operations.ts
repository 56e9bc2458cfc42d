import { assertPasswordAcceptable } from '../auth/password-policy.js';
import { hashPassword } from '../auth/password.js';
import { MailError } from '../errors.js';
import type { MailStore } from '../store/types.js';
import type { ControlRequest, ControlResults } from './protocol.js';
import { collectDnsCheckInputs } from './dns-inputs.js';
import { activateDkim, clearRelay, removeDkim, rotateDkim, setRelay, showDkim, showRelays } from '../smtp/outbound/settings-ops.js';

/**
 * What operations act on. The control server passes the running appliance's
 * store, certificates and status; the CLI, when no server runs, passes a store
 * it opened itself and a `caPem` that reads the CA file.
 */
export interface OperationContext {
  store: MailStore;
  /** Our CA certificate in PEM; absent when no CA exists yet. */
  caPem?: () => string | Promise<string>;
  /** Extra fields for `status` (uptime, listeners, …). */
  status?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** True when this context belongs to the running server (reported by `status`). */
  running: boolean;
}

/**
 * Runs one management operation: the single place where CLI and control
 * socket requests become store calls, so both paths apply the same checks
 * (password policy, then scrypt hashing — never a plain password to the store).
 *
 * Each change is one store mutation and is durable when this resolves. Fails
 * with the store's `MailError`s (`invalid`, `exists`, `notFound`, `inUse`,
 * `temporary`), `invalid` for a weak password or bad quota, and `notFound`
 * for `tls.ca` before the certificate authority exists.
 */
export async function runOperation<R extends ControlRequest>(ctx: OperationContext, request: R): Promise<ControlResults[R['op']]> {
  return (await dispatch(ctx, request)) as ControlResults[R['op']];
}

async function dispatch(ctx: OperationContext, request: ControlRequest): Promise<ControlResults[keyof ControlResults]> {
  const { store } = ctx;
  switch (request.op) {
    case 'domain.add': {
      await store.addDomain(request.name);
      return { name: request.name.trim().toLowerCase() };
    }
    case 'domain.list':
      return { domains: await store.listDomains() };
    case 'domain.remove': {
      await store.removeDomain(request.name);
      return { name: request.name.trim().toLowerCase() };
    }
    case 'user.add': {
      const address = request.address.trim().toLowerCase();
      if (!address.includes('@')) throw new MailError('invalid', `invalid address "${request.address}" (expected user@domain)`);
      if (request.quotaBytes !== undefined && (!Number.isSafeInteger(request.quotaBytes) || request.quotaBytes < 0)) {
        throw new MailError('invalid', 'quota must be a whole number of bytes (0 = unlimited)');
      }
      // Report a duplicate before asking for a better password or spending a hash on it.
      if (await store.getAccount(address)) throw new MailError('exists', `user ${address} already exists`);
      assertPasswordAcceptable(request.password, address);
      const hash = await hashPassword(request.password);
      await store.addAccount(address, hash, request.quotaBytes !== undefined ? { quotaBytes: request.quotaBytes } : {});
      return { address };
    }
    case 'user.list': {
      const accounts = await store.listAccounts(request.domain?.trim().toLowerCase());
      return { users: accounts.map((a) => ({ address: a.address, quotaBytes: a.quotaBytes, usedBytes: a.usedBytes, createdAt: a.createdAt })) };
    }
    case 'user.remove': {
      const address = request.address.trim().toLowerCase();
      await store.removeAccount(address);
      return { address };
    }
    case 'user.passwd': {
      const address = request.address.trim().toLowerCase();
      if (!(await store.getAccount(address))) throw new MailError('notFound', `no such user ${address}`);
      assertPasswordAcceptable(request.password, address);
      await store.setPasswordHash(address, await hashPassword(request.password));
      return { address };
    }
    case 'alias.add': {
      const source = request.source.trim().toLowerCase();
      const target = request.target.trim().toLowerCase();
      await store.addAlias(source, target);
      return { source, target };
    }
    case 'alias.list':
      return { aliases: await store.listAliases(request.domain?.trim().toLowerCase()) };
    case 'alias.remove': {
      const source = request.source.trim().toLowerCase();
      const target = request.target?.trim().toLowerCase();
      await store.removeAlias(source, target);
      return target === undefined ? { source } : { source, target };
    }
    case 'tls.ca': {
      if (!ctx.caPem) throw new MailError('notFound', 'no certificate authority yet: start letterbox once to create it');
      return { pem: await ctx.caPem() };
    }
    case 'relay.set': {
      const { op: _op, ...input } = request;
      return setRelay(store, input);
    }
    case 'relay.show':
      return { relays: await showRelays(store) };
    case 'relay.clear':
      return clearRelay(store, request.domain);
    case 'dkim.show':
      return { records: await showDkim(store, request.domain) };
    case 'dkim.rotate':
      return { records: await rotateDkim(store, request.domain, request.selector) };
    case 'dkim.activate':
      return { records: await activateDkim(store, request.domain) };
    case 'dkim.remove':
      return { records: await removeDkim(store, request.domain, request.selector) };
    case 'dns.inputs':
      return collectDnsCheckInputs(store, request.domain);
    case 'status': {
      const extra = ctx.status ? await ctx.status() : {};
      const [domains, accounts] = await Promise.all([store.listDomains(), store.listAccounts()]);
      return { ...extra, running: ctx.running, domains: domains.length, users: accounts.length };
    }
  }
}

/** Turns any failure into the `{kind, message}` a control reply or the CLI shows. */
export function describeFailure(err: unknown): { kind: MailError['kind']; message: string } {
  if (err instanceof MailError) return { kind: err.kind, message: err.message };
  return { kind: 'temporary', message: err instanceof Error ? err.message : String(err) };
}
