import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser } from './browser.js';
import { startAdminUi } from './admin-ui-harness.js';

/** Screenshots land here (git-ignored); CI keeps the folder as the run's artifacts. */
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'admin-ui');
const PASSWORD = 'correct horse battery staple';

/** Controls without a label (by <label for>, wrapping label or aria-label): keyboard and screen-reader users could not tell what they are. */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => {
      const e = el as HTMLInputElement;
      if (e.type === 'hidden' || e.closest('[hidden]')) return false;
      const named = (e.labels && e.labels.length > 0) || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent?.trim());
      return !named;
    })
    .map((el) => el.outerHTML.slice(0, 120)));
}

/** Only what the owner would notice or what the CSP refused; 401 console lines after logout are expected traffic. */
const serious = (problems: string[]): string[] => problems.filter((p) => /Content Security Policy|Refused to|page error/i.test(p));

test('admin page: setup with the token, login, domain, user, DNS records, live dashboard, logout', async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  const box = await startAdminUi();
  const browser = await openBrowser();
  const { page } = browser;
  try {
    for (let i = 0; i < 5; i++) await box.sample();

    // First start: the page asks for the setup token, and is served with a strict CSP.
    const first = await page.goto(box.url);
    assert.ok(first, 'the page answered');
    const csp = first.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    await page.getByRole('heading', { name: 'Set up your Letterbox' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '01-setup.png'), fullPage: true });

    // A wrong token is refused and the error shows next to the form.
    await page.getByLabel('Setup token').fill('AAAA-BBBB-CCCC-DDDD');
    await page.getByLabel('Admin name').fill('owner');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByRole('alert').filter({ hasText: /token is wrong/ }).waitFor();

    await page.getByLabel('Setup token').fill(box.setupToken.toLowerCase());
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // Log out and back in through the login form.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('Admin name').fill('owner');
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong name or password' }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // Add a domain.
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByLabel('Domain name').fill('example.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByText('Added example.test.').waitFor();
    assert.deepEqual(await box.store.listDomains(), ['example.test']);

    // Add a user.
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Name before @').fill('anna');
    await page.getByLabel('Password', { exact: true }).fill('anna has a long password');
    await page.getByLabel('Quota in MB').fill('100');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('Added anna@example.test.').waitFor();
    await page.getByRole('cell', { name: 'anna@example.test', exact: true }).waitFor();
    const anna = await box.store.getAccount('anna@example.test');
    assert.equal(anna?.quotaBytes, 100 * 1024 * 1024);

    // The domain's DNS records: MX to the box, and the DKIM key generated on first view.
    await page.getByRole('navigation').getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'example.test' }).click();
    const records = page.getByRole('table', { name: 'DNS records for example.test' });
    await records.getByRole('cell', { name: '10 mail.example.test.', exact: true }).waitFor();
    await page.getByRole('table').filter({ hasText: '_domainkey.example.test' }).first().waitFor();
    await records.getByRole('cell', { name: /v=DKIM1/ }).waitFor();
    assert.ok(await page.getByRole('button', { name: /Copy all records for example\.test/ }).isVisible());
    await page.screenshot({ path: join(ARTIFACTS, '02-domain-records.png'), fullPage: true });

    // DKIM rotation in two steps: the new key waits (the old one keeps signing) until the owner switches.
    const dkimTable = page.locator('.dkim');
    await dkimTable.getByText('signing').first().waitFor();
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'New key' }).click();
    await dkimTable.getByText('waiting for DNS').waitFor();
    assert.equal(await dkimTable.getByText('signing', { exact: true }).count(), 1, 'the old key still signs');
    await records.getByRole('cell', { name: /^letterbox-\d{8}\._domainkey\.example\.test$/ }).waitFor();
    await page.getByRole('button', { name: 'Start signing with the new key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start signing' }).click();
    await dkimTable.getByText('retired').waitFor();
    const keys = (await box.store.getSetting('dkim')) as { domains: Record<string, { selector: string; active: boolean; pending?: boolean }[]> };
    assert.deepEqual(keys.domains['example.test']?.map((k) => [k.active, k.pending ?? false]), [[false, false], [true, false]]);
    await dkimTable.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await dkimTable.getByText('retired').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'New key' }).waitFor();

    // Dashboard: numbers from the box, then live changes without a reload.
    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click();
    const metric = (name: string) => page.locator(`[data-metric="${name}"]`);
    await metric('temperature').filter({ hasText: '47.5 °C' }).waitFor();
    assert.equal(await metric('received').textContent(), '0');
    assert.ok((await page.locator('svg.spark polyline').count()) >= 3, 'sparklines are drawn from the history');
    await page.getByText('smtp').first().waitFor();
    box.counters.noteReceived(2);
    box.reading.temperatureC = 52.3;
    await box.sample();
    await metric('received').filter({ hasText: /^2$/ }).waitFor({ timeout: 20_000 });
    await metric('temperature').filter({ hasText: '52.3 °C' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, '03-dashboard-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '04-dashboard-phone.png'), fullPage: true });
    // On a phone the sections hide behind the menu button, which the keyboard can open.
    await page.getByRole('button', { name: 'Menu' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '05-menu-phone.png') });
    await page.keyboard.press('Enter');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Remote login (SSH): keys only; a test checkout is no appliance, and the page says so.
    await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Remote login (SSH)' }).waitFor();
    await page.getByText(/not the Letterbox appliance image/).waitFor();
    await page.getByLabel('Allow remote login (SSH) as root').check();
    await page.getByLabel('Public keys').fill('hunter2');
    await page.getByRole('button', { name: 'Save remote login' }).click();
    await page.getByRole('alert').filter({ hasText: /not an accepted key type/ }).waitFor();

    // Every page renders against the real API with labelled controls and nothing refused by the CSP.
    for (const name of ['Users', 'Queue', 'DNS check', 'Certificates', 'Settings', 'Logs', 'Client setup', 'Domains']) {
      await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.locator('main .page > *').first().waitFor();
      assert.deepEqual(await unlabelledControls(page), [], `controls without labels on ${name}`);
    }

    // The DNS check runs with a progress indicator and shows its findings grouped, with the fix.
    await page.getByRole('navigation').getByRole('link', { name: 'DNS check', exact: true }).click();
    await page.getByRole('button', { name: 'Run the check now' }).click();
    await page.getByText('Check finished.').waitFor();
    await page.getByRole('region', { name: /Checks for The box/ }).getByText('Ask your ISP to set the reverse DNS').waitFor();
    await page.getByRole('region', { name: 'Checks for example.test' }).getByText('MX record').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '06-dns-check.png'), fullPage: true });

    // Certificates: the served names, and the CA download link gives a PEM.
    await page.getByRole('navigation').getByRole('link', { name: 'Certificates', exact: true }).click();
    await page.getByText('mail.example.test', { exact: false }).first().waitFor();
    const caHref = await page.getByRole('link', { name: 'Download the CA' }).getAttribute('href');
    const ca = await page.request.get(new URL(caHref ?? '', box.url).toString());
    assert.match(await ca.text(), /-----BEGIN CERTIFICATE-----/);

    // Log out: the session is gone on the server too.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    const after = await page.request.get(`${box.url}api/session`);
    assert.equal(after.status(), 401);
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    assert.deepEqual(serious(browser.problems), []);
  } finally {
    await browser.close();
    await box.close();
  }
});
