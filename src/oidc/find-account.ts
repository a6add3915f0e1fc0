// findAccount for oidc-provider. Beyond the grant oidc-provider checks, an OIDC claim is released
// only if the jobseeker's consent to this app covers that field at this very moment: the consents
// table is the source of truth, so a narrowed or revoked consent also stops ID token and userinfo
// claims at once.
import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import type { Pool } from '../db/pool.ts';
import { findJobseekerById } from '../profiles/jobseeker-queries.ts';

export function createFindAccount(deps: {
  pool: Pool;
  catalog: Catalog;
  consents: ConsentService;
}): FindAccount {
  const { pool, catalog, consents } = deps;
  // claim name → '<scope>.<claim>' field key
  const fieldOfClaim = new Map<string, string>();
  for (const scope of catalog.oidcScopes) {
    for (const field of scope.fields) fieldOfClaim.set(field.id, `${scope.id}.${field.id}`);
  }

  return async (ctx: KoaContextWithOIDC, id: string): Promise<Account | undefined> => {
    const jobseeker = await findJobseekerById(pool, id);
    if (!jobseeker || jobseeker.disabled_at) return undefined;
    return {
      accountId: jobseeker.id,
      async claims() {
        const clientId = ctx.oidc?.client?.clientId;
        const consent = clientId ? await consents.findLive(jobseeker.id, clientId) : undefined;
        // Only scopes the app's registration still allows (an admin may have removed one).
        const allowed = new Set(String(ctx.oidc?.client?.scope ?? '').split(' '));
        const granted = new Set(
          (consent?.fields ?? []).filter((key) => allowed.has(key.split('.')[0] as string)),
        );
        const released: Record<string, unknown> = {};
        for (const [claim, value] of Object.entries(jobseeker.claims)) {
          const key = fieldOfClaim.get(claim);
          if (key && granted.has(key)) released[claim] = value;
        }
        return { ...released, sub: jobseeker.id };
      },
    };
  };
}
