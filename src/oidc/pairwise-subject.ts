// The pairwise subject identifier of a jobseeker for one app (OIDC Core §8.1): per client rather
// than per sector host, so that two apps of one operator cannot link a jobseeker either. The ID
// token, userinfo and the legacy userinfo API (src/legacy-api) all name the jobseeker by it.
import { createHmac } from 'node:crypto';

export function pairwiseSubject(salt: string, clientId: string, accountId: string): string {
  return createHmac('sha256', salt).update(`${clientId}\0${accountId}`).digest('base64url');
}
