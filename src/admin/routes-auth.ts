import type { FastifyInstance, FastifyReply } from 'fastify';
import { hashPassword, needsRehash, passwordProblem, verifyDummyPassword, verifyPassword } from '../auth/index.js';
import { readAdminAccount, writeAdminAccount, USERNAME_PATTERN, type AdminAccount } from './admin-account.js';
import { LoginLimiter, WindowLimiter } from './attempt-limits.js';
import { clientIp, S, sessionOf, type AdminContext } from './context.js';
import { HttpError } from './http-errors.js';
import { sessionIdOf } from './request-guard.js';
import { clearedSessionCookie, sessionCookie, type Session } from './sessions.js';
import { readSetupToken, removeSetupToken, tokenMatches } from './setup-token.js';
import { newTotpSecret, otpauthUrl, verifyTotp } from './totp.js';

const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const username = { type: 'string', pattern: USERNAME_PATTERN } as const;

/**
 * First-boot claim, login, logout, password change and TOTP (T71–T75).
 * Login and setup are `open` routes (no session yet) but still pass the Host,
 * client and cross-site checks of the guard.
 */
export function registerAuthRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { store, dataDir, throttle } = ctx.opts;
  const login = new LoginLimiter(throttle, ctx.now);
  const setupLimit = new WindowLimiter(5, 60_000, ctx.now);
  let claiming: Promise<unknown> = Promise.resolve();

  const setupState = async (): Promise<'open' | 'closed' | 'claimed'> => {
    if (await readAdminAccount(store)) return 'claimed';
    return ctx.now() - ctx.startedAt > ctx.settings.setupWindowMs ? 'closed' : 'open';
  };

  const startSession = (reply: FastifyReply, name: string, old?: string): Session => {
    // Whatever cookie came with the request is dropped: a new id at every login (fixation).
    if (old) ctx.sessions.destroy(old);
    const s = ctx.sessions.create(name);
    reply.header('set-cookie', sessionCookie(s.id, ctx.sessions.cookieMaxAgeSeconds));
    return s;
  };

  app.get('/api/status', { config: { access: 'open' } }, async (request) => {
    const state = await setupState();
    const session = ctx.sessions.use(sessionIdOf(request));
    return { claimed: state === 'claimed', setup: state, hostname: ctx.opts.config.hostname, authenticated: session !== null };
  });

  app.post(
    '/api/setup',
    { config: { access: 'open' }, schema: { body: S.obj({ token: S.str(200, 0), username, password }, ['username', 'password']) } },
    async (request, reply) => {
      const body = request.body as { token?: string; username: string; password: string };
      const state = await setupState();
      if (state === 'claimed') throw new HttpError(404, 'not_found', 'no such page');
      const wait = setupLimit.take(clientIp(request));
      if (wait > 0) throw new HttpError(429, 'rate_limited', `too many setup attempts; try again in ${wait} s`, { 'retry-after': String(wait) });
      if (state === 'closed') throw new HttpError(403, 'setup_closed', 'setup was not completed in time after start; restart the box to set it up');
      const stored = await readSetupToken(dataDir);
      if (!stored || !body.token || !tokenMatches(stored, body.token)) {
        ctx.opts.log.warn({ svc: 'admin', remote: clientIp(request) }, 'admin: setup attempt with a wrong setup token');
        throw new HttpError(403, 'forbidden', 'the setup token is wrong; it is printed on the console and stored in the file setup-token of the data directory');
      }
      const problem = passwordProblem(body.password, body.username);
      if (problem) throw new HttpError(400, 'bad_request', `weak password: ${problem}`);
      const hash = await hashPassword(body.password);
      // Two correct submissions at once: the second finds the box claimed.
      const run = claiming.then(async () => {
        if (await readAdminAccount(store)) throw new HttpError(404, 'not_found', 'no such page');
        const t = ctx.now();
        await writeAdminAccount(store, { username: body.username, passwordHash: hash, createdAt: t, passwordChangedAt: t });
      });
      claiming = run.catch(() => undefined);
      await run;
      await removeSetupToken(dataDir).catch((err: unknown) => ctx.opts.log.error({ err }, 'admin: could not delete the used setup token file'));
      ctx.opts.log.info({ svc: 'admin', remote: clientIp(request) }, 'admin: box claimed, admin account created');
      const s = startSession(reply, body.username, sessionIdOf(request));
      return reply.code(201).send({ username: s.username, csrfToken: s.csrfToken });
    },
  );

  app.post(
    '/api/login',
    { config: { access: 'open' }, schema: { body: S.obj({ username: S.str(200), password, totp: S.str(16) }, ['username', 'password']) } },
    async (request, reply) => {
      const body = request.body as { username: string; password: string; totp?: string };
      const ip = clientIp(request);
      const wait = login.retryAfter(ip);
      if (wait > 0) throw new HttpError(429, 'rate_limited', `too many failed logins; try again in ${wait} s`, { 'retry-after': String(wait) });
      const account = await readAdminAccount(store);
      // Unknown user and wrong password cost the same time and get the same answer (T74).
      const ok = account && account.username.toLowerCase() === body.username.toLowerCase()
        ? await verifyPassword(account.passwordHash, body.password)
        : await verifyDummyPassword(body.password);
      if (!ok || !account) {
        login.failed(ip);
        ctx.opts.log.warn({ svc: 'admin', remote: ip }, 'admin: failed login');
        throw new HttpError(401, 'bad_credentials', 'wrong user name or password');
      }
      if (account.totpSecret) {
        const step = body.totp ? verifyTotp(account.totpSecret, body.totp, ctx.now(), account.totpLastStep) : null;
        if (step === null) {
          if (body.totp) login.failed(ip);
          throw new HttpError(401, 'totp_required', body.totp ? 'the one-time code is wrong' : 'enter the one-time code from your authenticator app');
        }
        await writeAdminAccount(store, { ...account, totpLastStep: step });
      }
      login.succeeded(ip);
      // Hashes made at an older cost are upgraded while the password is at hand (T73).
      if (needsRehash(account.passwordHash)) {
        const fresh = (await readAdminAccount(store)) ?? account;
        await writeAdminAccount(store, { ...fresh, passwordHash: await hashPassword(body.password) });
      }
      ctx.opts.log.info({ svc: 'admin', remote: ip }, 'admin: login');
      const s = startSession(reply, account.username, sessionIdOf(request));
      return { username: s.username, csrfToken: s.csrfToken };
    },
  );

  app.post('/api/logout', { schema: { body: S.empty } }, async (request, reply) => {
    ctx.sessions.destroy(sessionOf(request).id);
    reply.header('set-cookie', clearedSessionCookie());
    return reply.code(204).send();
  });

  app.get('/api/session', async (request) => {
    const s = sessionOf(request);
    const account = await readAdminAccount(store);
    return { username: s.username, csrfToken: s.csrfToken, createdAt: s.createdAt, ...ctx.sessions.expiries(s), totpEnabled: Boolean(account?.totpSecret) };
  });

  const requireAccount = async (): Promise<AdminAccount> => {
    const account = await readAdminAccount(store);
    if (!account) throw new HttpError(401, 'unauthorized', 'please log in');
    return account;
  };

  app.post(
    '/api/password',
    { schema: { body: S.obj({ currentPassword: password, newPassword: password }, ['currentPassword', 'newPassword']) } },
    async (request, reply) => {
      const body = request.body as { currentPassword: string; newPassword: string };
      const account = await requireAccount();
      if (!(await verifyPassword(account.passwordHash, body.currentPassword))) {
        login.failed(clientIp(request));
        throw new HttpError(401, 'bad_credentials', 'the current password is wrong');
      }
      const problem = passwordProblem(body.newPassword, account.username);
      if (problem) throw new HttpError(400, 'bad_request', `weak password: ${problem}`);
      await writeAdminAccount(store, { ...account, passwordHash: await hashPassword(body.newPassword), passwordChangedAt: ctx.now() });
      // Every other session ends; this one continues under a new id.
      ctx.sessions.destroyAll();
      const s = startSession(reply, account.username);
      ctx.opts.log.info({ svc: 'admin' }, 'admin: password changed; other sessions ended');
      return { csrfToken: s.csrfToken };
    },
  );

  app.post('/api/totp/setup', { schema: { body: S.empty } }, async () => {
    const account = await requireAccount();
    const secret = newTotpSecret();
    await writeAdminAccount(store, { ...account, totpPending: secret });
    return { secret, otpauthUrl: otpauthUrl(secret, account.username, `Letterbox ${ctx.opts.config.hostname}`) };
  });

  app.post('/api/totp/enable', { schema: { body: S.obj({ code: { type: 'string', pattern: '^[0-9]{6}$' } }, ['code']) } }, async (request, reply) => {
    const account = await requireAccount();
    const { code } = request.body as { code: string };
    if (!account.totpPending) throw new HttpError(400, 'bad_request', 'start with /api/totp/setup');
    const step = verifyTotp(account.totpPending, code, ctx.now());
    if (step === null) throw new HttpError(400, 'bad_request', 'the code does not match; check the clock of the phone');
    const { totpPending, ...rest } = account;
    await writeAdminAccount(store, { ...rest, totpSecret: totpPending, totpLastStep: step });
    return reply.code(204).send();
  });

  app.post('/api/totp/disable', { schema: { body: S.obj({ password }, ['password']) } }, async (request, reply) => {
    const account = await requireAccount();
    if (!(await verifyPassword(account.passwordHash, (request.body as { password: string }).password))) {
      login.failed(clientIp(request));
      throw new HttpError(401, 'bad_credentials', 'the password is wrong');
    }
    const { totpSecret: _s, totpPending: _p, totpLastStep: _l, ...rest } = account;
    await writeAdminAccount(store, rest);
    return reply.code(204).send();
  });
}
