/**
 * Certificates: which certificate the box serves (names, expiry, where it
 * comes from); the box's own CA to install on phones and laptops, with a
 * short how-to; import of a certificate and key bought elsewhere; and ACME
 * (Let's Encrypt or another CA) for a host name reachable from the internet,
 * whose runs are polled and shown with progress and their last error.
 */
import { get, post, put } from '../api.js';
import { daysUntil, formatTime, h, replace } from '../dom.js';
import type { AcmeStatus, CertificateInfo } from '../types.js';
import { badge, checkbox, field, form, input, say, section, statusLine, withProgress } from '../ui.js';

interface CertAnswer {
  current: CertificateInfo;
  caUrl: string;
  acme: AcmeStatus | null;
}

const SOURCES: Record<string, string> = { local: 'the box\'s own certificate authority', acme: 'ACME (publicly trusted)', imported: 'imported by you' };
const POLL_MS = 2000;

export async function certificatesPage(main: HTMLElement): Promise<() => void> {
  const current = h('div');
  const acmeBox = h('div');
  const line = statusLine();
  let stopped = false;
  const load = async (): Promise<CertAnswer> => {
    const c = await get<CertAnswer>('/api/certificates');
    replace(current, currentView(c, line, () => void load()));
    replace(acmeBox, acmeView(c.acme, line, () => stopped, () => void load()));
    return c;
  };
  const c = await load();
  main.append(section('Current certificate', current, line), caView(c.caUrl), importView(() => void load()), acmeBox);
  return () => {
    stopped = true;
  };
}

function currentView(c: CertAnswer, line: HTMLElement, reload: () => void): HTMLElement {
  const cur = c.current;
  const days = daysUntil(cur.notAfter);
  const back = cur.source !== 'local' ? h('button', { type: 'button', class: 'small' }, 'Use the box\'s own certificate again') : null;
  back?.addEventListener('click', () => {
    void withProgress(back, 'Switching', async () => {
      await post('/api/certificates/local', {});
      say(line, 'The box now serves its own certificate.', 'ok');
      reload();
    }, line);
  });
  return h('div', null, h('dl', { class: 'kv' },
    h('dt', null, 'Names'), h('dd', null, cur.names.join(', ')),
    h('dt', null, 'Valid until'), h('dd', null, formatTime(cur.notAfter), ' ', badge(days < 0 ? 'expired' : `${days} days left`, days < 0 ? 'fail' : days < 30 ? 'warn' : 'ok')),
    h('dt', null, 'Valid from'), h('dd', null, formatTime(cur.notBefore)),
    h('dt', null, 'Issued by'), h('dd', null, cur.issuer),
    h('dt', null, 'Comes from'), h('dd', null, SOURCES[cur.source] ?? cur.source),
    h('dt', null, 'SHA-256 fingerprint'), h('dd', null, h('code', { class: 'wrap' }, cur.fingerprint256))), back);
}

function caView(caUrl: string): HTMLElement {
  const steps: [string, string][] = [
    ['iPhone and iPad', 'Open this page in Safari and tap "Download the CA". Then Settings → General → VPN & Device Management → Letterbox CA → Install, and Settings → General → About → Certificate Trust Settings → turn on Letterbox CA.'],
    ['Android', 'Tap "Download the CA", then Settings → Security → Encryption & credentials → Install a certificate → CA certificate, and pick the downloaded file.'],
    ['Mac', 'Download, double-click the file, add it to the "System" keychain, open it in Keychain Access and set "When using this certificate" to "Always Trust".'],
    ['Windows', 'Download, double-click, "Install Certificate" → Local Machine → "Place all certificates in the following store" → Trusted Root Certification Authorities.'],
    ['Linux', 'Copy the file to /usr/local/share/ca-certificates/letterbox.crt and run "sudo update-ca-certificates". Thunderbird keeps its own list: Settings → Privacy & Security → Manage Certificates → Authorities → Import.'],
  ];
  return section('Our certificate authority',
    h('p', null, 'Until the box has a publicly trusted certificate, phones and laptops warn about it. Installing the box\'s own CA once on each device makes the warnings go away for mail and for this page.'),
    h('p', null, h('a', { href: caUrl, download: 'letterbox-ca.crt', class: 'button primary' }, 'Download the CA')),
    steps.map(([who, how]) => h('details', null, h('summary', null, who), h('p', null, how))));
}

function importView(reload: () => void): HTMLElement {
  const cert = h('textarea', { name: 'cert', required: true, placeholder: '-----BEGIN CERTIFICATE-----', spellcheck: 'false' });
  const key = h('textarea', { name: 'key', required: true, placeholder: '-----BEGIN PRIVATE KEY-----', spellcheck: 'false' });
  const fileInto = (target: HTMLTextAreaElement, label: string): HTMLElement => {
    const f = h('input', { type: 'file', accept: '.pem,.crt,.cer,.key,text/plain', 'aria-label': label });
    f.addEventListener('change', () => {
      const file = f.files?.[0];
      if (file) void file.text().then((t) => (target.value = t));
    });
    return f;
  };
  return section('Import a certificate',
    h('p', { class: 'hint' }, 'PEM format: the certificate first, then any intermediate certificates; the key unencrypted. The box checks that they match and are valid before serving them.'),
    form([
      field('Certificate and chain (PEM)', cert), fileInto(cert, 'Load certificate from a file'),
      field('Private key (PEM)', key), fileInto(key, 'Load key from a file'),
    ], 'Import', async (v, f) => {
      await post('/api/certificates/import', { cert: v.get('cert'), key: v.get('key') });
      f.reset();
      reload();
      return 'Imported: the box serves the new certificate now.';
    }));
}

function acmeView(acme: AcmeStatus | null, line: HTMLElement, stopped: () => boolean, reload: () => void): HTMLElement {
  if (!acme) return section('Trusted certificate (ACME)', h('p', null, 'ACME is not available on this box.'));
  const status = h('div');
  const drawStatus = (a: AcmeStatus): void => {
    replace(status, h('dl', { class: 'kv' },
      h('dt', null, 'State'), h('dd', null, badge(a.state, a.state)),
      h('dt', null, 'Last attempt'), h('dd', null, formatTime(a.lastAttemptAt)),
      h('dt', null, 'Next renewal'), h('dd', null, formatTime(a.nextRenewalAt)),
      a.lastError ? [h('dt', null, 'Last error'), h('dd', { class: 'status error' }, a.lastError)] : null),
    a.state === 'failed' ? h('p', { class: 'hint' }, 'Meanwhile the box keeps serving its own certificate. Check that port 80 is forwarded to the box and that the host name points to your public address (see DNS check).') : null);
  };
  drawStatus(acme);
  const email = input('email', { type: 'email', value: acme.email ?? '', placeholder: 'you@example.org', autocomplete: 'email' });
  const dir = input('directoryUrl', { type: 'url', value: acme.directoryUrl });
  const enabled = checkbox('enabled', 'Get and renew a trusted certificate automatically', acme.enabled);
  const tos = checkbox('agreeTos', 'I accept the certificate authority\'s terms of service', acme.enabled);
  const renew = h('button', { type: 'button' }, 'Get a certificate now');
  renew.disabled = !acme.enabled;
  renew.addEventListener('click', () => {
    void withProgress(renew, 'Getting a certificate (up to a minute)', async (progress) => {
      let a = await post<AcmeStatus>('/api/acme/renew', {});
      progress(null, 'Asking the certificate authority…');
      while (a.state === 'running' && !stopped()) {
        await new Promise((ok) => setTimeout(ok, POLL_MS));
        a = await get<AcmeStatus>('/api/acme');
        drawStatus(a);
      }
      drawStatus(a);
      if (a.state === 'failed') say(line, `Getting a certificate failed: ${a.lastError ?? 'no reason given'}`, 'error');
      else if (a.state === 'valid') {
        say(line, 'The box now serves a publicly trusted certificate.', 'ok');
        reload();
      }
    }, line);
  });
  return section('Trusted certificate (ACME)',
    h('p', null, 'For a host name reachable from the internet on port 80, the box can get a free, publicly trusted certificate (e.g. from Let\'s Encrypt) and renew it 30 days before it expires.'),
    status,
    form([enabled.el, field('Contact e-mail', email, 'The certificate authority writes here when renewal fails.'), h('details', null, h('summary', null, 'Advanced'), field('Directory URL', dir)), tos.el], 'Save', async (v) => {
      const on = enabled.box.checked;
      const a = await put<AcmeStatus>('/api/acme', { enabled: on, agreeTos: tos.box.checked, ...(v.get('email') ? { email: v.get('email') } : {}), ...(v.get('directoryUrl') ? { directoryUrl: v.get('directoryUrl') } : {}) });
      drawStatus(a);
      renew.disabled = !a.enabled;
      return on ? 'Saved. Use "Get a certificate now" or wait for the next automatic run.' : 'Saved: ACME is off.';
    }),
    h('div', { class: 'actions' }, renew));
}
