// Conformance, part 1: domains, accounts, aliases and recipient resolution.
// Run against every MailStore implementation (memory and disk).
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError, type MailErrorKind } from '../../src/errors.js';
import { MAX_ALIAS_DEPTH, type LetterboxStore } from '../../src/store/index.js';
import { DOMAIN, HASH, OTHER, seed, type StoreFactory, type StoreHarness } from './store-fixtures.js';

/** Asserts that `p` rejects with a MailError of `kind`. */
export async function rejectsKind(p: Promise<unknown>, kind: MailErrorKind, what?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isMailError(err), `expected MailError(${kind}), got ${String(err)}`);
    assert.equal(err.kind, kind, `expected ${kind}, got ${err.kind}: ${err.message}`);
    if (what) assert.match(err.message, what);
    return true;
  });
}

export function directoryConformance(name: string, factory: StoreFactory): void {
  describe(`${name}: directory`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(() => h.dispose());

    it('adds, lists and removes domains, lower-cased', async () => {
      await store.addDomain('Example.COM');
      await store.addDomain('mail.example.org');
      assert.deepEqual(await store.listDomains(), ['example.com', 'mail.example.org']);
      assert.equal(store.isLocalDomain('EXAMPLE.com'), true);
      assert.equal(store.isLocalDomain('example.net'), false);
      await rejectsKind(store.addDomain('example.com'), 'exists');
      await store.removeDomain('EXAMPLE.COM');
      assert.deepEqual(await store.listDomains(), ['mail.example.org']);
      await rejectsKind(store.removeDomain('example.com'), 'notFound');
    });

    it('refuses invalid domain names', async () => {
      for (const bad of ['', 'localhost', 'example.com.', '-a.example.com', 'a-.example.com', 'a..b', 'ex_ample.com', 'exa mple.com', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}com`]) {
        await rejectsKind(store.addDomain(bad), 'invalid');
      }
      assert.deepEqual(await store.listDomains(), []);
    });

    it('refuses to remove a domain in use by an account or an alias', async () => {
      await seed(store, 'alice');
      await rejectsKind(store.removeDomain(DOMAIN), 'inUse');
      await store.addAlias(`team@${OTHER}`, `alice@${DOMAIN}`);
      await store.removeAccount(`alice@${DOMAIN}`);
      await rejectsKind(store.removeDomain(DOMAIN), 'inUse', /points into/);
      await rejectsKind(store.removeDomain(OTHER), 'inUse', /aliases/);
      await store.removeAlias(`team@${OTHER}`);
      await store.removeDomain(DOMAIN);
      await store.removeDomain(OTHER);
    });

    it('creates accounts with the six special-use mailboxes', async () => {
      await seed(store);
      await store.addAccount('Alice@Example.COM', HASH, { quotaBytes: 5000 });
      const a = await store.getAccount('ALICE@example.com');
      assert.ok(a);
      assert.equal(a.address, 'alice@example.com');
      assert.equal(a.passwordHash, HASH);
      assert.equal(a.quotaBytes, 5000);
      assert.equal(a.usedBytes, 0);
      assert.ok(a.createdAt > 0);
      const boxes = await (await store.account('alice@example.com')).listMailboxes();
      assert.deepEqual(
        boxes.map((b) => [b.name, b.specialUse, b.subscribed, b.messages, b.uidNext]),
        [
          ['INBOX', null, true, 0, 1],
          ['Archive', '\\Archive', true, 0, 1],
          ['Drafts', '\\Drafts', true, 0, 1],
          ['Junk', '\\Junk', true, 0, 1],
          ['Sent', '\\Sent', true, 0, 1],
          ['Trash', '\\Trash', true, 0, 1],
        ],
      );
      assert.equal(new Set(boxes.map((b) => b.uidValidity)).size, 6, 'each mailbox has its own UIDVALIDITY');
      assert.equal(new Set(boxes.map((b) => b.id)).size, 6);
    });

    it('reports account errors: invalid, exists, notFound', async () => {
      await seed(store, 'alice');
      await rejectsKind(store.addAccount('bob@elsewhere.org', HASH), 'invalid', /not in a local domain/);
      for (const bad of ['bob', 'bob@', '@example.com', '"bob"@example.com', 'a%b@example.com', 'a!b@example.com', 'a@b@example.com', 'a..b@example.com', '.a@example.com', `${'x'.repeat(65)}@example.com`, 'bo b@example.com']) {
        await rejectsKind(store.addAccount(bad, HASH), 'invalid');
      }
      await rejectsKind(store.addAccount('bob@example.com', ''), 'invalid');
      await rejectsKind(store.addAccount('bob@example.com', HASH, { quotaBytes: -1 }), 'invalid');
      await rejectsKind(store.addAccount('ALICE@example.com', HASH), 'exists');
      await store.addAlias('sales@example.com', 'alice@example.com');
      await rejectsKind(store.addAccount('sales@example.com', HASH), 'exists', /alias/);
      await rejectsKind(store.removeAccount('nobody@example.com'), 'notFound');
      await rejectsKind(store.setPasswordHash('nobody@example.com', HASH), 'notFound');
      await rejectsKind(store.account('nobody@example.com'), 'notFound');
      assert.equal(await store.getAccount('nobody@example.com'), null);
      await store.setPasswordHash('alice@example.com', 'new-hash');
      assert.equal((await store.getAccount('alice@example.com'))?.passwordHash, 'new-hash');
    });

    it('lists accounts by domain and removes them', async () => {
      await seed(store, 'bob', 'alice');
      await store.addAccount(`carol@${OTHER}`, HASH);
      assert.deepEqual((await store.listAccounts()).map((a) => a.address), ['alice@example.com', 'bob@example.com', 'carol@example.net']);
      assert.deepEqual((await store.listAccounts('EXAMPLE.NET')).map((a) => a.address), ['carol@example.net']);
      await store.removeAccount('Bob@Example.com');
      assert.deepEqual((await store.listAccounts(DOMAIN)).map((a) => a.address), ['alice@example.com']);
    });

    it('adds and removes aliases with every error', async () => {
      await seed(store, 'alice', 'bob');
      await store.addAlias('Team@Example.com', 'ALICE@example.com');
      await store.addAlias('team@example.com', 'bob@example.com');
      await store.addAlias('@example.net', 'alice@example.com');
      assert.deepEqual(await store.listAliases(), [
        { source: '@example.net', targets: ['alice@example.com'] },
        { source: 'team@example.com', targets: ['alice@example.com', 'bob@example.com'] },
      ]);
      assert.deepEqual((await store.listAliases('example.com')).map((a) => a.source), ['team@example.com']);
      await rejectsKind(store.addAlias('team@example.com', 'bob@example.com'), 'exists');
      await rejectsKind(store.addAlias('alice@example.com', 'bob@example.com'), 'exists', /account/);
      await rejectsKind(store.addAlias('x@elsewhere.org', 'bob@example.com'), 'invalid');
      await rejectsKind(store.addAlias('x@example.com', 'someone@gmail.com'), 'invalid', /target/);
      await rejectsKind(store.addAlias('x@example.com', 'x@example.com'), 'invalid');
      await rejectsKind(store.addAlias('@bad_domain', 'bob@example.com'), 'invalid');
      await rejectsKind(store.addAlias('x@example.com', 'not-an-address'), 'invalid');
      await rejectsKind(store.removeAlias('nope@example.com'), 'notFound');
      await rejectsKind(store.removeAlias('team@example.com', 'carol@example.com'), 'notFound');
      await store.removeAlias('team@example.com', 'alice@example.com');
      assert.deepEqual((await store.listAliases(DOMAIN))[0]?.targets, ['bob@example.com']);
      await store.removeAlias('team@example.com', 'bob@example.com');
      await store.removeAlias('@example.net');
      assert.deepEqual(await store.listAliases(), []);
    });
  });

  describe(`${name}: recipient resolution`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(() => h.dispose());

    const local = (...accounts: string[]) => ({ kind: 'local', accounts });

    it('resolves accounts case-insensitively, plus-addressing, remote and unknown', async () => {
      await seed(store, 'alice');
      assert.deepEqual(await store.resolveRecipient('ALICE@EXAMPLE.COM'), local('alice@example.com'));
      assert.deepEqual(await store.resolveRecipient('Alice+Lists@example.com'), local('alice@example.com'));
      assert.deepEqual(await store.resolveRecipient('alice+a+b@example.com'), local('alice@example.com'));
      assert.deepEqual(await store.resolveRecipient('bob@example.com'), { kind: 'unknown' });
      assert.deepEqual(await store.resolveRecipient('+x@example.com'), { kind: 'unknown' });
      assert.deepEqual(await store.resolveRecipient('"odd local"@example.com'), { kind: 'unknown' });
      assert.deepEqual(await store.resolveRecipient('alice@gmail.com'), { kind: 'remote' });
      await rejectsKind(store.resolveRecipient('no-at-sign'), 'invalid');
    });

    it('prefers an exact account or alias over the +tag rule and the catch-all', async () => {
      await seed(store, 'alice', 'bob', 'carol');
      await store.addAccount('alice+work@example.com', HASH);
      await store.addAlias('bob+x@example.com', 'carol@example.com');
      await store.addAlias('@example.com', 'carol@example.com');
      assert.deepEqual(await store.resolveRecipient('alice+work@example.com'), local('alice+work@example.com'));
      assert.deepEqual(await store.resolveRecipient('bob+x@example.com'), local('carol@example.com'));
      assert.deepEqual(await store.resolveRecipient('bob+y@example.com'), local('bob@example.com'));
      assert.deepEqual(await store.resolveRecipient('anything@example.com'), local('carol@example.com'));
      assert.deepEqual(await store.resolveRecipient('Anything+tag@EXAMPLE.com'), local('carol@example.com'));
    });

    it('expands alias chains and de-duplicates accounts', async () => {
      await seed(store, 'alice', 'bob');
      await store.addAlias('all@example.com', 'team@example.com');
      await store.addAlias('all@example.com', 'alice@example.com');
      await store.addAlias('team@example.com', 'alice@example.com');
      await store.addAlias('team@example.com', 'bob+team@example.com');
      await store.addAlias('team@example.com', 'ghost@example.com');
      assert.deepEqual(await store.resolveRecipient('ALL@example.com'), local('alice@example.com', 'bob@example.com'));
    });

    it('cuts alias loops and chains deeper than the limit', async () => {
      await seed(store, 'alice');
      await store.addAlias('a@example.com', 'b@example.com');
      await store.addAlias('b@example.com', 'a@example.com');
      assert.deepEqual(await store.resolveRecipient('a@example.com'), { kind: 'unknown' });
      await store.addAlias('b@example.com', 'alice@example.com');
      assert.deepEqual(await store.resolveRecipient('a@example.com'), local('alice@example.com'));
      // A chain of exactly MAX_ALIAS_DEPTH aliases resolves; one more does not.
      for (let i = 1; i <= MAX_ALIAS_DEPTH; i++) {
        await store.addAlias(`c${i}@example.com`, i === MAX_ALIAS_DEPTH ? 'alice@example.com' : `c${i + 1}@example.com`);
      }
      assert.deepEqual(await store.resolveRecipient('c1@example.com'), local('alice@example.com'));
      await store.addAlias('c0@example.com', 'c1@example.com');
      assert.deepEqual(await store.resolveRecipient('c0@example.com'), { kind: 'unknown' });
    });

    it('always resolves postmaster', async () => {
      await store.addDomain(DOMAIN);
      await store.addDomain(OTHER);
      assert.deepEqual(await store.resolveRecipient('postmaster@example.com'), { kind: 'unknown' }, 'no account on the box at all');
      await store.addAccount(`first@${OTHER}`, HASH);
      assert.deepEqual(await store.resolveRecipient('postmaster@example.com'), local('first@example.net'), "box's oldest account");
      assert.deepEqual(await store.resolveRecipient('Postmaster'), local('first@example.net'), 'bare postmaster (RFC 5321)');
      await store.addAccount(`zed@${DOMAIN}`, HASH);
      await store.addAccount(`amy@${DOMAIN}`, HASH);
      assert.deepEqual(await store.resolveRecipient('POSTMASTER@example.com'), local('zed@example.com'), "domain's oldest account");
      await store.addAlias('@example.com', 'amy@example.com');
      assert.deepEqual(await store.resolveRecipient('postmaster@example.com'), local('zed@example.com'), 'postmaster is not swallowed by the catch-all');
      await store.addAlias('postmaster@example.com', 'amy@example.com');
      assert.deepEqual(await store.resolveRecipient('postmaster@example.com'), local('amy@example.com'), 'explicit alias');
    });
  });
}
