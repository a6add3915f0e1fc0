// Signing in to /conseiller as admins sign in to /admin (../security/second-factor-sign-in-routes.ts):
// the password, then the TOTP code — or, without an authenticator yet, the enrolment code an admin
// handed over, then the new secret and its first code. Wrong codes count against the advisor account
// in the database (../security/totp-second-factor.ts): a wait, then a lock that an admin lifts.
import type { Render } from '../http/render.ts';
import type { LoginThrottle } from '../security/login-throttle.ts';
import { type EnrolmentStep, secondFactorSignInRoutes } from '../security/second-factor-sign-in-routes.ts';
import type { AdvisorAccounts } from './advisor-accounts.ts';
import { advisorSession } from './advisor-session.ts';

/** One page for both steps: the enrolment code's error is its own (`codeError`). */
function enrolmentView(step: EnrolmentStep) {
  const { title } = step;
  const model =
    step.step === 'enrolment-code'
      ? { title, email: step.email, codeError: step.error }
      : { title, email: step.email, secret: step.secret, qrDataUrl: step.qrDataUrl, error: step.error };
  return { template: 'advisor/enrolment', model };
}

export function workspaceSignInRoutes(deps: {
  render: Render;
  advisors: AdvisorAccounts;
  throttle: LoginThrottle;
}) {
  return secondFactorSignInRoutes(
    {
      word: 'advisor',
      home: '/conseiller',
      prefixed: true,
      enrolmentPath: '/activation',
      enrolledHome: '/conseiller',
      session: advisorSession,
      enrolmentCodeError:
        'Code d’activation incorrect, expiré ou déjà utilisé. Demandez-en un nouveau à un administrateur.',
      unlocker: 'un administrateur',
      secretAgainAfterRefusal: true,
      views: {
        login: { template: 'advisor/login', title: 'Connexion à l’espace conseiller' },
        code: 'advisor/code',
        enrolment: enrolmentView,
      },
    },
    { render: deps.render, accounts: deps.advisors, throttle: deps.throttle },
  );
}
