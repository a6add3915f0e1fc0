// One consent, one oidc-provider Grant: the writes that carry a decision from our record into the
// Grant, where each commits, and how a lost one is repaired.
//
// A decision on the consent page makes three writes, in this order, none inside another's transaction:
// 1. the consent row, with its event and the texts shown: one transaction (consent-service.ts grant).
//    Once it commits the decision is recorded, and it alone says what is released: the ID token,
//    userinfo, the resource API and the Pôle emploi Connect APIs all read the live record;
// 2. the Grant (grant-builder.ts save): the adapter's upsert of the Grant row in oidc_models, a
//    statement of its own. oidc-provider derives from it the `scope` of tokens, refreshes and
//    introspection, and whether its own consent checks ask again;
// 3. the grant link (consents.grant_id, setConsentGrantId): a statement of its own, only when the Grant
//    is not already the one the consent names. Withdrawal and expiry delete, in their own transaction,
//    the tokens of every Grant of the pair, not only of the one linked (consent-changes.ts): two first
//    decisions racing both read the consent before either links, each builds a Grant and the later
//    link wins, and the other's tokens must not outlive a withdrawal.
// The app gets its code only after all three (interaction-routes.ts calls interactionFinished with the
// Grant's id this returns), so a crash or a failure between them issues no token:
// - between 1 and 2, the record holds the decision and the Grant is the previous one, or none. Nothing
//   more is released than the record says. The next authorization (the same form sent again, which
//   records no second event, or a new sign-in) finds a Grant that does not mirror the live consent, or
//   none, and rebuilds it from the record (forLiveConsent: 2 then 3). What the latest page showed and
//   the record does not hold is refused in the rebuilt Grant, so that the page is not shown again for
//   what the jobseeker already answered;
// - between 2 and 3, a Grant no consent names, from which no token was issued: the next authorization
//   starts from the consent's own Grant (or builds one) and links it, and the stray one expires with
//   the consent (its lifetime is the consent's), or goes with a withdrawal or a narrowing.
// The changes made in /account write 1 then 2 (the same Grant, no link to change; consent-changes.ts);
// withdrawal and expiry are one transaction with the deletion of the Grant and its tokens.
import type { Grant } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { LiveTextsCheck } from './consent-queries.ts';
import type { ConsentService, GrantDecision } from './consent-service.ts';
import type { GrantBuilder } from './grant-builder.ts';

/** A live consent as the authorization reads it (findLiveTextsCheck), its columns known to be set. */
type LiveConsent = LiveTextsCheck & { consent_id: string; fields: string[]; expires_at: Date };

export function createConsentGrant(deps: {
  catalog: Catalog;
  consents: ConsentService;
  grants: GrantBuilder;
}) {
  const { catalog, consents, grants } = deps;

  // Write 3: the consent names its Grant, so that withdrawing it revokes every token of that Grant.
  async function link(consent: { id: string; grant_id: string | null }, grant: Grant): Promise<Grant> {
    if (grant.jti !== consent.grant_id) await consents.attachGrant(consent.id, grant.jti);
    return grant;
  }

  // What the record says no to: the fields of the scopes its latest page showed that it does not hold
  // (left unticked, or taken back since). Texts recorded before their scopes were readable back name
  // none: nothing is refused, and the page asks again about what the Grant does not know.
  function refusedOnRecord(live: LiveConsent): string[] {
    const held = new Set(live.fields);
    return (live.shown_scopes ?? [])
      .flatMap((id) => (catalog.byId.get(id)?.fields ?? []).map((f) => `${id}.${f.id}`))
      .filter((key) => !held.has(key));
  }

  return {
    /** The jobseeker's answer on a consent page: writes 1, 2 and 3; returns the Grant's id. `grantId`
     * is the Grant the interaction started from, if any. */
    async decide(d: GrantDecision & { grantId?: string; offlineAccess: boolean }): Promise<string> {
      const consent = await consents.grant(d);
      // The Grant becomes the image of the consent as it now stands: what this page showed and was
      // left unticked is refused, the other scopes keep what the record holds for them.
      const grant = await grants.save(d.grantId ?? consent.grant_id, {
        accountId: d.jobseekerId,
        clientId: d.clientId,
        fields: consent.fields,
        refused: d.requested.filter((key) => !consent.fields.includes(key)),
        offlineAccess: d.offlineAccess,
        expiresAt: consent.expires_at,
      });
      return (await link(consent, grant)).jti;
    },

    /** The Grant an authorization starts from under a live consent: `found` (the jobseeker's and the
     * app's) when it releases exactly what the record says, otherwise rebuilt from the record (writes 2
     * and 3). */
    async forLiveConsent(found: Grant | undefined, live: LiveConsent, accountId: string, clientId: string) {
      const current =
        found && grants.mirrors(found, live.fields, live.expires_at)
          ? found
          : await grants.save(found, {
              accountId,
              clientId,
              fields: live.fields,
              refused: refusedOnRecord(live),
              expiresAt: live.expires_at,
            });
      return link({ id: live.consent_id, grant_id: live.grant_id }, current);
    },
  };
}

export type ConsentGrant = ReturnType<typeof createConsentGrant>;
