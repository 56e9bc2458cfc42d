/**
 * Entry point of the admin page: draws the frame (skip link, header, navigation,
 * main area), learns the session state and hands over to the router. Pages
 * before login (setup, login) are only reachable while they make sense; every
 * other page needs a session, and a 401 from any call returns to login.
 */
import { onUnauthorized } from './api.js';
import { h, replace } from './dom.js';
import { currentHash, go, render, startRouter, type Route } from './router.js';
import { logout, onSessionChange, refreshSession, session, setSession } from './session.js';
import { setupPage } from './pages/setup.js';
import { loginPage } from './pages/login.js';
import { dashboardPage } from './pages/dashboard.js';
import { domainsPage } from './pages/domains.js';
import { usersPage } from './pages/users.js';
import { queuePage } from './pages/queue.js';
import { dnsPage } from './pages/dns.js';
import { certificatesPage } from './pages/certificates.js';
import { settingsPage } from './pages/settings.js';
import { logsPage } from './pages/logs.js';
import { clientsPage } from './pages/clients.js';

const ROUTES: Route[] = [
  { path: '/', title: 'Dashboard', page: dashboardPage },
  { path: '/domains', title: 'Domains', page: domainsPage },
  { path: '/users', title: 'Users', page: usersPage },
  { path: '/queue', title: 'Queue', page: queuePage },
  { path: '/dns', title: 'DNS check', page: dnsPage },
  { path: '/certificates', title: 'Certificates', page: certificatesPage },
  { path: '/settings', title: 'Settings', page: settingsPage },
  { path: '/logs', title: 'Logs', page: logsPage },
  { path: '/clients', title: 'Client setup', page: clientsPage },
  { path: '/setup', title: 'Set up your Letterbox', page: setupPage, hidden: true },
  { path: '/login', title: 'Log in', page: loginPage, hidden: true },
];

const PUBLIC = new Set(['/setup', '/login']);

/** Where the owner may be, given the session: unclaimed → setup, logged out → login. */
function guard(path: string): string | null {
  const s = session();
  if (!s.claimed) return '/setup';
  if (!s.authenticated) return path === '/login' ? null : '/login';
  if (PUBLIC.has(path)) return '/';
  return null;
}

function frame(): HTMLElement {
  const nav = h('nav', { 'aria-label': 'Sections', id: 'nav' },
    h('ul', null, ROUTES.filter((r) => !r.hidden).map((r) => h('li', null, h('a', { href: `#${r.path}` }, r.title)))));
  const user = h('span', { class: 'who' });
  const out = h('button', { type: 'button', id: 'logout', class: 'small' }, 'Log out');
  out.addEventListener('click', () => {
    void logout().then(() => go('/login'));
  });
  const menu = h('button', { type: 'button', class: 'small menu-toggle', 'aria-controls': 'nav', 'aria-expanded': 'false' }, 'Menu');
  menu.addEventListener('click', () => {
    const open = menu.getAttribute('aria-expanded') !== 'true';
    menu.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  });
  nav.addEventListener('click', (ev) => {
    if ((ev.target as HTMLElement).tagName === 'A') {
      menu.setAttribute('aria-expanded', 'false');
      nav.classList.remove('open');
    }
  });
  const header = h('header', { class: 'top' }, h('a', { href: '#/', class: 'brand' }, 'Letterbox'), h('span', { class: 'host' }), menu, h('span', { class: 'session' }, user, out));
  onSessionChange((s) => {
    document.body.classList.toggle('signed-in', s.authenticated);
    replace(user, s.authenticated && s.user ? s.user : '');
    replace(header.querySelector('.host')!, s.hostname ?? '');
  });
  return h('div', { class: 'shell' }, h('a', { href: '#main', class: 'skip' }, 'Skip to content'), header, nav, h('main', { id: 'main', tabindex: '-1' }));
}

async function boot(): Promise<void> {
  const root = document.getElementById('app')!;
  const shell = frame();
  replace(root, shell);
  const main = shell.querySelector('main')!;
  startRouter(ROUTES, main, guard);
  onUnauthorized(() => {
    if (!session().authenticated) return;
    setSession({ ...session(), authenticated: false });
    if (currentHash()[0] !== '/login') go('/login');
  });
  try {
    await refreshSession();
  } catch (err) {
    replace(main, h('h1', null, 'Letterbox'), h('p', { class: 'status error', role: 'alert' }, `The box did not answer: ${(err as Error).message}`));
    return;
  }
  await render();
}

void boot();
