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
  const base = `/api/domains/${seg(domain)}/dkim`;
  // Every DKIM action answers with the domain's keys; the records list changes with them.
  const loadDkim = async (button: HTMLButtonElement, label: string, call: () => Promise<{ records: DkimRecord[] }>): Promise<void> => {
    await withProgress(button, label, async () => {
      const r = await call();
      replace(dkim, dkimView(domain, r.records, {
        rotate: (b) => void loadDkim(b, 'Generating a new key', () => post(`${base}/rotate`, {})),
        activate: (b) => void loadDkim(b, 'Switching keys', () => post(`${base}/activate`, {})),
        remove: (b, selector) => void loadDkim(b, 'Removing', () => del(`${base}/${seg(selector)}`)),
      }));
      await loadRecords();
    }, line);
  };
  const loadRecords = async (): Promise<void> => {
    const r = await get<DomainRecords>(`/api/domains/${seg(domain)}/records`);
    replace(records, recordsView(r));
  };
  // The first call generates the key on the box (about a second on a Pi): show progress.
  const show = (): Promise<void> => loadDkim(keyButton, 'Loading DKIM key (generated on first use)', () => get(base));
  keyButton.addEventListener('click', () => void show());
  try {
    await loadRecords();
    void show();
  } catch (err) {
    say(line, errorText(err), 'error');
    if (/not found/i.test(errorText(err))) go('/domains');
  }
}

interface DkimActions {
  rotate(button: HTMLButtonElement): void;
  activate(button: HTMLButtonElement): void;
  remove(button: HTMLButtonElement, selector: string): void;
}

const DKIM_STATE = {
  active: ['signing', 'ok'],
  pending: ['waiting for DNS', 'warn'],
  retired: ['retired', 'muted'],
} as const;

/**
 * The domain's DKIM keys. A new key only waits (it never signs) until the
 * owner has published its record and presses "Start signing with the new
 * key", so no mail leaves signed with a key receivers cannot find.
 */
function dkimView(domain: string, recs: DkimRecord[], act: DkimActions): HTMLElement {
  const waiting = recs.filter((r) => r.state === 'pending');
  const actions = h('p');
  if (waiting.length === 0) {
    const rot = h('button', { type: 'button', class: 'small' }, 'New key');
    rot.addEventListener('click', () => {
      void confirmDialog(`Make a new DKIM key for ${domain}? It will wait, and the current key keeps signing, until you have published the new record and press "Start signing with the new key".`, 'New key').then((yes) => {
        if (yes) act.rotate(rot);
      });
    });
    actions.append(rot);
  } else {
    const names = waiting.map((r) => r.name).join(', ');
    const go = h('button', { type: 'button', class: 'small' }, 'Start signing with the new key');
    go.addEventListener('click', () => {
      void confirmDialog(`Is ${names} published at your DNS host? Run the DNS check to be sure: mail signed with a key receivers cannot find fails DKIM.`, 'Start signing').then((yes) => {
        if (yes) act.activate(go);
      });
    });
    actions.append(h('span', null, `New key waiting: publish ${names}, then `), go);
  }
  const removeButton = (r: DkimRecord): HTMLElement | string => {
    if (r.state === 'active') return '';
    const b = h('button', { type: 'button', class: 'small' }, 'Remove');
    b.addEventListener('click', () => {
      const why = r.state === 'retired' ? 'Remove it once mail signed with it has been delivered (a few days after the switch), then delete its record at your DNS host.' : 'The new key has not signed anything.';
      void confirmDialog(`Remove the DKIM key ${r.selector}? ${why}`, 'Remove').then((yes) => {
        if (yes) act.remove(b, r.selector);
      });
    });
    return b;
  };
  return h('div', { class: 'dkim' }, h('h3', null, 'DKIM signing key'), table<DkimRecord>([
    { head: 'Selector', cell: (r) => h('code', null, r.selector) },
    { head: 'Algorithm', cell: (r) => r.algorithm },
    { head: 'State', cell: (r) => badge(DKIM_STATE[r.state][0], DKIM_STATE[r.state][1]) },
    { head: 'Record name', cell: (r) => h('code', { class: 'wrap' }, r.name) },
    { head: 'Copy', cell: (r) => copyButton(() => r.txt.join(''), `DKIM record for selector ${r.selector}`) },
    { head: '', cell: (r) => removeButton(r) },
  ], recs, 'No DKIM key yet.'), actions);
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
