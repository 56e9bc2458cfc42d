/**
 * Domains: add and remove mail domains; for one domain, its DKIM key and
 * selector and the "records to create" at the DNS host, each with a copy
 * button and the whole zone snippet to paste at once. `#/domains?d=NAME`
 * opens one domain so the view survives a reload.
 */
import { del, get, post, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { go } from '../router.js';
import type { DkimRecord, DomainInfo, DomainRecords, ExpectedRecord } from '../types.js';
import { badge, confirmDialog, copyButton, errorText, field, form, input, say, section, statusLine, table, withProgress } from '../ui.js';

export async function domainsPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const list = h('div');
  const line = statusLine();
  const load = async (): Promise<void> => {
    const { domains } = await get<{ domains: DomainInfo[] }>('/api/domains');
    replace(list, table<DomainInfo>([
      { head: 'Domain', cell: (d) => h('a', { href: `#/domains?d=${encodeURIComponent(d.name)}` }, d.name) },
      { head: 'Users', cell: (d) => String(d.accounts) },
      { head: 'Aliases', cell: (d) => String(d.aliases) },
      { head: 'Actions', class: 'actions-cell', cell: (d) => removeButton(d, line, load) },
    ], domains, 'No domains yet. Add the domain your addresses end with, e.g. example.org.', 'Mail domains'));
  };
  const name = input('name', { required: true, placeholder: 'example.org', autocapitalize: 'none', inputmode: 'url', pattern: '[A-Za-z0-9.\\-]+\\.[A-Za-z0-9\\-]+' });
  main.append(
    section('Your domains', list, line),
    section('Add a domain', form([field('Domain name', name, 'The part after @ in your addresses.')], 'Add domain', async (v) => {
      const d = await post<{ name: string }>('/api/domains', { name: v.get('name').trim().toLowerCase() });
      name.value = '';
      await load();
      return `Added ${d.name}. Next: add users, then create the DNS records shown under the domain.`;
    })),
  );
  const detail = h('div');
  main.append(detail);
  await load();
  const open = params.get('d');
  if (open) await domainDetail(detail, open);
}

function removeButton(d: DomainInfo, line: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const b = h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove ${d.name}` }, 'Remove');
  b.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmDialog(`Remove the domain ${d.name}? Mail to it will be refused. Users and aliases must be removed first.`, 'Remove domain'))) return;
      await withProgress(b, 'Removing', async () => {
        await del(`/api/domains/${seg(d.name)}`);
        say(line, `Removed ${d.name}.`, 'ok');
        await reload();
      }, line);
    })();
  });
  return b;
}

/** DKIM and records to create for one domain. */
async function domainDetail(el: HTMLElement, domain: string): Promise<void> {
  const dkim = h('div');
  const records = h('div');
  const line = statusLine();
  const close = h('a', { href: '#/domains', class: 'small' }, 'Close');
  replace(el, section(`DNS for ${domain}`, close, h('p', null, 'Create these records at the company that hosts your domain\'s DNS. Required ones first; then run the DNS check to confirm.'), line, dkim, records));
  const keyButton = h('button', { type: 'button', class: 'small' }, 'Show DKIM key');
  dkim.append(keyButton);
  const loadDkim = async (path: string, method: 'GET' | 'POST'): Promise<void> => {
    // The first call generates the key on the box (about a second on a Pi): show progress.
    await withProgress(keyButton, method === 'POST' ? 'Generating a new key' : 'Loading DKIM key (generated on first use)', async () => {
      const r = method === 'POST' ? await post<{ records: DkimRecord[] }>(path, {}) : await get<{ records: DkimRecord[] }>(path);
      replace(dkim, dkimView(domain, r.records, () => void loadDkim(`/api/domains/${seg(domain)}/dkim/rotate`, 'POST')));
      await loadRecords();
    }, line);
  };
  const loadRecords = async (): Promise<void> => {
    const r = await get<DomainRecords>(`/api/domains/${seg(domain)}/records`);
    replace(records, recordsView(r));
  };
  keyButton.addEventListener('click', () => void loadDkim(`/api/domains/${seg(domain)}/dkim`, 'GET'));
  try {
    await loadRecords();
    void loadDkim(`/api/domains/${seg(domain)}/dkim`, 'GET');
  } catch (err) {
    say(line, errorText(err), 'error');
    if (/not found/i.test(errorText(err))) go('/domains');
  }
}

function dkimView(domain: string, recs: DkimRecord[], rotate: () => void): HTMLElement {
  const rot = h('button', { type: 'button', class: 'small' }, 'New key');
  rot.addEventListener('click', () => {
    void confirmDialog(`Make a new DKIM key for ${domain}? Publish its record before the old one is removed, or recipients will reject signed mail for a while.`, 'New key').then((yes) => {
      if (yes) rotate();
    });
  });
  return h('div', { class: 'dkim' }, h('h3', null, 'DKIM signing key'), table<DkimRecord>([
    { head: 'Selector', cell: (r) => h('code', null, r.selector) },
    { head: 'Algorithm', cell: (r) => r.algorithm },
    { head: 'State', cell: (r) => badge(r.active ? 'signing' : 'retired', r.active ? 'ok' : 'warn') },
    { head: 'Record name', cell: (r) => h('code', { class: 'wrap' }, r.name) },
    { head: 'Copy', cell: (r) => copyButton(() => r.txt.join(''), `DKIM record for selector ${r.selector}`) },
  ], recs, 'No DKIM key yet.'), rot);
}

function recordsView(r: DomainRecords): HTMLElement {
  const order = { required: 0, recommended: 1, optional: 2 } as const;
  const rows = [...r.records].sort((a, b) => order[a.importance] - order[b.importance]);
  return h('div', { class: 'records' },
    h('h3', null, 'Records to create'),
    table<ExpectedRecord>([
      { head: 'Name', cell: (x) => h('code', { class: 'wrap name' }, x.name) },
      { head: 'Type', cell: (x) => x.type },
      { head: 'Value', cell: (x) => h('code', { class: 'wrap value' }, x.value) },
      { head: 'Importance', cell: (x) => badge(x.disabled ? 'not yet' : x.importance, x.disabled ? 'muted' : x.importance) },
      { head: 'Where', cell: (x) => (x.where === 'isp' ? 'your ISP (reverse DNS)' : 'DNS host') },
      { head: 'Note', cell: (x) => x.comment },
      { head: 'Copy', cell: (x) => copyButton(() => x.value, `${x.type} value for ${x.name}`) },
    ], rows, 'No records.', `DNS records for ${r.domain}`),
    h('details', null, h('summary', null, 'All records as a zone file'), h('pre', { class: 'zone', tabindex: '0' }, r.zoneText)),
    copyButton(() => r.zoneText, `all records for ${r.domain}`));
}
