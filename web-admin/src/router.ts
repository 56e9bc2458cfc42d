/**
 * Hash routes (`#/domains`): the server serves one static page, so reloading
 * any view works without server-side routes, and the back button works.
 * Each page is a function that fills the main area and may return a cleanup
 * (stop polling) that runs when the owner leaves the page.
 */
import { h, replace } from './dom.js';

/** Renders into `main`; returns an optional cleanup run on navigation away. */
export type Page = (main: HTMLElement, params: URLSearchParams) => void | (() => void) | Promise<void | (() => void)>;

export interface Route {
  path: string;
  title: string;
  page: Page;
  /** Hidden from the navigation bar (setup, login). */
  hidden?: boolean;
}

let cleanup: (() => void) | null = null;
let generation = 0;

/** Current route path and query, from the hash (`#/users?u=a@b` → ["/users", u=a@b]). */
export function currentHash(): [string, URLSearchParams] {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  return q < 0 ? [raw, new URLSearchParams()] : [raw.slice(0, q), new URLSearchParams(raw.slice(q + 1))];
}

/** Navigates to a route (adds a history entry). */
export function go(path: string): void {
  if (location.hash === `#${path}`) void render();
  else location.hash = path;
}

let routes: Route[] = [];
let mainEl: HTMLElement;
let guard: (path: string) => string | null = () => null;

/** Installs the router; `check` may redirect (returns another path) before a page renders. */
export function startRouter(list: Route[], main: HTMLElement, check: (path: string) => string | null): void {
  routes = list;
  mainEl = main;
  guard = check;
  window.addEventListener('hashchange', () => void render());
}

/** Renders the page for the current hash; moves focus to its heading for keyboard and screen-reader users. */
export async function render(): Promise<void> {
  const [path, params] = currentHash();
  const redirect = guard(path);
  if (redirect && redirect !== path) {
    go(redirect);
    return;
  }
  const route = routes.find((r) => r.path === path) ?? routes.find((r) => r.path === '/')!;
  if (cleanup) cleanup();
  cleanup = null;
  const mine = ++generation;
  document.title = `${route.title} · Letterbox`;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.getAttribute('href') === `#${route.path}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const heading = h('h1', { tabindex: '-1' }, route.title);
  const body = h('div', { class: 'page' });
  replace(mainEl, heading, body);
  try {
    const c = await route.page(body, params);
    if (mine !== generation) {
      if (c) c();
      return;
    }
    cleanup = c ?? null;
  } catch (err) {
    replace(body, h('p', { class: 'status error', role: 'alert' }, `This page could not load: ${(err as Error).message}`));
  }
  if (mine !== generation) return;
  const auto = mainEl.querySelector<HTMLElement>('[autofocus]');
  (auto ?? heading).focus({ preventScroll: true });
}
