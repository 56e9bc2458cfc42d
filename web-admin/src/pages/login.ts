/**
 * Login with name and password, plus a one-time code when the admin has
 * turned on TOTP (the box answers `totp_required` and the code field appears).
 * The box throttles failures per address together with the mail protocols;
 * its 429 message is shown as it is.
 */
import { ApiError, post } from '../api.js';
import { h } from '../dom.js';
import { go } from '../router.js';
import { session, setSession } from '../session.js';
import { field, form, input } from '../ui.js';

export function loginPage(main: HTMLElement): void {
  const username = input('username', { required: true, autocomplete: 'username', autofocus: true, maxlength: '64' });
  const password = input('password', { type: 'password', required: true, autocomplete: 'current-password', maxlength: '1024' });
  const totp = input('totp', { inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6' });
  const totpField = field('Code from your authenticator app', totp, 'Six digits; needed because two-step login is on.');
  totpField.hidden = true;
  main.append(form([field('Admin name', username), field('Password', password), totpField], 'Log in', async (v) => {
    const body: Record<string, string> = { username: v.get('username'), password: v.get('password') };
    if (v.get('totp')) body.totp = v.get('totp');
    try {
      const s = await post<{ username: string; csrfToken: string }>('/api/login', body, { expect401: true });
      setSession({ ...session(), claimed: true, authenticated: true, user: s.username, csrfToken: s.csrfToken });
      go('/');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') {
        const first = totpField.hidden;
        totpField.hidden = false;
        totp.required = true;
        totp.focus();
        throw new Error(first ? 'Enter the 6-digit code from your authenticator app.' : 'That code was not right. Try the current one.');
      }
      if (err instanceof ApiError && err.status === 401) throw new Error('Wrong name or password.');
      throw err;
    }
  }, { class: 'narrow', 'aria-label': 'Log in' }), h('p', { class: 'hint' }, 'Forgot the password? On the box\'s console run ', h('code', null, 'letterbox admin reset-claim'), ', then set up again with the new token.'));
}
