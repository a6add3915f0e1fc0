// oidc-provider's default interaction policy plus one check of ours: the consent page is shown again
// when our recorded consent for this app is missing, withdrawn, expired, or was given on texts that
// have since changed (a new purpose, a reworded field) — not only when new scopes are requested.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import { requestedFields } from '../interactions/requested-fields.ts';

export function createInteractionPolicy(deps: {
  consents: ConsentService;
  clients: ClientService;
  catalog: Catalog;
}) {
  const { consents, clients, catalog } = deps;
  const policy = interactionPolicy.base();
  const consent = policy.get('consent');
  consent?.checks.add(
    new interactionPolicy.Check(
      'consent_record_outdated',
      'the recorded consent is missing, withdrawn, expired or was given on other texts',
      async (ctx: KoaContextWithOIDC) => {
        const accountId = ctx.oidc.session?.accountId;
        const clientId = ctx.oidc.client?.clientId;
        if (!accountId || !clientId) return interactionPolicy.Check.REQUEST_PROMPT;
        const [live, client] = await Promise.all([
          consents.findLive(accountId, clientId),
          clients.find(clientId),
        ]);
        if (!live || !client) return interactionPolicy.Check.REQUEST_PROMPT;
        const shown = requestedFields(catalog, String(ctx.oidc.params?.scope ?? ''), client.scopes);
        const { hash } = consents.textsShown(shown, client.purposes);
        return hash === live.texts_hash
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  return policy;
}
