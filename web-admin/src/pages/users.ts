/**
 * Users and aliases: add and remove mailboxes, reset a password, set the
 * quota and see the usage; aliases forward one address to others, and an
 * alias whose source is "@domain" is the domain's catch-all.
 * `#/users?domain=D` filters to one domain.
 */
import { del, get, post, put, seg } from '../api.js';
import { formatBytes, h, replace } from '../dom.js';
import { go } from '../router.js';
import type { AliasInfo, DomainInfo, UserInfo } from '../types.js';
import { confirmDialog, errorText, field, form, formDialog, input, say, section, select, statusLine, table, withProgress } from '../ui.js';

const MB = 1024 * 1024;

export async function usersPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const { domains } = await get<{ domains: DomainInfo[] }>('/api/domains');
  if (domains.length === 0) {
    main.append(h('p', null, 'Add a domain first: users are addresses in one of your domains. ', h('a', { href: '#/domains' }, 'Go to Domains')));
    return;
  }
  const filter = params.get('domain') ?? '';
  const q = filter ? `?domain=${encodeURIComponent(filter)}` : '';
  const users = h('div');
  const aliases = h('div');
  const line = statusLine();
  const aliasLine = statusLine();
  const loadUsers = async (): Promise<void> => {
    const r = await get<{ users: UserInfo[] }>(`/api/users${q}`);
    replace(users, table<UserInfo>([
      { head: 'Address', cell: (u) => u.address },
      { head: 'Used', cell: (u) => usage(u) },
      { head: 'Actions', class: 'actions-cell', cell: (u) => userActions(u, line, loadUsers) },
    ], r.users, 'No users yet.', 'Mailboxes'));
  };
  const loadAliases = async (): Promise<void> => {
    const r = await get<{ aliases: AliasInfo[] }>(`/api/aliases${q}`);
    const rows = r.aliases.flatMap((a) => a.targets.map((t) => ({ source: a.source, target: t })));
    replace(aliases, table<{ source: string; target: string }>([
      { head: 'Address', cell: (a) => (a.source.startsWith('@') ? h('span', null, `any address ${a.source}`, h('span', { class: 'badge muted' }, 'catch-all')) : a.source) },
      { head: 'Delivers to', cell: (a) => a.target },
      { head: 'Actions', class: 'actions-cell', cell: (a) => aliasRemove(a, aliasLine, loadAliases) },
    ], rows, 'No aliases.', 'Aliases'));
  };

  const domainChoice = select('domain', domains.map((d) => [d.name, d.name]), filter || domains[0]!.name);
  const local = input('local', { required: true, placeholder: 'anna', autocapitalize: 'none', pattern: '[^@\\s]{1,64}' });
  const password = input('password', { type: 'password', required: true, minlength: '10', maxlength: '1024', autocomplete: 'new-password' });
  const quota = input('quotaMb', { type: 'number', min: '0', step: '1', value: '0', inputmode: 'numeric' });
  const addUser = form([
    h('div', { class: 'row' }, field('Name before @', local), field('Domain', domainChoice)),
    field('Password', password, 'At least 10 characters. The user can use it in any mail program.'),
    field('Quota in MB', quota, '0 means no limit.'),
  ], 'Add user', async (v) => {
    const address = `${v.get('local').trim()}@${v.get('domain')}`;
    await post('/api/users', { address, password: v.get('password'), quotaBytes: Math.round(Number(v.get('quotaMb') || '0') * MB) });
    local.value = '';
    password.value = '';
    await loadUsers();
    return `Added ${address}.`;
  });

  const aliasDomain = select('domain', domains.map((d) => [d.name, d.name]), filter || domains[0]!.name);
  const aliasLocal = input('local', { placeholder: 'info (empty = catch-all)', autocapitalize: 'none' });
  const target = input('target', { type: 'email', required: true, placeholder: 'anna@example.org', autocapitalize: 'none' });
  const addAlias = form([
    h('div', { class: 'row' }, field('Alias before @', aliasLocal, 'Leave empty for a catch-all: every unknown address of the domain.'), field('Domain', aliasDomain)),
    field('Deliver to', target, 'A user here or any address elsewhere.'),
  ], 'Add alias', async (v) => {
    const source = `${v.get('local').trim()}@${v.get('domain')}`;
    await post('/api/aliases', { source, target: v.get('target').trim() });
    aliasLocal.value = '';
    target.value = '';
    await loadAliases();
    return source.startsWith('@') ? `Catch-all for ${v.get('domain')} now delivers to ${v.get('target')}.` : `Added ${source}.`;
  });

  const filterSel = select('filter', [['', 'All domains'], ...domains.map((d): [string, string] => [d.name, d.name])], filter);
  filterSel.addEventListener('change', () => go(filterSel.value ? `/users?domain=${encodeURIComponent(filterSel.value)}` : '/users'));
  main.append(
    h('div', { class: 'toolbar' }, field('Show', filterSel)),
    section('Users', users, line),
    section('Add a user', addUser),
    section('Aliases and catch-all', aliases, aliasLine),
    section('Add an alias', addAlias),
  );
  await Promise.all([loadUsers(), loadAliases()]);
}

function usage(u: UserInfo): HTMLElement {
  if (!u.quotaBytes) return h('span', null, `${formatBytes(u.usedBytes)} (no limit)`);
  const p = h('progress', { max: String(u.quotaBytes), value: String(Math.min(u.usedBytes, u.quotaBytes)), 'aria-label': `Usage of ${u.address}` });
  return h('span', { class: 'usage' }, p, ` ${formatBytes(u.usedBytes)} of ${formatBytes(u.quotaBytes)}`);
}

function userActions(u: UserInfo, line: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const pw = h('button', { type: 'button', class: 'small' }, 'Reset password');
  pw.setAttribute('aria-label', `Reset password of ${u.address}`);
  pw.addEventListener('click', () => {
    void (async () => {
      const v = await formDialog(`New password for ${u.address}`, [field('New password', input('password', { type: 'password', required: true, minlength: '10', maxlength: '1024', autocomplete: 'new-password' }))], 'Set password');
      if (!v) return;
      await withProgress(pw, 'Saving', async () => {
        await post(`/api/users/${seg(u.address)}/password`, { password: v.get('password') });
        say(line, `Password of ${u.address} changed. Mail programs will ask for the new one.`, 'ok');
      }, line);
    })();
  });
  const q = h('button', { type: 'button', class: 'small', 'aria-label': `Set quota of ${u.address}` }, 'Quota');
  q.addEventListener('click', () => {
    void (async () => {
      const v = await formDialog(`Quota for ${u.address}`, [field('Quota in MB', input('quotaMb', { type: 'number', min: '0', step: '1', value: String(Math.round(u.quotaBytes / MB)), required: true }), '0 means no limit.')], 'Save');
      if (!v) return;
      await withProgress(q, 'Saving', async () => {
        await put(`/api/users/${seg(u.address)}/quota`, { quotaBytes: Math.round(Number(v.get('quotaMb')) * MB) });
        await reload();
        say(line, `Quota of ${u.address} saved.`, 'ok');
      }, line);
    })();
  });
  const setup = h('a', { href: `#/clients?u=${encodeURIComponent(u.address)}`, class: 'button small', 'aria-label': `Client setup for ${u.address}` }, 'Setup');
  const rm = h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove ${u.address}` }, 'Remove');
  rm.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmDialog(`Remove ${u.address} and all of its mail? This cannot be undone.`, 'Remove user'))) return;
      await withProgress(rm, 'Removing', async () => {
        await del(`/api/users/${seg(u.address)}`);
        say(line, `Removed ${u.address}.`, 'ok');
        await reload();
      }, line);
    })();
  });
  return h('span', { class: 'btns' }, pw, q, setup, rm);
}

function aliasRemove(a: { source: string; target: string }, line: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const b = h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove alias ${a.source} to ${a.target}` }, 'Remove');
  b.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmDialog(`Stop delivering ${a.source} to ${a.target}?`, 'Remove alias'))) return;
      try {
        await del(`/api/aliases/${seg(a.source)}?target=${encodeURIComponent(a.target)}`);
        say(line, `Removed ${a.source} → ${a.target}.`, 'ok');
        await reload();
      } catch (err) {
        say(line, errorText(err), 'error');
      }
    })();
  });
  return b;
}
