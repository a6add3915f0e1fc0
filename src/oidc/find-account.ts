// findAccount for oidc-provider. Beyond the grant oidc-provider checks, an OIDC claim is released
// only if the jobseeker's consent to this app covers that field at this very moment: the consents
// table is the source of truth, so a narrowed or revoked consent also stops ID token and userinfo
// claims at once.
// A release is a read like any other: the claims an ID token or a userinfo answer carries are
// recorded in the access log, per scope, with the claims actually released (what oidc-provider's
// mask keeps: the claims of the scopes in use, or asked for by name, less the rejected ones), once
// the answer that carries them has been sent. The
// access log buffers in memory, so this adds no SQL statement to the request. The pairwise `sub`,
// sent with every release, is not listed: the consent page says it always goes.
import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { AccessLog } from '../api/access-log.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { legacyIdClaims } from '../legacy/legacy-id-claims.ts';
import { findJobseekerWithConsent } from '../profiles/jobseeker-queries.ts';
import { guarded } from './postgres-adapter.ts';

export function createFindAccount(deps: {
  pool: Pool;
  catalog: Catalog;
  accessLog: AccessLog;
  /** set with the Pôle emploi Connect profile: its ID claims for PAR_ apps (legacy-id-claims.ts) */
  legacyIdSalt?: string | undefined;
}): FindAccount {
  const { pool, catalog, accessLog } = deps;
  // claim name → the scope it belongs to and its '<scope>.<claim>' field key, from the catalog once
  const fieldOfClaim = new Map<string, { scope: string; key: string }>();
  for (const scope of catalog.oidcScopes) {
    for (const field of scope.fields)
      fieldOfClaim.set(field.id, { scope: scope.id, key: `${scope.id}.${field.id}` });
  }
  // A scope string (an app's registration, a token's scope) as a set: the same few strings come back
  // on every request, so each is split once. Bounded: emptied when full.
  const scopeSets = new Map<string, ReadonlySet<string>>();
  const scopeSet = (value: unknown): ReadonlySet<string> => {
    const text = typeof value === 'string' ? value : '';
    let set = scopeSets.get(text);
    if (!set) {
      if (scopeSets.size >= 1_000) scopeSets.clear();
      set = new Set(text.split(' '));
      scopeSets.set(text, set);
    }
    return set;
  };
  const NONE: ReadonlySet<string> = new Set();

  // The released claims that reach the app, grouped by scope: oidc-provider keeps those of the scopes
  // in use and those the request's `claims` parameter names (with a null or object value), less the
  // rejected ones (lib/helpers/claims.js).
  function reaching(released: Record<string, unknown>, scope: string, asked: unknown, rejected: unknown) {
    const scopes = scopeSet(scope);
    const named = asked
      ? new Set(
          Object.entries(asked as Record<string, unknown>)
            .filter(([, v]) => v === null || (typeof v === 'object' && !Array.isArray(v)))
            .map(([k]) => k),
        )
      : NONE;
    const refused = Array.isArray(rejected) && rejected.length ? new Set(rejected as string[]) : NONE;
    const byScope = new Map<string, string[]>();
    for (const claim of Object.keys(released)) {
      const owner = fieldOfClaim.get(claim)?.scope as string;
      if (refused.has(claim) || !(scopes.has(owner) || named.has(claim))) continue;
      const fields = byScope.get(owner);
      if (fields) fields.push(claim);
      else byScope.set(owner, [claim]);
    }
    return byScope;
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
      async claims(use: string, scope: string, asked?: unknown, rejected?: unknown) {
        // Only the app the consent was read for, and only scopes its registration still allows (an
        // admin may have removed one).
        const sameClient = clientId !== undefined && ctx.oidc?.client?.clientId === clientId;
        const allowed = scopeSet(ctx.oidc?.client?.scope);
        const consented = sameClient ? (jobseeker.consent_fields ?? []) : [];
        const released: Record<string, unknown> = {};
        for (const [claim, value] of Object.entries(jobseeker.claims)) {
          const field = fieldOfClaim.get(claim);
          if (field && claim !== 'sub' && allowed.has(field.scope) && consented.includes(field.key))
            released[claim] = value;
        }
        if (sameClient && (use === 'id_token' || use === 'userinfo')) {
          const readAt = new Date();
          const reads = [...reaching(released, scope, asked, rejected)];
          // Like an API read, a release counts once its answer has gone out (a 200 that finished).
          if (reads.length)
            ctx.res.once('finish', () => {
              if (ctx.res.statusCode !== 200) return;
              for (const [owner, fields] of reads)
                accessLog.record({ jobseekerId: jobseeker.id, clientId, scope: owner, fields, readAt });
            });
        }
        // A derived claim (name) only when every field it is made of is released (catalog-schema.ts).
        for (const { id, from } of derivedClaims) {
          const parts = from.map((f) => released[f]);
          if (parts.every((p) => typeof p === 'string' && p)) released[id] = parts.join(' ');
        }
        const legacy =
          deps.legacyIdSalt === undefined || !sameClient
            ? undefined
            : legacyIdClaims(deps.legacyIdSalt, clientId, jobseeker.id, use);
        return { ...released, ...legacy, sub: jobseeker.id };
      },
    };
  };
}
