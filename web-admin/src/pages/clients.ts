/**
 * Client setup: the server settings one user types into a mail program, and
 * the files mail programs fetch to set themselves up (Thunderbird autoconfig,
 * Outlook autodiscover, an Apple profile for iPhone, iPad and Mac).
 */
import { get, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { go } from '../router.js';
import type { ClientSetup, ServerEndpoint, UserInfo } from '../types.js';
import { copyButton, errorText, field, select, table } from '../ui.js';

const SOCKETS: Record<string, string> = { SSL: 'SSL/TLS', STARTTLS: 'STARTTLS' };

export async function clientsPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const { users } = await get<{ users: UserInfo[] }>('/api/users');
  if (users.length === 0) {
    main.append(h('p', null, 'Add a user first. ', h('a', { href: '#/users' }, 'Go to Users')));
    return;
  }
  const chosen = params.get('u') ?? users[0]!.address;
  const who = select('user', users.map((u) => [u.address, u.address]), chosen);
  who.addEventListener('change', () => go(`/clients?u=${encodeURIComponent(who.value)}`));
  const body = h('div');
  main.append(h('div', { class: 'toolbar' }, field('User', who)), body);
  try {
    const c = await get<ClientSetup>(`/api/users/${seg(chosen)}/client-setup`);
    replace(body, view(c));
  } catch (err) {
    replace(body, h('p', { class: 'status error', role: 'alert' }, errorText(err)));
  }
}

function view(c: ClientSetup): HTMLElement[] {
  const servers = (title: string, list: ServerEndpoint[]): HTMLElement => h('div', null, h('h3', null, title), table<ServerEndpoint>([
    { head: 'Protocol', cell: (e) => e.protocol.toUpperCase() },
    { head: 'Server', cell: (e) => h('span', null, h('code', null, e.host), ' ', copyButton(() => e.host, `server name for ${e.protocol}`)) },
    { head: 'Port', cell: (e) => String(e.port) },
    { head: 'Security', cell: (e) => SOCKETS[e.socket] ?? e.socket },
    { head: 'Login', cell: () => 'normal password' },
  ], list, 'None offered.'));
  const domain = c.address.split('@')[1] ?? '';
  return [
    h('section', { class: 'card', 'aria-label': 'Manual settings' }, h('h2', null, `Settings for ${c.address}`),
      h('dl', { class: 'kv' }, h('dt', null, 'User name'), h('dd', null, h('code', null, c.username), ' ', copyButton(() => c.username, 'user name')), h('dt', null, 'Password'), h('dd', null, 'the one set for this user')),
      servers('Incoming mail', c.incoming), servers('Outgoing mail', c.outgoing)),
    h('section', { class: 'card', 'aria-label': 'Automatic setup' }, h('h2', null, 'Automatic setup'),
      h('ul', null,
        h('li', null, h('strong', null, 'Thunderbird, K-9/Thunderbird for Android, Evolution: '), 'enter the address and password; they find the settings through ', h('a', { href: c.autoconfigUrl }, 'the autoconfig file'), domain ? ` (needs the autoconfig.${domain} record from the Domains page).` : '.'),
        h('li', null, h('strong', null, 'iPhone, iPad, Mac: '), h('a', { href: c.mobileconfigUrl, download: `${c.address}.mobileconfig` }, 'download the profile'), ', open it and install it in Settings; it asks for the password during installation.'),
        h('li', null, h('strong', null, 'Outlook: '), 'enter the address; Outlook asks the box\'s autodiscover service at ', h('code', null, '/autodiscover/autodiscover.xml'), '.'),
      ),
      h('p', { class: 'hint' }, 'If a program warns about the certificate, install the box\'s CA from the Certificates page first.')),
  ];
}
