// Carries the jobseeker's consent record into oidc-provider's Grant, through its public API, so that
// what the provider derives from the Grant (ID token claims, the `scope` of tokens, of refreshes and of
// introspection) is exactly what the record says. Guarantees:
// - the Grant is rebuilt from the record at every change (a decision, a narrowing, a renewal): its
//   granted claims and scopes are the record's fields, no more, no less. oidc-provider's Grant only
//   ever adds, and a rejection outweighs any later addition, so adding to an old Grant kept an earlier
//   "no" for ever and kept scopes the record no longer holds; its openid, resources and rejected
//   properties are therefore cleared and filled again from the record;
// - what the jobseeker saw and left unticked, took back in /account, or granted once and the record no
//   longer holds, is recorded as rejected, so that the same request does not show the page again:
//   oidc-provider's own consent checks ask only for what the Grant has neither granted nor rejected;
// - offline_access is granted by a decision on a request that asked for it (the page said so) and,
//   like the fields of scopes a page did not show, kept by the changes that do not decide about it;
// - the Grant expires with the consent, so that a live consent always has its Grant.
import type Provider from 'oidc-provider';
import type { Grant } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';

export interface ConsentImage {
  accountId: string;
  clientId: string;
  /** every '<scope>.<field>' the consent holds */
  fields: readonly string[];
  /** the fields this change decided not to share: shown and left unticked, or taken back */
  refused: readonly string[];
  /** whether the decision's page asked for offline access (agreed to by "Autoriser"); when it did
   * not, what the Grant had stays */
  offlineAccess?: boolean;
  expiresAt: Date;
}

const words = (scope: string) => scope.split(' ').filter(Boolean);

export function createGrantBuilder(deps: {
  provider: () => Provider;
  catalog: Catalog;
  apiAudience: string;
}) {
  const { catalog, apiAudience } = deps;
  const scopes = catalog.scopes.filter((s) => s.id !== 'openid');

  /** What the record grants, as the Grant's getters report it. */
  function expected(fields: readonly string[]) {
    const granted = new Set(fields);
    const out = { oidcScopes: [] as string[], claims: [] as string[], dataScopes: [] as string[] };
    for (const scope of scopes) {
      const ids = scope.fields.map((f) => f.id).filter((id) => granted.has(`${scope.id}.${id}`));
      if (!ids.length) continue;
      if (scope.kind === 'oidc') {
        out.oidcScopes.push(scope.id);
        out.claims.push(...ids);
      } else {
        out.dataScopes.push(scope.id);
      }
    }
    return out;
  }

  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && new Set([...a, ...b]).size === a.length;
  const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

  /** The image of the record in `found` (or in a new Grant), not saved. */
  function rebuild(found: Grant | undefined, image: ConsentImage): Grant {
    const { Grant: GrantModel } = deps.provider();
    const kept = found && found.accountId === image.accountId && found.clientId === image.clientId;
    const grant = kept ? found : new GrantModel({ accountId: image.accountId, clientId: image.clientId });
    // What the Grant said before: a field or scope it granted or refused that the record does not
    // grant (any more) is refused now — the record's "no".
    const before = {
      claims: new Set(kept ? [...found.getRejectedOIDCClaims(), ...found.getOIDCClaims()] : []),
      oidcScopes: new Set(kept ? words(found.getOIDCScopeEncountered()) : []),
      dataScopes: new Set(kept ? words(found.getResourceScopeEncountered(apiAudience)) : []),
      offline: kept ? words(found.getOIDCScope()).includes('offline_access') : false,
    };
    grant.openid = undefined;
    grant.resources = undefined;
    grant.rejected = undefined;

    const granted = new Set(image.fields);
    const refused = new Set(image.refused);
    grant.addOIDCScope('openid');
    if (image.offlineAccess || before.offline) grant.addOIDCScope('offline_access');
    for (const scope of scopes) {
      const keyOf = (id: string) => `${scope.id}.${id}`;
      const ids = scope.fields.map((f) => f.id);
      const yes = ids.filter((id) => granted.has(keyOf(id)));
      const no = ids.filter(
        (id) => !granted.has(keyOf(id)) && (refused.has(keyOf(id)) || before.claims.has(id)),
      );
      if (scope.kind === 'oidc') {
        if (yes.length) {
          grant.addOIDCScope(scope.id);
          grant.addOIDCClaims(yes);
        } else if (no.length || before.oidcScopes.has(scope.id)) {
          grant.rejectOIDCScope(scope.id);
        }
        if (no.length) grant.rejectOIDCClaims(no);
      } else if (yes.length) {
        grant.addResourceScope(apiAudience, scope.id);
      } else if (ids.some((id) => refused.has(keyOf(id))) || before.dataScopes.has(scope.id)) {
        grant.rejectResourceScope(apiAudience, scope.id);
      }
    }
    // At least a second: a Grant saved without a lifetime would never expire.
    grant.exp = Math.max(epoch(image.expiresAt), epoch(new Date()) + 1);
    return grant;
  }

  const find = async (grant: Grant | string | null | undefined) =>
    typeof grant === 'string' ? await deps.provider().Grant.find(grant) : (grant ?? undefined);

  return {
    /** Whether `grant` releases exactly what the record holds, and lives as long. */
    mirrors(grant: Grant, fields: readonly string[], expiresAt: Date): boolean {
      const want = expected(fields);
      const oidcScopes = words(grant.getOIDCScope()).filter((s) => s !== 'openid' && s !== 'offline_access');
      return (
        sameSet(oidcScopes, want.oidcScopes) &&
        sameSet(grant.getOIDCClaims(), want.claims) &&
        sameSet(words(grant.getResourceScope(apiAudience)), want.dataScopes) &&
        grant.exp === epoch(expiresAt)
      );
    },

    /** Writes the record into this Grant (found by id, or given), or into a new one when it is gone or
     * is another's; returns it. */
    async save(existing: Grant | string | null | undefined, image: ConsentImage): Promise<Grant> {
      const grant = rebuild(await find(existing), image);
      await grant.save();
      return grant;
    },

    /** Brings an existing Grant into line with a changed record; a missing one is left missing (the
     * next authorization rebuilds it from the record). */
    async follow(grantId: string | null, image: ConsentImage): Promise<void> {
      const found = await find(grantId);
      if (found?.accountId === image.accountId && found.clientId === image.clientId)
        await rebuild(found, image).save();
    },
  };
}

export type GrantBuilder = ReturnType<typeof createGrantBuilder>;
