/**
 * Settings → Remote login (SSH): an on/off switch and the owner's public
 * keys. The box has no passwords, so SSH works with keys only. The page asks;
 * the firmware applies it within seconds and the state line shows what it did.
 */
import { get, put } from '../api.js';
import { h, formatTime, replace } from '../dom.js';
import type { RemoteLogin } from '../types.js';
import { checkbox, field, form, section } from '../ui.js';

function stateText(r: RemoteLogin): string {
  if (!r.supported) return 'This installation is not the Letterbox appliance image: there is no firmware here to switch SSH on or off. Keys are still checked.';
  if (r.pending) return 'Waiting for the box to apply the change…';
  const a = r.applied;
  if (!a) return 'SSH is off.';
  const when = a.at ? ` (${formatTime(a.at)})` : '';
  const problem = a.result.startsWith('refused') || a.result.startsWith('failed') ? ` Last change ${a.result}.` : '';
  return `SSH is ${a.active === 'active' ? 'running' : a.enabled ? `switched on but ${a.active}` : 'off'}${when}.${problem}`;
}

export function remoteLoginSection(): HTMLElement {
  const box = h('div');
  const draw = (r: RemoteLogin): void => {
    const on = checkbox('enabled', 'Allow remote login (SSH) as root', r.enabled);
    const keys = h('textarea', { name: 'keys', rows: 4, spellcheck: 'false', autocomplete: 'off', placeholder: 'ssh-ed25519 AAAA… you@laptop' });
    keys.value = r.authorizedKeys.join('\n');
    const state = h('p', { role: 'status' }, stateText(r));
    const hostKey = r.applied?.hostKey ? h('p', { class: 'hint' }, 'Host key fingerprint: ', h('code', { class: 'wrap' }, r.applied.hostKey)) : null;
    replace(box,
      h('p', { class: 'hint' }, 'Only public keys are accepted (ssh-ed25519, ssh-rsa, ecdsa, security keys), one per line, without options in front; there is no password to log in with. Paste the contents of ~/.ssh/id_ed25519.pub.'),
      state, hostKey,
      form([on.el, field('Public keys', keys)], 'Save remote login', async (v) => {
        const list = v.get('keys').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
        const next = await put<RemoteLogin>('/api/remote-login', { enabled: on.box.checked, authorizedKeys: list });
        draw(next);
        if (next.pending) void poll();
        return next.supported ? 'Saved; the box applies it in a few seconds.' : 'Keys checked; nothing changed on this installation.';
      }));
  };
  // Follows the firmware until it has taken the request (a few seconds; at most a minute).
  const poll = async (): Promise<void> => {
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      if (!box.isConnected) return;
      const r = await get<RemoteLogin>('/api/remote-login');
      if (!r.pending) {
        draw(r);
        return;
      }
    }
  };
  void get<RemoteLogin>('/api/remote-login').then(draw, () => replace(box, h('p', null, 'Remote login settings could not be read.')));
  return section('Remote login (SSH)', box);
}
