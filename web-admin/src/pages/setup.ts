/**
 * First start: the owner types the one-time setup token (shown on the
 * console and written to the data folder and the boot partition) and
 * chooses the admin name and password. The box refuses every other admin
 * call until this is done, and closes setup 30 minutes after start.
 */
import { post } from '../api.js';
import { h } from '../dom.js';
import { go } from '../router.js';
import { session, setSession } from '../session.js';
import { field, form, input } from '../ui.js';

export function setupPage(main: HTMLElement): void {
  if (session().setup === 'closed') {
    main.append(h('p', { class: 'status error', role: 'alert' }, 'Setup is closed because it was not completed within 30 minutes of starting the box. Restart the box (unplug it for a few seconds), then open this page again.'));
    return;
  }
  const token = input('token', { required: true, autocomplete: 'one-time-code', autofocus: true, minlength: '8' });
  const username = input('username', { required: true, value: 'admin', autocomplete: 'username', pattern: '[A-Za-z0-9._@\\-]{1,64}', maxlength: '64' });
  const password = input('password', { type: 'password', required: true, minlength: '10', maxlength: '1024', autocomplete: 'new-password' });
  const again = input('password2', { type: 'password', required: true, minlength: '10', maxlength: '1024', autocomplete: 'new-password' });
  main.append(
    h('p', null, 'This box has no administrator yet. Its setup token was shown on the console when it started and written to the file ', h('code', null, 'setup-token'), ' in its data folder (and on the SD card\'s boot partition).'),
    form([
      field('Setup token', token, 'Works once. Dashes, spaces and case do not matter. Without it nobody can take over the box.'),
      field('Admin name', username, 'Letters, digits and . _ @ -'),
      field('Password', password, 'At least 10 characters. There is no default password.'),
      field('Password again', again),
    ], 'Create admin', async (v) => {
      if (v.get('password') !== v.get('password2')) throw new Error('The two passwords differ.');
      const s = await post<{ username: string; csrfToken: string }>('/api/setup', { token: v.get('token').trim(), username: v.get('username'), password: v.get('password') });
      setSession({ ...session(), claimed: true, setup: 'claimed', authenticated: true, user: s.username, csrfToken: s.csrfToken });
      go('/');
    }, { class: 'narrow', 'aria-label': 'Set up' }),
  );
}
