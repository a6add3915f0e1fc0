// Signing in with a password and a second factor (admins at /admin, advisors at /conseiller): the
// password (throttled per email or known device and per address, before it is checked), then the
// TOTP code — or, for an account without an authenticator, the enrolment code, then the new secret
// and its first code. Wrong codes count against the account in the database, whatever the session
// (totp-second-factor.ts): a wait that grows, then a lock, answered 429 with Retry-After, no code
// checked meanwhile. Every POST answers 303, or the page again with its error (400/401/429).
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { formatMoment, groupSecret } from '../admin/french-format.ts';
import type { Render } from '../http/render.ts';
import { seeOther } from '../http/see-other.ts';
import { loginClient, rememberDevice } from './device-cookie.ts';
import { type LoginThrottle, TooManyAttempts } from './login-throttle.ts';
import type { SecondFactorSession } from './second-factor-session.ts';
import type { CodeOutcome } from './totp-second-factor.ts';

const LOGIN_ERROR = 'Adresse e-mail ou mot de passe incorrect.';
const CODE_ERROR = 'Code incorrect ou déjà utilisé. Attendez le code suivant et réessayez.';

const loginForm = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});
const codeOf = (ctx: Koa.Context) =>
  String((ctx.request.body as { code?: unknown } | undefined)?.code ?? '')
    .replace(/\s/g, '')
    .slice(0, 40);

type Refused = Exclude<CodeOutcome, { ok: true }>;

/** What to tell someone whose code was refused (`unlocker`: who can lift a lock), and with which status. */
export function refusal(outcome: Refused, wrong: string, unlocker: string) {
  const until = outcome.waitUntil && outcome.waitUntil.getTime() > Date.now() ? outcome.waitUntil : undefined;
  const next = until ? ` Prochain essai possible le ${formatMoment(until)}.` : '';
  const locked = outcome.locked
    ? `Ce compte est verrouillé après plusieurs codes incorrects : ${unlocker} peut le déverrouiller.`
    : 'Trop de codes incorrects pour ce compte.';
  return {
    status: outcome.checked ? 401 : 429,
    retryAfter: until ? Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)) : undefined,
    error: outcome.checked ? `${wrong}${outcome.locked ? ` ${locked}` : ''}${next}` : `${locked}${next}`,
  };
}

interface Account {
  id: string;
  email: string;
  disabled_at: Date | null;
  totp_enabled_at: Date | null;
}
interface PendingEnrolment {
  secret: string;
  qrDataUrl: string;
}

/** The account service's sign-in half (admin-accounts.ts, advisor-accounts.ts). */
export interface SignInAccounts<A extends Account> {
  totpRequired: boolean;
  checkPassword(email: string, password: string): Promise<A | undefined>;
  find(id: string): Promise<A | undefined>;
  verifyCode(id: string, code: string, ip: string): Promise<CodeOutcome>;
  pendingEnrolment(id: string): Promise<PendingEnrolment | undefined>;
  startEnrolment(account: A, code: string, ip: string): Promise<{ outcome: CodeOutcome }>;
  confirmEnrolment(id: string, code: string, ip: string): Promise<CodeOutcome>;
}

/** The enrolment step as shown: the enrolment code wanted, or the new secret (`secret` grouped for reading). */
type EnrolmentShown = { email: string; error?: string } & (
  | { step: 'enrolment-code' }
  | { step: 'secret'; secret?: string; qrDataUrl?: string }
);
export type EnrolmentStep = EnrolmentShown & { title: string };
const ENROLMENT_TITLE = 'Activer la double authentification';

export interface SignInRealm {
  /** `admin` or `advisor`: the throttle's and the device cookie's realm */
  word: 'admin' | 'advisor';
  /** where the signed-in pages are: `/admin`, `/conseiller` */
  home: string;
  /** the router's own prefix (`home`), or none when mounted in a router that has it */
  prefixed: boolean;
  /** the enrolment page under `home`: `/enrolment`, `/activation` */
  enrolmentPath: string;
  /** where a confirmed enrolment leads */
  enrolledHome: string;
  session: SecondFactorSession;
  /** the enrolment code's refusal, which says whom to ask for a new one */
  enrolmentCodeError: string;
  /** who can lift a lock, in the refusal */
  unlocker: string;
  /** after a refused first code, show the new secret again */
  secretAgainAfterRefusal: boolean;
  views: {
    login: { template: string; title: string };
    code: string;
    enrolment(step: EnrolmentStep): { template: string; model: Record<string, unknown> };
  };
}

export function secondFactorSignInRoutes<A extends Account>(
  realm: SignInRealm,
  deps: { render: Render; accounts: SignInAccounts<A>; throttle: LoginThrottle },
) {
  const { render, accounts, throttle } = deps;
  const { word, home, session, views } = realm;
  const enrolment = `${home}${realm.enrolmentPath}`;
  const router = new Router(realm.prefixed ? { prefix: home } : undefined);

  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf });
  };
  const refuse = (ctx: Koa.Context, outcome: Refused, wrong: string) => {
    const r = refusal(outcome, wrong, realm.unlocker);
    ctx.status = r.status;
    if (r.retryAfter) ctx.set('Retry-After', String(r.retryAfter));
    return r.error;
  };
  const loginPage = (ctx: Koa.Context, model: Record<string, unknown>) =>
    page(ctx, views.login.template, { title: views.login.title, ...model });
  const enrolmentPage = (ctx: Koa.Context, shown: EnrolmentShown) => {
    const title = shown.error ? `Erreur – ${ENROLMENT_TITLE}` : ENROLMENT_TITLE;
    const view = views.enrolment({ ...shown, title });
    page(ctx, view.template, view.model);
  };
  const secretOf = (pending: PendingEnrolment | undefined) =>
    pending ? { secret: groupSecret(pending.secret), qrDataUrl: pending.qrDataUrl } : {};

  router.get('/login', (ctx) => {
    if (session.isSignedIn(ctx)) return seeOther(ctx, home);
    loginPage(ctx, {
      notice: ctx.query.deconnecte === '1' ? 'Vous êtes déconnecté.' : undefined,
      warning: ctx.query.expire === '1' ? 'Votre session a expiré : reconnectez-vous.' : undefined,
    });
  });

  router.post('/login', async (ctx) => {
    const form = loginForm.safeParse(ctx.request.body);
    const email = form.success ? form.data.email.toLowerCase() : '';
    const client = loginClient(ctx, word);
    if (form.success) {
      // Throttled like jobseeker logins, per email (or known device) and per address, before the
      // password check.
      try {
        await throttle.attempt(word, email, client);
      } catch (err) {
        if (!(err instanceof TooManyAttempts)) throw err;
        ctx.status = 429;
        ctx.set('Retry-After', String(err.retryAfterSeconds));
        return loginPage(ctx, { error: err.message, email: form.data.email });
      }
    }
    const account = form.success ? await accounts.checkPassword(email, form.data.password) : undefined;
    if (!account) {
      ctx.status = 401;
      return loginPage(ctx, { error: LOGIN_ERROR, email: form.success ? form.data.email : '' });
    }
    // The password throttle only: the second factor's count is the account's, and a correct
    // password does not touch it.
    await throttle.succeeded(word, email, client);
    rememberDevice(ctx, word, email);
    if (!accounts.totpRequired) {
      await session.completeSignIn(ctx, account.id);
      return seeOther(ctx, home);
    }
    session.startSecondFactor(ctx, account.id);
    seeOther(ctx, account.totp_enabled_at ? `${home}/login/code` : enrolment);
  });

  /** The account half-way in, or a redirect to where it should be. */
  async function pendingAccount(ctx: Koa.Context, wantEnrolled: boolean) {
    const id = session.pendingId(ctx);
    const account = id ? await accounts.find(id) : undefined;
    if (!account || account.disabled_at) {
      seeOther(ctx, `${home}/login`);
      return undefined;
    }
    if (Boolean(account.totp_enabled_at) !== wantEnrolled) {
      seeOther(ctx, wantEnrolled ? enrolment : `${home}/login/code`);
      return undefined;
    }
    return account;
  }

  const codePage = (ctx: Koa.Context, error?: string) =>
    page(ctx, views.code, {
      title: error ? 'Erreur – Code de vérification' : 'Code de vérification',
      error,
    });

  router.get('/login/code', async (ctx) => {
    if (await pendingAccount(ctx, true)) codePage(ctx);
  });

  router.post('/login/code', async (ctx) => {
    const account = await pendingAccount(ctx, true);
    if (!account) return;
    const outcome = await accounts.verifyCode(account.id, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      await session.completeSignIn(ctx, account.id);
      return seeOther(ctx, home);
    }
    codePage(ctx, refuse(ctx, outcome, CODE_ERROR));
  });

  // First the enrolment code; then, in this session only, the new secret (the same one again if the
  // page is reloaded) until its first code is confirmed.
  router.get(realm.enrolmentPath, async (ctx) => {
    const account = await pendingAccount(ctx, false);
    if (!account) return;
    const pending = session.isEnrolling(ctx) ? await accounts.pendingEnrolment(account.id) : undefined;
    if (!pending) return enrolmentPage(ctx, { step: 'enrolment-code', email: account.email });
    enrolmentPage(ctx, { step: 'secret', email: account.email, ...secretOf(pending) });
  });

  router.post(`${realm.enrolmentPath}/code`, async (ctx) => {
    const account = await pendingAccount(ctx, false);
    if (!account) return;
    const { outcome } = await accounts.startEnrolment(account, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      session.enrolmentStarted(ctx);
      return seeOther(ctx, enrolment);
    }
    const error = refuse(ctx, outcome, realm.enrolmentCodeError);
    enrolmentPage(ctx, { step: 'enrolment-code', email: account.email, error });
  });

  router.post(realm.enrolmentPath, async (ctx) => {
    const account = await pendingAccount(ctx, false);
    if (!account) return;
    if (!session.isEnrolling(ctx)) return seeOther(ctx, enrolment);
    const outcome = await accounts.confirmEnrolment(account.id, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      await session.completeSignIn(ctx, account.id);
      return seeOther(ctx, realm.enrolledHome);
    }
    const error = refuse(ctx, outcome, CODE_ERROR);
    if (ctx.status === 401) ctx.status = 400;
    const again = realm.secretAgainAfterRefusal ? await accounts.pendingEnrolment(account.id) : undefined;
    enrolmentPage(ctx, { step: 'secret', email: account.email, ...secretOf(again), error });
  });

  router.post('/logout', (ctx) => {
    session.clear(ctx);
    seeOther(ctx, `${home}/login?deconnecte=1`);
  });

  return router;
}
