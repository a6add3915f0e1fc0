// oidc-provider's default interaction policy plus one check of ours: the consent page is shown again
// when our recorded consent for this app is missing, withdrawn, expired, or was given on texts that
// have since changed (a new purpose, a reworded field) — not only when new scopes are requested.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import { requestedFields } from '../interactions/requested-fields.ts';

export function createInteractionPolicy(deps: { consents: ConsentService; catalog: Catalog }) {
  const { consents, catalog } = deps;
  const policy = interactionPolicy.base();
  const consent = policy.get('consent');
  consent?.checks.add(
    new interactionPolicy.Check(
      'consent_record_outdated',
      'the recorded consent is missing, withdrawn, expired or was given on other texts',
      // OIDC Core §3.1.2.6: what prompt=none answers when the End-User's consent is needed.
      'consent_required',
      async (ctx: KoaContextWithOIDC) => {
        const accountId = ctx.oidc.session?.accountId;
        const clientId = ctx.oidc.client?.clientId;
        if (!accountId || !clientId) return interactionPolicy.Check.REQUEST_PROMPT;
        // The app asked for the consent page (prompt=consent, which offline_access needs: OIDC Core
        // §11) and it has not been shown yet: it will be whatever our record says, so it is not read.
        if (ctx.oidc.prompts.has('consent') && ctx.oidc.promptPending('consent'))
          return interactionPolicy.Check.REQUEST_PROMPT;
        const check = await consents.liveTextsCheck(accountId, clientId);
        if (!check?.texts_hash) return interactionPolicy.Check.REQUEST_PROMPT;
        const shown = requestedFields(catalog, String(ctx.oidc.params?.scope ?? ''), check.scopes);
        const { hash } = consents.textsShown(shown, check.purposes);
        return hash === check.texts_hash
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  return policy;
}
