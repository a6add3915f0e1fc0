// findAccount for oidc-provider. Beyond the grant oidc-provider checks, an OIDC claim is released
// only if the jobseeker's consent to this app covers that field at this very moment: the consents
// table is the source of truth, so a narrowed or revoked consent also stops ID token and userinfo
// claims at once.
import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { findJobseekerWithConsent } from '../profiles/jobseeker-queries.ts';
import { guarded } from './postgres-adapter.ts';

export function createFindAccount(deps: { pool: Pool; catalog: Catalog }): FindAccount {
  const { pool, catalog } = deps;
  // claim name → '<scope>.<claim>' field key
  const fieldOfClaim = new Map<string, string>();
  for (const scope of catalog.oidcScopes) {
    for (const field of scope.fields) fieldOfClaim.set(field.id, `${scope.id}.${field.id}`);
  }
  const derivedClaims = catalog.oidcScopes.flatMap((s) => s.derived_claims ?? []);

  return async (ctx: KoaContextWithOIDC, id: string): Promise<Account | undefined> => {
    // The consent is read with the account, in the same request that releases the claims: the app is
    // known by then (the authorization, token and userinfo endpoints all resolve it first).
    const clientId = ctx.oidc?.client?.clientId;
    const jobseeker = await guarded(() => findJobseekerWithConsent(pool, id, clientId));
    if (!jobseeker || jobseeker.disabled_at) return undefined;
    return {
      accountId: jobseeker.id,
      async claims() {
        // Only the app the consent was read for, and only scopes its registration still allows (an
        // admin may have removed one).
        const sameClient = clientId !== undefined && ctx.oidc?.client?.clientId === clientId;
        const allowed = new Set(String(ctx.oidc?.client?.scope ?? '').split(' '));
        const granted = new Set(
          (sameClient ? (jobseeker.consent_fields ?? []) : []).filter((key) =>
            allowed.has(key.split('.')[0] as string),
          ),
        );
        const released: Record<string, unknown> = {};
        for (const [claim, value] of Object.entries(jobseeker.claims)) {
          const key = fieldOfClaim.get(claim);
          if (key && granted.has(key)) released[claim] = value;
        }
        // A derived claim (name) only when every field it is made of is released (catalog-schema.ts).
        for (const { id, from } of derivedClaims) {
          const parts = from.map((f) => released[f]);
          if (parts.every((p) => typeof p === 'string' && p)) released[id] = parts.join(' ');
        }
        return { ...released, sub: jobseeker.id };
      },
    };
  };
}
