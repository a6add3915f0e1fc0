// When a consent counts, and when the consent page must be shown. Our consent record is the truth;
// oidc-provider's Grant carries it (grant-builder.ts, consent-grant.ts); oidc/consent-hooks.ts is the
// thin hook through which oidc-provider asks. Guarantees:
// - a consent counts while it is active and not past its expiry (the same rule as `liveConsent` in
//   consent-queries.ts, for a row already read);
// - the page is asked for when there is no live consent (none yet, withdrawn, expired), when the app
//   asks for a scope the latest decision's page did not show, or when the texts or purposes of what
//   that page showed have changed — never otherwise: the same request, or one for fewer scopes, passes
//   without a page (prompt=consent, and oidc-provider's own checks for offline access not yet agreed
//   to, are the hook's and the library's). Pure, given the texts the service derives from the catalog.
import type { Catalog } from '../catalog/load-catalog.ts';
import { requestedScopes } from './consent-fields.ts';
import type { LiveTextsCheck } from './consent-queries.ts';
import type { ConsentService } from './consent-service.ts';

/** Whether this consent's fields may be served now. */
export function isLive(consent: { status: string; expires_at: Date }, now = new Date()): boolean {
  return consent.status === 'active' && consent.expires_at > now;
}

/** Whether the request for `scope` needs the consent page, given the app's live consent check. */
export function consentPageNeeded(
  catalog: Catalog,
  consents: Pick<ConsentService, 'textsShown'>,
  live: LiveTextsCheck | undefined,
  scope: string,
): boolean {
  if (!live?.texts_hash) return true;
  const requested = requestedScopes(catalog, scope, live.scopes);
  // Texts recorded before their scopes were readable back name no scope: the page showed what is
  // asked for now, or the hash below tells otherwise.
  const shown = new Set(live.shown_scopes ?? requested.map((s) => s.id));
  if (requested.some((s) => !shown.has(s.id))) return true;
  const fields = [...shown].flatMap((id) => (catalog.byId.get(id)?.fields ?? []).map((f) => `${id}.${f.id}`));
  return consents.textsShown(fields, live.purposes).hash !== live.texts_hash;
}
