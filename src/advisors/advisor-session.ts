// Who is using /conseiller: an advisor in the server-side session (our own keys only, `advisor*`),
// signed in as admins are (../security/second-factor-session.ts): password, then the TOTP code or
// the enrolment of a first authenticator; only then signed in, under a new session id.
import type Koa from 'koa';
import { secondFactorSession } from '../security/second-factor-session.ts';
import type { AdvisorAccounts } from './advisor-accounts.ts';

export const advisorSession = secondFactorSession({ word: 'advisor', loginPath: '/conseiller/login' });

export function requireAdvisor(advisors: AdvisorAccounts): Koa.Middleware {
  return advisorSession.require(advisors, (ctx, advisor) => {
    ctx.state.advisor = advisor;
  });
}
