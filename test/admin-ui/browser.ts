import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium; `.ci/run` installs it (playwright-core never downloads a browser). */
export const CHROMIUM = process.env.LETTERBOX_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for headless chromium on the CI machine: root needs --no-sandbox; the
 * machine has no network beyond loopback, so every background fetch (updates,
 * sync, QUIC probing) is turned off instead of failing noisily.
 */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser with a fresh profile, plus what the page complained about (console errors, CSP violations, uncaught errors). */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  problems: string[];
  /** Closes chromium and removes the profile directory. */
  close(): Promise<void>;
}

/**
 * Starts chromium on a fresh `--user-data-dir`. The admin page is served over
 * HTTPS with the box's own CA, which this browser does not trust:
 * `ignoreHTTPSErrors` accepts it for this context only (no global
 * --ignore-certificate-errors flag).
 */
export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'lb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    ignoreHTTPSErrors: true,
    viewport,
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
