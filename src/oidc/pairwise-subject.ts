import { createHmac } from 'node:crypto';

// Pairwise per client rather than per sector host: two apps of one operator cannot link a jobseeker
// either. The one derivation of the `sub` an app sees: its ID tokens and userinfo (provider-config.ts)
// and the security events it receives (src/ssf/).
export function pairwiseSubject(salt: string, clientId: string, accountId: string): string {
  return createHmac('sha256', salt).update(`${clientId}\0${accountId}`).digest('base64url');
}
