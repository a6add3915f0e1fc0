// Signing in to /admin (../security/second-factor-sign-in-routes.ts): the password, then the TOTP
// code — or, for an admin without an authenticator, the enrolment code another admin handed over,
// then the new secret and its first code. Wrong codes count against the admin account in the
// database (admin-second-factor.ts).
import type { Render } from '../http/render.ts';
import type { LoginThrottle } from '../security/login-throttle.ts';
import { type EnrolmentStep, secondFactorSignInRoutes } from '../security/second-factor-sign-in-routes.ts';
import type { AdminAccounts } from './admin-accounts.ts';
import { adminSession } from './console-session.ts';

/** The enrolment code and the new secret are two pages. */
function enrolmentView(step: EnrolmentStep) {
  const { step: which, ...model } = step;
  return { template: which === 'enrolment-code' ? 'admin/enrolment-code' : 'admin/enrolment', model };
}

export function adminSignInRoutes(deps: { render: Render; admins: AdminAccounts; throttle: LoginThrottle }) {
  return secondFactorSignInRoutes(
    {
      word: 'admin',
      home: '/admin',
      prefixed: false, // mounted in the console's router
      enrolmentPath: '/enrolment',
      enrolledHome: '/admin?ok=enrolled',
      session: adminSession,
      enrolmentCodeError:
        'Code d’activation incorrect, expiré ou déjà utilisé. Demandez-en un nouveau à un autre administrateur.',
      unlocker: 'un autre administrateur',
      secretAgainAfterRefusal: false,
      views: {
        login: { template: 'admin/login', title: 'Connexion à l’administration' },
        code: 'admin/code',
        enrolment: enrolmentView,
      },
    },
    { render: deps.render, accounts: deps.admins, throttle: deps.throttle },
  );
}
