// The consent decisions of src/consents/ that need no database: which fields a request asks for, which
// one is always released, when a consent counts, and when the consent page must be shown again.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import {
  requestedFields,
  requestedScopes,
  SUBJECT_FIELD,
  sharedDataFields,
} from '../../src/consents/consent-fields.ts';
import { consentPageNeeded, isLive } from '../../src/consents/consent-policy.ts';
import type { LiveTextsCheck } from '../../src/consents/consent-queries.ts';
import { createConsentService } from '../../src/consents/consent-service.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
// The texts a page showed are derived from the catalog alone: the service's pool is never used here.
const consents = createConsentService({ pool: undefined as never, catalog });

const ALLOWED = ['openid', 'profile', 'offline_access', 'competences', 'statut'];
const PURPOSES = { competences: 'Remplir votre CV.', statut: 'Adapter nos offres.' };
const day = 24 * 3600 * 1000;

/** The live consent as the authorization reads it, its page having shown `scope`. */
function liveAfterPage(scope: string, over: Partial<LiveTextsCheck> = {}): LiveTextsCheck {
  const shown = requestedScopes(catalog, scope, ALLOWED).map((s) => s.id);
  const { hash } = consents.textsShown(requestedFields(catalog, scope, ALLOWED), PURPOSES);
  return {
    scopes: ALLOWED,
    purposes: PURPOSES,
    consent_id: '00000000-0000-4000-8000-000000000001',
    texts_hash: hash,
    fields: [SUBJECT_FIELD, 'competences.code'],
    grant_id: null,
    expires_at: new Date(Date.now() + day),
    shown_scopes: [...shown].sort(),
    ...over,
  };
}

describe('the fields of a consent', () => {
  it('asks for the fields of the scopes requested that the app is allowed and the catalog knows, in catalog order', () => {
    const fields = requestedFields(
      catalog,
      'statut unknown email openid offline_access competences',
      ALLOWED,
    );
    const scopes = [...new Set(fields.map((key) => key.split('.')[0]))];
    expect(scopes).toEqual(
      catalog.scopes.map((s) => s.id).filter((id) => ['openid', 'competences', 'statut'].includes(id)),
    );
    expect(fields).toContain(SUBJECT_FIELD);
    expect(fields).toContain('competences.code');
    expect(fields.some((key) => key.startsWith('email.'))).toBe(false);
  });

  it('counts every field but the subject identifier as data shared', () => {
    expect(SUBJECT_FIELD).toBe('openid.sub');
    expect(sharedDataFields([SUBJECT_FIELD, 'competences.code', 'profile.given_name'])).toEqual([
      'competences.code',
      'profile.given_name',
    ]);
    expect(sharedDataFields([SUBJECT_FIELD])).toEqual([]);
  });
});

describe('a live consent', () => {
  it('is active and not past its expiry', () => {
    const now = new Date();
    expect(isLive({ status: 'active', expires_at: new Date(now.getTime() + 1000) }, now)).toBe(true);
    expect(isLive({ status: 'active', expires_at: now }, now)).toBe(false);
    expect(isLive({ status: 'revoked', expires_at: new Date(now.getTime() + day) }, now)).toBe(false);
    expect(isLive({ status: 'expired', expires_at: new Date(now.getTime() + day) }, now)).toBe(false);
  });
});

describe('when the consent page is shown', () => {
  const scope = 'openid profile competences';

  it('is shown without a live consent, or with one whose texts are unknown', () => {
    expect(consentPageNeeded(catalog, consents, undefined, scope)).toBe(true);
    expect(consentPageNeeded(catalog, consents, liveAfterPage(scope, { texts_hash: null }), scope)).toBe(
      true,
    );
  });

  it('is not shown again for the same request, nor for fewer scopes, nor for offline access', () => {
    const live = liveAfterPage(scope);
    expect(consentPageNeeded(catalog, consents, live, scope)).toBe(false);
    expect(consentPageNeeded(catalog, consents, live, 'openid competences')).toBe(false);
    expect(consentPageNeeded(catalog, consents, live, `${scope} offline_access`)).toBe(false);
  });

  it('is shown for a scope the latest page did not show', () => {
    expect(consentPageNeeded(catalog, consents, liveAfterPage(scope), `${scope} statut`)).toBe(true);
  });

  it('is shown when the purposes shown have changed since', () => {
    const live = liveAfterPage(scope, { purposes: { ...PURPOSES, competences: 'Un autre usage.' } });
    expect(consentPageNeeded(catalog, consents, live, scope)).toBe(true);
    // A purpose of a scope the page did not show changes nothing.
    const other = liveAfterPage(scope, { purposes: { ...PURPOSES, statut: 'Un autre usage.' } });
    expect(consentPageNeeded(catalog, consents, other, scope)).toBe(false);
  });

  it('judges texts recorded before their scopes were readable back by their hash alone', () => {
    const live = liveAfterPage(scope, { shown_scopes: null });
    expect(consentPageNeeded(catalog, consents, live, scope)).toBe(false);
    expect(consentPageNeeded(catalog, consents, live, `${scope} statut`)).toBe(true);
  });
});
