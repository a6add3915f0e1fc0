// When the consent page is shown, and which Grant an authorization starts from. Our consent record
// is the truth; oidc-provider's Grant carries it (interactions/grant-builder.ts). Guarantees:
// - the page is asked for when the app sends prompt=consent, when there is no live consent (none yet,
//   withdrawn, expired), when the app asks for a scope the latest decision's page did not show, or
//   when the texts or purposes of what that page showed have changed — never otherwise: the same
//   request, or one for fewer scopes, passes without a page (oidc-provider's own checks add offline
//   access not yet agreed to);
// - an authorization starts from the Grant of the live consent, in any browser, and that Grant is
//   repaired from the record when it no longer releases exactly what the record says (a change whose
//   Grant write was lost, or a Grant from before this rule).
import { type Grant, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { LiveTextsCheck } from '../consents/consent-queries.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import type { GrantBuilder } from '../interactions/grant-builder.ts';
import { requestedScopes } from '../interactions/requested-fields.ts';

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
        if (!live?.texts_hash) return interactionPolicy.Check.REQUEST_PROMPT;
        const requested = requestedScopes(catalog, String(ctx.oidc.params?.scope ?? ''), live.scopes);
        // Texts recorded before their scopes were readable back name no scope: the page showed what
        // is asked for now, or the hash below tells otherwise.
        const shown = new Set(live.shown_scopes ?? requested.map((s) => s.id));
        if (requested.some((s) => !shown.has(s.id))) return interactionPolicy.Check.REQUEST_PROMPT;
        const fields = [...shown].flatMap((id) =>
          (catalog.byId.get(id)?.fields ?? []).map((f) => `${id}.${f.id}`),
        );
        const { hash } = consents.textsShown(fields, live.purposes);
        return hash === live.texts_hash
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  return policy;
}

/** oidc-provider's loadExistingGrant: the Grant of the live consent, repaired from the record. */
export function createGrantLoader(deps: { consents: ConsentService; grants: GrantBuilder }) {
  const { consents, grants } = deps;
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
    const current =
      grant && grants.mirrors(grant, live.fields, live.expires_at)
        ? grant
        : await grants.save(grant, {
            accountId,
            clientId: client.clientId,
            fields: live.fields,
            refused: [],
            expiresAt: live.expires_at,
          });
    // The consent names its Grant, so that withdrawing it revokes every token of that Grant.
    if (current.jti !== live.grant_id) await consents.attachGrant(live.consent_id, current.jti);
    return current;
  };
}
