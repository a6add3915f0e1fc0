// RFC 7591 initial access tokens, issued by an admin (console or API) for one self-service
// registration each (POST /reg, policy 'single-use'), and recorded in the audit trail.
import type Provider from 'oidc-provider';
import { insertAudit } from '../audit/audit-queries.ts';
import type { Pool } from '../db/pool.ts';
import { hashToken } from './admin-accounts.ts';

export async function issueInitialAccessToken(
  deps: { pool: Pool; provider: Provider },
  who: { actor: string; requestId?: string },
  days: number,
): Promise<string> {
  const iat = new deps.provider.InitialAccessToken({ expiresIn: days * 86_400, policies: ['single-use'] });
  const value = await iat.save();
  await insertAudit(deps.pool, {
    ...who,
    action: 'initial_access_token.create',
    targetType: 'initial_access_token',
    // An opaque token's value is its jti: only a fingerprint goes into the trail.
    targetId: hashToken(iat.jti).slice(0, 16),
    after: { expires_in_days: days },
  });
  return value;
}
