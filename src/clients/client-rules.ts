// What a client registration must satisfy, whoever submits it (CLI, console, admin API, RFC 7591,
// developer portal), checked once, on the row's names (client-values.ts), each rule with its French
// message (the cross-field ones in client-cross-rules.ts).
// URLs: https only (http on loopback outside production), never javascript:/data:, fragments in
// redirect URIs, wildcards or user:password. An app may become active only once vetted: a purpose
// for every data scope it may ask for, the attestation that it is free for jobseekers, and its own
// privacy notice (a privacy policy URL and a contact), which the consent page shows.
// High-assurance apps (FAPI 2.0, required for the sensitive scopes such as indemnisation)
// authenticate with private_key_jwt and sign only with PS256, ES256 or EdDSA. Public clients (browser
// and native apps, token_endpoint_auth_method none) hold no secret and no keys; only they may use the
// redirect URIs of native apps (RFC 8252: loopback, private-use scheme).
import { z } from 'zod';
import type { Catalog } from '../catalog/load-catalog.ts';
import { fetchedUrlProblem } from '../security/public-address.ts';
import { audienceSchema } from '../store/audience.ts';
import { STORE_CATEGORY_IDS } from '../store/categories.ts';
import { AUTH_METHODS } from './client-auth-methods.ts';
import { crossFieldRules } from './client-cross-rules.ts';
import { EDITABLE_COLUMNS, type EditableClient } from './client-queries.ts';
import { type ClientIssue, ClientValidationError, type ClientValues, givenValues } from './client-values.ts';
import { redirectUriProblem } from './redirect-uri-rules.ts';
import { rfc7591Field } from './rfc7591.ts';

// SIRET: 14 digits with a Luhn checksum. La Poste's establishments are the documented exception (the
// sum of their digits is a multiple of 5); its head office, 356 000 000 00048, passes the Luhn check.
function validSiret(value: string): boolean {
  if (!/^\d{14}$/.test(value)) return false;
  if (value.startsWith('356000000') && [...value].reduce((sum, d) => sum + Number(d), 0) % 5 === 0)
    return true;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = Number(value[13 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * The data scopes whose every field is sensitive (indemnisation): only high-assurance apps may ask for
 * them. A scope with a single sensitive field among ordinary ones (statut) stays open to standard apps.
 */
export function sensitiveScopes(catalog: Catalog): ReadonlySet<string> {
  return new Set(
    catalog.dataScopes.filter((s) => s.fields.length && s.fields.every((f) => f.sensitive)).map((s) => s.id),
  );
}

/**
 * In production, the URLs the server itself fetches — a jwks_uri, the only one — must lead to public
 * addresses (names are resolved now, and again at connect time: ../security/guarded-fetch.ts). Async,
 * so apart from the rules below; the clients service runs both for every registration and change.
 */
export async function fetchedUrlsProblem(input: ClientValues): Promise<ClientIssue | undefined> {
  if (input.backchannel_logout_uri) {
    const problem = await fetchedUrlProblem(input.backchannel_logout_uri);
    if (problem) return { path: ['backchannel_logout_uri'], message: `l’URI de déconnexion ${problem}` };
  }
  if (!input.jwks_uri) return undefined;
  const problem = await fetchedUrlProblem(input.jwks_uri);
  return problem ? { path: ['jwks_uri'], message: `l’URL des clés ${problem}` } : undefined;
}

/** A 400 naming its fields as the admin API does (client-values.ts). */
export const clientValidationError = (issues: ClientIssue[], status = 400) =>
  new ClientValidationError(issues, rfc7591Field, status);

// The French message of a check that carries none of its own (those of a nested schema such as the
// audience's), by the issue's kind and bounds: what zod says in English, said in French.
function frenchDefault(issue: z.core.$ZodRawIssue): string {
  const n = Number(
    (issue as { maximum?: unknown; minimum?: unknown }).maximum ?? (issue as { minimum?: unknown }).minimum,
  );
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? `${n} caractères au maximum`
        : issue.origin === 'array'
          ? `${n} valeurs au maximum`
          : `au plus ${n}`;
    case 'too_small':
      return issue.origin === 'string' && n === 1
        ? 'à renseigner'
        : issue.origin === 'array'
          ? 'indiquez au moins une valeur'
          : `au moins ${n}`;
    case 'unrecognized_keys':
      return `clé inconnue : ${issue.keys.join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'array'
        ? 'liste attendue'
        : issue.expected === 'boolean'
          ? 'oui ou non attendu'
          : issue.expected === 'number' || issue.expected === 'int'
            ? 'nombre entier attendu'
            : 'valeur invalide';
    default:
      return 'valeur invalide';
  }
}

export function clientRules(catalog: Catalog, production: boolean) {
  const knownScopes = new Set([...catalog.byId.keys(), 'offline_access']);
  const dataScopes = new Set(catalog.dataScopes.map((s) => s.id));
  const highAssuranceScopes = sensitiveScopes(catalog);

  const text = (max: number) => z.string('texte attendu').trim().max(max, `${max} caractères au maximum`);
  const url = (label: string) =>
    text(2000).superRefine((value, ctx) => {
      // Links shown to people may carry a fragment; redirect URIs may not (RFC 6749 §3.1.2).
      const problem = redirectUriProblem(value.replace(/#.*$/, ''), production);
      if (problem) ctx.addIssue({ code: 'custom', message: `${label} ${problem}` });
    });
  const orNull = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v || null);
  const optionalUrl = (label: string) => orNull(url(label));
  // A redirect URI as a public client may have it (checked again in crossFieldRules, which knows the method).
  const uris = (max: number) =>
    z.array(text(2000), 'liste d’adresses attendue').max(max, `${max} adresses au maximum`);
  const yesNo = z.boolean('oui ou non attendu').default(false);

  const schema = z
    .object({
      name: text(120).min(1, 'à renseigner'),
      description: text(1000).default(''),
      operator_name: text(200).default(''),
      operator_siret: orNull(text(14).refine(validSiret, 'SIRET invalide (14 chiffres)')),
      website: optionalUrl('le site'),
      contact_email: orNull(z.email('adresse e-mail invalide').max(254, '254 caractères au maximum')),
      logo_uri: optionalUrl('le logo'),
      policy_uri: optionalUrl('la politique de confidentialité'),
      tos_uri: optionalUrl('les conditions d’utilisation'),
      redirect_uris: uris(10).min(1, 'indiquez au moins une adresse'),
      post_logout_redirect_uris: uris(10).default([]),
      backchannel_logout_uri: orNull(text(2000)),
      scopes: z
        .array(z.string('texte attendu'), 'liste de scopes attendue')
        .min(1, 'indiquez au moins une valeur')
        .transform((list) => [...new Set(list)])
        .refine((list) => list.includes('openid'), 'les scopes doivent inclure openid')
        .refine((list) => list.every((s) => knownScopes.has(s)), 'scope inconnu (voir scopes/)'),
      purposes: z.record(z.string(), text(500), 'finalités attendues par scope').default({}),
      consent_duration_days: orNull(
        z
          .number('nombre entier attendu')
          .int('nombre entier attendu')
          .min(1, 'au moins 1')
          .max(3650, 'au plus 3650'),
      ),
      token_endpoint_auth_method: orNull(
        z.enum(AUTH_METHODS, `méthode inconnue (${AUTH_METHODS.join(', ')})`),
      ),
      jwks_uri: orNull(
        z.url({ protocol: /^https$/, error: 'URL https invalide' }).max(2000, '2000 caractères au maximum'),
      ),
      jwks: orNull(
        z.object(
          {
            keys: z
              .array(
                z.object({ kty: z.string('chaque clé indique son type (kty)') }).passthrough(),
                'format invalide (attendu : {"keys": [ … ]})',
              )
              .min(1, 'indiquez au moins une clé'),
          },
          'format invalide (attendu : {"keys": [ … ]})',
        ),
      ),
      high_assurance: yesNo,
      free_for_jobseekers: yesNo,
      status: z
        .enum(['pending', 'active', 'suspended'], 'statut inconnu (pending, active ou suspended)')
        .default('pending'),
      category: orNull(z.enum(STORE_CATEGORY_IDS, 'catégorie inconnue (voir src/store/categories.ts)')),
      start_url: optionalUrl('l’adresse de démarrage'),
      audience: audienceSchema(catalog),
      audience_vetted: yesNo,
    })
    .superRefine(crossFieldRules({ production, dataScopes, highAssuranceScopes }));

  return {
    /** Validated row values, or a ClientValidationError naming every field at fault. */
    parse(input: ClientValues): EditableClient {
      const parsed = schema.safeParse(givenValues(input), { error: frenchDefault });
      if (!parsed.success) {
        throw clientValidationError(
          parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })),
        );
      }
      const c = parsed.data;
      const keyAuth = c.token_endpoint_auth_method === 'private_key_jwt';
      const values = Object.fromEntries(EDITABLE_COLUMNS.map((column) => [column, c[column] ?? null]));
      // Keys belong to key authentication only.
      return {
        ...values,
        jwks_uri: keyAuth ? c.jwks_uri : null,
        jwks: keyAuth ? c.jwks : null,
      } as EditableClient;
    },
  };
}
