// The registration rules give structured issues: each rule its French message, on the field path of
// the row's names; the message names fields as the admin API does (RFC 7591).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { clientRules } from '../../src/clients/client-rules.ts';
import { ClientValidationError, type ClientValues } from '../../src/clients/client-values.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
const rules = clientRules(catalog, true);

const valid = (extra: ClientValues = {}): ClientValues => ({
  name: 'Appli',
  redirect_uris: ['https://app.example.fr/cb'],
  scopes: ['openid', 'competences'],
  ...extra,
});

function issuesOf(input: ClientValues) {
  try {
    rules.parse(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ClientValidationError);
    const refused = err as ClientValidationError;
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('invalid_client_metadata');
    return { issues: refused.issues, message: refused.message };
  }
  throw new Error('accepted');
}

describe('client rules: one French message per rule, on its field', () => {
  const cases: [string, ClientValues, (string | number)[], string | RegExp][] = [
    ['an empty name', { name: '  ' }, ['name'], 'à renseigner'],
    ['a name too long', { name: 'x'.repeat(121) }, ['name'], '120 caractères au maximum'],
    ['a name that is not text', { name: 12 as unknown as string }, ['name'], 'texte attendu'],
    ['no redirect URI', { redirect_uris: [] }, ['redirect_uris'], 'indiquez au moins une adresse'],
    [
      'an http redirect URI',
      { redirect_uris: ['http://app.example.fr/cb'] },
      ['redirect_uris', 0],
      /^l’URI de redirection doit utiliser https/,
    ],
    ['a bad SIRET', { operator_siret: '12345678901234' }, ['operator_siret'], 'SIRET invalide (14 chiffres)'],
    ['a bad e-mail', { contact_email: 'pas-une-adresse' }, ['contact_email'], 'adresse e-mail invalide'],
    ['a bad duration', { consent_duration_days: 0 }, ['consent_duration_days'], 'au moins 1'],
    [
      'a fractional duration',
      { consent_duration_days: 1.5 },
      ['consent_duration_days'],
      'nombre entier attendu',
    ],
    ['scopes without openid', { scopes: ['competences'] }, ['scopes'], 'les scopes doivent inclure openid'],
    ['an unknown scope', { scopes: ['openid', 'nope'] }, ['scopes'], 'scope inconnu (voir scopes/)'],
    [
      'an unknown method',
      { token_endpoint_auth_method: 'magic' as never },
      ['token_endpoint_auth_method'],
      /^méthode inconnue/,
    ],
    [
      'a jwks_uri in http',
      { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://app.example.fr/jwks' },
      ['jwks_uri'],
      'URL https invalide',
    ],
    [
      'keys that are not a list',
      { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: 'x' } as never },
      ['jwks', 'keys'],
      'format invalide (attendu : {"keys": [ … ]})',
    ],
    ['an unknown category', { category: 'nope' }, ['category'], /^catégorie inconnue/],
    [
      'a policy link in http',
      { policy_uri: 'http://app.example.fr/p' },
      ['policy_uri'],
      /^la politique de confidentialité doit utiliser https/,
    ],
    [
      'two redirect hosts',
      { redirect_uris: ['https://a.example.fr/cb', 'https://b.example.fr/cb'] },
      ['redirect_uris'],
      'toutes les URI de redirection doivent partager le même hôte',
    ],
    [
      'a sensitive scope for a standard app',
      { scopes: ['openid', 'indemnisation'] },
      ['scopes'],
      /exige une application à garantie élevée/,
    ],
    [
      'keys for a public app',
      { token_endpoint_auth_method: 'none', jwks_uri: 'https://app.example.fr/jwks' },
      ['jwks'],
      'une application publique (none) n’a ni secret ni clés',
    ],
    [
      'a start URL elsewhere',
      { start_url: 'https://ailleurs.example.fr/' },
      ['start_url'],
      'l’adresse de démarrage doit être sur l’hôte des URI de redirection',
    ],
    [
      'a vetted audience without one',
      { audience_vetted: true },
      ['audience_vetted'],
      'aucun public déclaré à vérifier',
    ],
    [
      'a purpose for an unasked scope',
      { purposes: { statut: 'x' } },
      ['purposes', 'statut'],
      'finalité pour un scope de données non autorisé',
    ],
    ['an unknown audience key', { audience: { nope: [] } as never }, ['audience'], 'clé inconnue : nope'],
  ];
  for (const [what, extra, path, message] of cases) {
    it(`refuses ${what}`, () => {
      const { issues } = issuesOf(valid(extra));
      const issue = issues.find((i) => JSON.stringify(i.path) === JSON.stringify(path));
      expect(issue, JSON.stringify(issues)).toBeDefined();
      if (typeof message === 'string') expect(issue?.message).toBe(message);
      else expect(issue?.message).toMatch(message);
    });
  }

  it('names every missing piece of vetting when the app is to be activated', () => {
    const { issues, message } = issuesOf(valid({ status: 'active' }));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['purposes', 'competences'], message: 'une finalité est requise pour activer l’application' },
        {
          path: ['free_for_jobseekers'],
          message: 'l’application doit être attestée gratuite pour les demandeurs d’emploi',
        },
        {
          path: ['policy_uri'],
          message: 'une politique de confidentialité est requise pour activer l’application',
        },
        {
          path: ['contact_email'],
          message: 'un contact pour les données personnelles est requis pour activer l’application',
        },
      ]),
    );
    // The message speaks the admin API's names.
    expect(message).toContain('contacts: un contact pour les données personnelles');
    expect(message).toContain('purposes.competences: une finalité est requise');
  });

  it('names every field at fault: the row’s path in the issues, the API’s name in the message', () => {
    const { issues, message } = issuesOf({
      name: '',
      redirect_uris: ['https://app.example.fr/cb'],
      scopes: ['openid'],
      contact_email: 'x',
    });
    expect(issues).toEqual([
      { path: ['name'], message: 'à renseigner' },
      { path: ['contact_email'], message: 'adresse e-mail invalide' },
    ]);
    expect(message).toBe('client_name: à renseigner; contacts: adresse e-mail invalide');
  });

  it('returns the row values, keys only for key authentication', () => {
    const row = rules.parse(valid({ jwks_uri: 'https://app.example.fr/jwks', website: null }));
    expect(row).toMatchObject({
      name: 'Appli',
      jwks_uri: null,
      jwks: null,
      website: null,
      status: 'pending',
    });
  });
});
