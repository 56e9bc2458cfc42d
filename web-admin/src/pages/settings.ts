/**
 * Settings: the host name (from the boot file, shown only), the smarthost
 * (relay) for outgoing mail, sending limits, remote login (SSH), and the
 * admin's own password and two-step login (TOTP).
 */
import { del, get, post, put } from '../api.js';
import { h, replace } from '../dom.js';
import { session, setSession } from '../session.js';
import type { Relay, Settings } from '../types.js';
import { remoteLoginSection } from './remote-login.js';
import { checkbox, confirmDialog, field, form, input, say, section, select, statusLine, table, withProgress } from '../ui.js';

export async function settingsPage(main: HTMLElement): Promise<void> {
  const s = await get<Settings>('/api/settings');
  const relays = h('div');
  const relayLine = statusLine();
  const drawRelays = (list: Relay[]): void => {
    replace(relays, table<Relay>([
      { head: 'For', cell: (r) => (r.domain === '*' ? 'all outgoing mail' : `mail to ${r.domain}`) },
      { head: 'Smarthost', cell: (r) => `${r.host}:${r.port}` },
      { head: 'Encryption', cell: (r) => (r.tls === 'implicit' ? 'TLS' : 'STARTTLS') },
      { head: 'User', cell: (r) => r.username ?? '–' },
      { head: 'Actions', class: 'actions-cell', cell: (r) => removeRelay(r, relayLine, reloadRelays) },
    ], list, 'No smarthost: the box delivers directly to each recipient\'s server (port 25 must be open outbound).'));
  };
  const reloadRelays = async (): Promise<void> => drawRelays((await get<Settings>('/api/settings')).relays);
  drawRelays(s.relays);

  const host = input('host', { required: true, placeholder: 'smtp.provider.example', autocapitalize: 'none' });
  const port = input('port', { type: 'number', min: '1', max: '65535', value: '587' });
  const tls = select('tls', [['starttls', 'STARTTLS (port 587)'], ['implicit', 'TLS (port 465)']]);
  const user = input('username', { autocomplete: 'off' });
  const pass = input('password', { type: 'password', autocomplete: 'new-password' });
  const relayForm = form([
    h('div', { class: 'row' }, field('Smarthost', host), field('Port', port)),
    field('Encryption', tls),
    h('div', { class: 'row' }, field('User name', user, 'If the provider asks for a login.'), field('Password', pass)),
  ], 'Save smarthost', async (v) => {
    await put('/api/settings/relay', { host: v.get('host').trim(), port: Number(v.get('port') || '587'), tls: v.get('tls'), ...(v.get('username') ? { username: v.get('username'), password: v.get('password') } : {}) });
    pass.value = '';
    await reloadRelays();
    return 'Saved: outgoing mail now goes through the smarthost.';
  });

  const limitField = (name: keyof Settings['limits'], label: string, hint: string): HTMLElement => field(label, input(name, { type: 'number', min: '1', required: true, value: String(s.limits[name]) }), hint);
  const limits = form([
    limitField('messagesPerHour', 'Messages per user per hour', 'Protects your address\'s reputation if a password leaks.'),
    limitField('recipientsPerHour', 'Recipients per user per hour', ''),
    limitField('maxConnections', 'Connections at once', 'A Pi-sized default keeps the box responsive under load.'),
  ], 'Save limits', async (v) => {
    await put('/api/settings/limits', { messagesPerHour: Number(v.get('messagesPerHour')), recipientsPerHour: Number(v.get('recipientsPerHour')), maxConnections: Number(v.get('maxConnections')) });
    return 'Limits saved.';
  });

  const d = s.delivery;
  const ed = checkbox('dkimEd25519', 'Also sign with Ed25519 (RFC 8463)', d.dkimEd25519);
  const delivery = form([
    field('Give up after (days)', input('giveUpAfterDays', { type: 'number', min: '1', max: '30', step: '0.5', required: true, value: String(d.giveUpAfterDays) }), 'Mail that cannot be delivered for this long goes back to its sender. Most servers keep trying for 5 days.'),
    field('Warn the sender after (hours)', input('delayWarningAfterHours', { type: 'number', min: '0', max: '240', step: '1', required: true, value: String(d.delayWarningAfterHours) }), '0: never. The sender gets one "still trying" notice.'),
    field('Selector for new DKIM keys', input('dkimSelector', { required: true, pattern: '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?', value: d.dkimSelector }), 'Used when a key is made; existing keys keep their selector.'),
    ed.el,
    h('p', { class: 'hint' }, 'A second, shorter DKIM signature. Its key waits on the Domains page: publish its "-ed" record there, then press "Start signing with the new key".'),
  ], 'Save delivery settings', async (v) => {
    await put('/api/settings/delivery', { giveUpAfterDays: Number(v.get('giveUpAfterDays')), delayWarningAfterHours: Number(v.get('delayWarningAfterHours')), dkimSelector: v.get('dkimSelector').trim(), dkimEd25519: ed.box.checked });
    return 'Delivery settings saved.';
  });

  main.append(
    section('Host name', h('p', null, h('strong', null, s.hostname)), h('p', { class: 'hint' }, 'The name mail servers and programs use for this box. It is set in the boot configuration on the SD card; changing it also needs new DNS records and a new certificate.')),
    section('Smarthost for outgoing mail', h('p', { class: 'hint' }, 'Many home connections cannot send mail directly (port 25 blocked, or a dynamic address that recipients distrust). A smarthost from your provider sends it for you.'), relays, relayLine, relayForm),
    section('Limits', limits),
    section('Delivery and signing', delivery),
    remoteLoginSection(),
    passwordSection(),
    totpSection(),
  );
}

function removeRelay(r: Relay, line: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const b = h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove smarthost ${r.host}` }, 'Remove');
  b.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmDialog(`Stop using ${r.host}? Mail will be delivered directly.`, 'Remove smarthost'))) return;
      await withProgress(b, 'Removing', async () => {
        await del(`/api/settings/relay?domain=${encodeURIComponent(r.domain)}`);
        say(line, 'Smarthost removed.', 'ok');
        await reload();
      }, line);
    })();
  });
  return b;
}

function passwordSection(): HTMLElement {
  const cur = input('currentPassword', { type: 'password', required: true, autocomplete: 'current-password' });
  const next = input('newPassword', { type: 'password', required: true, minlength: '10', maxlength: '1024', autocomplete: 'new-password' });
  const again = input('again', { type: 'password', required: true, minlength: '10', maxlength: '1024', autocomplete: 'new-password' });
  return section('Admin password', form([field('Current password', cur), field('New password', next, 'At least 10 characters. Other logged-in browsers are logged out.'), field('New password again', again)], 'Change password', async (v, f) => {
    if (v.get('newPassword') !== v.get('again')) throw new Error('The two new passwords differ.');
    const r = await post<{ csrfToken: string }>('/api/password', { currentPassword: v.get('currentPassword'), newPassword: v.get('newPassword') });
    setSession({ ...session(), csrfToken: r.csrfToken });
    f.reset();
    return 'Password changed.';
  }));
}

function totpSection(): HTMLElement {
  const box = h('div');
  const draw = (): void => {
    if (session().totpEnabled) {
      const pw = input('password', { type: 'password', required: true, autocomplete: 'current-password' });
      replace(box, h('p', null, 'Two-step login is on: logging in needs a code from your authenticator app.'), form([field('Password', pw)], 'Turn off two-step login', async (v) => {
        await post('/api/totp/disable', { password: v.get('password') });
        setSession({ ...session(), totpEnabled: false });
        draw();
      }));
      return;
    }
    const start = h('button', { type: 'button' }, 'Set up two-step login');
    const line = statusLine();
    start.addEventListener('click', () => {
      void withProgress(start, 'Preparing', async () => {
        const t = await post<{ secret: string; otpauthUrl: string }>('/api/totp/setup', {});
        const code = input('code', { required: true, inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: '6', autocomplete: 'one-time-code' });
        replace(box,
          h('p', null, 'Add this key to an authenticator app (on the phone, tap the link; otherwise type the key), then enter the code it shows.'),
          h('p', null, h('a', { href: t.otpauthUrl }, 'Open in authenticator app')),
          h('p', null, 'Key: ', h('code', { class: 'wrap' }, t.secret.replace(/(.{4})/g, '$1 ').trim())),
          form([field('Code', code)], 'Turn on', async (v) => {
            await post('/api/totp/enable', { code: v.get('code') });
            setSession({ ...session(), totpEnabled: true });
            draw();
          }));
      }, line);
    });
    replace(box, h('p', null, 'Two-step login is off. With it on, a stolen password alone is not enough to log in here.'), start, line);
  };
  draw();
  return section('Two-step login (TOTP)', box);
}
