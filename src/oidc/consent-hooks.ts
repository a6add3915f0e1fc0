// The two hooks through which oidc-provider asks about consent; the decisions are in src/consents/
// (consent-policy.ts: when the page is shown; consent-grant.ts: which Grant carries the record, and
// its repair). Guarantees:
// - the page is asked for when the app sends prompt=consent, and otherwise exactly when
//   consentPageNeeded says so;
// - an authorization starts from the Grant of the live consent, in any browser, repaired from the
//   record when it no longer releases exactly what the record says (a change whose Grant write was
//   lost, or a Grant from before this rule).
import { type Grant, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import { createConsentGrant } from '../consents/consent-grant.ts';
import { consentPageNeeded } from '../consents/consent-policy.ts';
import type { LiveTextsCheck } from '../consents/consent-queries.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import type { GrantBuilder } from '../consents/grant-builder.ts';

// The live consent read when the authorization loads its Grant, for the policy check of the same
// request (oidc-provider loads the Grant just before it runs the checks).
const readFor = new WeakMap<object, LiveTextsCheck | undefined>();

function liveOf(consents: ConsentService, ctx: KoaContextWithOIDC, accountId: string, clientId: string) {
  return readFor.has(ctx) ? readFor.get(ctx) : consents.liveTextsCheck(accountId, clientId);
}

export function createInteractionPolicy(deps: { consents: ConsentService; catalog: Catalog }) {
  const { consents, catalog } = deps;
  const policy = interactionPolicy.base();
  const consent = policy.get('consent');
  consent?.checks.add(
    new interactionPolicy.Check(
      'consent_record_outdated',
      'the recorded consent is missing, withdrawn, expired, narrower than the request or was given on other texts',
      // OIDC Core §3.1.2.6: what prompt=none answers when the End-User's consent is needed.
      'consent_required',
      async (ctx: KoaContextWithOIDC) => {
        const accountId = ctx.oidc.session?.accountId;
        const clientId = ctx.oidc.client?.clientId;
        if (!accountId || !clientId) return interactionPolicy.Check.REQUEST_PROMPT;
        // The app asked for the consent page and it has not been shown yet: it will be whatever our
        // record says, so it is not read.
        if (ctx.oidc.prompts.has('consent') && ctx.oidc.promptPending('consent'))
          return interactionPolicy.Check.REQUEST_PROMPT;
        const live = await liveOf(consents, ctx, accountId, clientId);
        return consentPageNeeded(catalog, consents, live, String(ctx.oidc.params?.scope ?? ''))
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
  );
  return policy;
}

/** oidc-provider's loadExistingGrant: the Grant of the live consent, repaired from the record. */
export function createGrantLoader(deps: {
  consents: ConsentService;
  grants: GrantBuilder;
  catalog: Catalog;
}) {
  const { consents } = deps;
  const consentGrant = createConsentGrant(deps);
  return async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
    const { session, client, account, result, provider } = ctx.oidc;
    if (!client || !account) return undefined;
    const accountId = account.accountId;
    const live = await consents.liveTextsCheck(accountId, client.clientId);
    readFor.set(ctx, live);
    // Just after the consent page, the Grant it wrote; otherwise the live consent's, whatever the
    // browser; otherwise (no live consent) this browser's last one, which the policy then asks about.
    const grantId =
      (result?.consent as { grantId?: string } | undefined)?.grantId ??
      live?.grant_id ??
      session?.grantIdFor(client.clientId);
    const found = grantId ? await provider.Grant.find(grantId) : undefined;
    const grant = found?.accountId === accountId && found.clientId === client.clientId ? found : undefined;
    if (!live?.consent_id || !live.fields || !live.expires_at) return grant;
    return consentGrant.forLiveConsent(
      grant,
      { ...live, consent_id: live.consent_id, fields: live.fields, expires_at: live.expires_at },
      accountId,
      client.clientId,
    );
  };
}
