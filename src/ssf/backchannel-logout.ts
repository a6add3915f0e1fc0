// Logout Tokens (OpenID Connect Back-Channel Logout 1.0) for apps that registered a
// backchannel_logout_uri, when they lose a jobseeker's consent or tokens: withdrawal, expiry, the
// app's deletion or suspension (queued with the change, migrations/091_backchannel_logout.sql). The
// token names the jobseeker by the app's pairwise `sub` and has no `sid` (the consent outlives any
// one session); the app ends every session it holds for that `sub` (§2.6). oidc-provider sends its
// own Logout Tokens, with `sid`, when the session at the provider ends.
// Delivery follows §2.5: an HTTP POST of `logout_token`, 200 (or 204) meaning done. A 400 is the app
// refusing that token for good (recorded as rejected); anything else is retried, each token on its
// own, with the same exponential backoff as SETs. Through the SSRF guard; no redirects followed.
import { HIGH_ASSURANCE_ID_TOKEN_ALG } from '../oidc/high-assurance.ts';
import { claimDueLogouts, retryLogout, settleLogout } from './backchannel-logout-queries.ts';
import type { DeliveryWorkerOptions } from './delivery-worker.ts';

const LEASE_SECONDS = 30;
const TIMEOUT_MS = 10_000;

const describe = (err: unknown) => {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)).slice(0, 300);
};

/** Sends what is due now; returns how many were claimed (the caller loops while there are some). */
export async function sendDueLogouts(o: DeliveryWorkerOptions, owner: string): Promise<number> {
  const due = await claimDueLogouts(o.pool, owner, 20, LEASE_SECONDS);
  await Promise.all(
    due.map(async (l) => {
      // The app removed its URI since: nothing to send any more.
      if (!l.backchannel_logout_uri) return settleLogout(o.pool, l.jti, 'no backchannel_logout_uri');
      try {
        const token = await o.signer.logoutToken({
          jti: l.jti,
          clientId: l.client_id,
          jobseekerId: l.jobseeker_id,
          alg: l.high_assurance ? HIGH_ASSURANCE_ID_TOKEN_ALG : 'RS256',
        });
        const response = await o.fetch(l.backchannel_logout_uri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: token }).toString(),
          redirect: 'manual',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.status === 200 || response.status === 204) return settleLogout(o.pool, l.jti);
        if (response.status === 400) return settleLogout(o.pool, l.jti, 'HTTP 400');
        await retryLogout(o.pool, l.jti, `HTTP ${response.status}`, o.maxBackoffSeconds);
      } catch (err) {
        await retryLogout(o.pool, l.jti, describe(err), o.maxBackoffSeconds);
      }
    }),
  );
  return due.length;
}
