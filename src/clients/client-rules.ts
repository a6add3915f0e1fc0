// What a client registration must satisfy, whoever submits it (CLI, console, admin API, RFC 7591).
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
import { AppError } from '../http/app-error.ts';
import { HIGH_ASSURANCE_ALGS, isHighAssuranceAlg, keyFitsAlg } from '../oidc/high-assurance.ts';
import { fetchedUrlProblem } from '../security/public-address.ts';
import { type Audience, audienceSchema } from '../store/audience.ts';
import { STORE_CATEGORY_IDS } from '../store/categories.ts';
import { AUTH_METHODS, type AuthMethod } from './client-auth-methods.ts';
import type { ClientStatus, EditableClient } from './client-queries.ts';
import { redirectUriProblem } from './redirect-uri-rules.ts';

export interface ClientInput {
  name: string;
  description?: string;
  operatorName?: string;
  operatorSiret?: string | null;
  website?: string | null;
  contactEmail?: string | null;
  logoUri?: string | null;
  policyUri?: string | null;
  tosUri?: string | null;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** where the app receives Logout Tokens (OpenID Connect Back-Channel Logout 1.0) */
  backchannelLogoutUri?: string | null;
  scopes: string[];
  purposes?: Record<string, string>;
  consentDurationDays?: number | null;
  /** null or absent: a secret, presented with client_secret_basic or client_secret_post */
  tokenEndpointAuthMethod?: AuthMethod | null;
  jwksUri?: string | null;
  jwks?: { keys: unknown[] } | null;
  highAssurance?: boolean;
  freeForJobseekers?: boolean;
  status?: ClientStatus;
  /** Emploi Store: one of the vetted categories (src/store/categories.ts) */
  category?: string | null;
  /** Emploi Store: where « Se connecter » leads, on the app's own host */
  startUrl?: string | null;
  /** Emploi Store: who the app is for, as declared (src/store/audience.ts) */
  audience?: Audience | null;
  /** an admin checked the declared audience; only then do recommendations use it */
  audienceVetted?: boolean;
}

// Errors name fields as the admin API and RFC 7591 do.
const METADATA_NAMES: Record<string, string> = {
  name: 'client_name',
  operatorName: 'operator_name',
  operatorSiret: 'operator_siret',
  website: 'client_uri',
  contactEmail: 'contacts',
  logoUri: 'logo_uri',
  policyUri: 'policy_uri',
  tosUri: 'tos_uri',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  backchannelLogoutUri: 'backchannel_logout_uri',
  scopes: 'scope',
  consentDurationDays: 'consent_duration_days',
  tokenEndpointAuthMethod: 'token_endpoint_auth_method',
  jwksUri: 'jwks_uri',
  highAssurance: 'high_assurance',
  freeForJobseekers: 'free_for_jobseekers',
  startUrl: 'start_url',
  audienceVetted: 'audience_vetted',
};

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

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

// A high-assurance app's keys (when given inline; a jwks_uri is checked when used, see
// provider-config.ts) are public signing keys that each name one of the allowed algorithms.
function highAssuranceKeyProblem(key: Record<string, unknown>): string | undefined {
  const alg = key.alg;
  if (!isHighAssuranceAlg(alg)) {
    return `chaque clé doit indiquer son algorithme (alg) parmi ${HIGH_ASSURANCE_ALGS.join(', ')}`;
  }
  if (!keyFitsAlg(key, alg)) return `la clé ne correspond pas à l’algorithme ${alg}`;
  if (PRIVATE_MEMBERS.some((m) => m in key)) return 'la clé doit être publique (sans partie privée)';
  if (key.use !== undefined && key.use !== 'sig') return 'la clé doit servir à la signature (use: sig)';
  return undefined;
}

/**
 * In production, the URLs the server itself fetches — a jwks_uri, the only one — must lead to public
 * addresses (names are resolved now, and again at connect time: ../security/guarded-fetch.ts). Async,
 * so apart from the rules below; the clients service runs both for every registration and change.
 */
export async function fetchedUrlsProblem(input: Partial<ClientInput>): Promise<string | undefined> {
  if (input.backchannelLogoutUri) {
    const problem = await fetchedUrlProblem(input.backchannelLogoutUri);
    if (problem) return `backchannel_logout_uri: l’URI de déconnexion ${problem}`;
  }
  if (!input.jwksUri) return undefined;
  const problem = await fetchedUrlProblem(input.jwksUri);
  return problem ? `jwks_uri: l’URL des clés ${problem}` : undefined;
}

export function clientRules(catalog: Catalog, production: boolean) {
  const knownScopes = new Set([...catalog.byId.keys(), 'offline_access']);
  const dataScopes = new Set(catalog.dataScopes.map((s) => s.id));
  const highAssuranceScopes = sensitiveScopes(catalog);

  const url = (label: string, kind: 'redirect' | 'link') =>
    z
      .string()
      .trim()
      .max(2000)
      .superRefine((value, ctx) => {
        // Links shown to people may carry a fragment; redirect URIs may not (RFC 6749 §3.1.2).
        const problem = redirectUriProblem(kind === 'link' ? value.replace(/#.*$/, '') : value, production);
        if (problem) ctx.addIssue({ code: 'custom', message: `${label} ${problem}` });
      });
  // A redirect URI as a public client may have it (checked again in superRefine, which knows the method).
  const redirectUri = z.string().trim().max(2000);
  const optionalUrl = (label: string) => url(label, 'link').nullish();

  const schema = z
    .object({
      name: z.string().trim().min(1).max(120),
      description: z.string().trim().max(1000).default(''),
      operatorName: z.string().trim().max(200).default(''),
      operatorSiret: z
        .string()
        .trim()
        .refine(validSiret, 'SIRET invalide (14 chiffres)')
        .nullish()
        .transform((v) => v || null),
      website: optionalUrl('le site'),
      contactEmail: z.email().max(254).nullish(),
      logoUri: optionalUrl('le logo'),
      policyUri: optionalUrl('la politique de confidentialité'),
      tosUri: optionalUrl('les conditions d’utilisation'),
      redirectUris: z.array(redirectUri).min(1).max(10),
      postLogoutRedirectUris: z.array(redirectUri).max(10).default([]),
      backchannelLogoutUri: z.string().trim().max(2000).nullish(),
      scopes: z
        .array(z.string())
        .min(1)
        .transform((list) => [...new Set(list)])
        .refine((list) => list.includes('openid'), 'les scopes doivent inclure openid')
        .refine((list) => list.every((s) => knownScopes.has(s)), 'scope inconnu (voir scopes/)'),
      purposes: z.record(z.string(), z.string().trim().max(500)).default({}),
      consentDurationDays: z.number().int().min(1).max(3650).nullish(),
      tokenEndpointAuthMethod: z
        .enum(AUTH_METHODS)
        .nullish()
        .transform((v) => v ?? null),
      jwksUri: z
        .url({ protocol: /^https$/ })
        .max(2000)
        .nullish(),
      jwks: z.object({ keys: z.array(z.object({ kty: z.string() }).passthrough()).min(1) }).nullish(),
      highAssurance: z.boolean().default(false),
      freeForJobseekers: z.boolean().default(false),
      status: z.enum(['pending', 'active', 'suspended']).default('pending'),
      category: z
        .enum(STORE_CATEGORY_IDS, 'catégorie inconnue (voir src/store/categories.ts)')
        .nullish()
        .transform((v) => v ?? null),
      startUrl: optionalUrl('l’adresse de démarrage'),
      audience: audienceSchema(catalog),
      audienceVetted: z.boolean().default(false),
    })
    .superRefine((c, ctx) => {
      const publicClient = c.tokenEndpointAuthMethod === 'none';
      for (const [path, list, label] of [
        ['redirectUris', c.redirectUris, 'l’URI de redirection'],
        ['postLogoutRedirectUris', c.postLogoutRedirectUris, 'l’URI de retour après déconnexion'],
      ] as const) {
        list.forEach((value, i) => {
          const problem = redirectUriProblem(value, production, { publicClient });
          if (problem) ctx.addIssue({ code: 'custom', path: [path, i], message: `${label} ${problem}` });
        });
      }
      if (publicClient && (c.jwks || c.jwksUri)) {
        ctx.addIssue({
          code: 'custom',
          path: ['jwks'],
          message: 'une application publique (none) n’a ni secret ni clés',
        });
      }
      // The server posts to it: the rules of a confidential app's redirect URI (https, http on
      // loopback outside production; no fragment, no credentials), on the redirect URIs' host name
      // (Back-Channel Logout 1.0 §2.2 allows a query; the SSRF guard checks it again when sending).
      if (c.backchannelLogoutUri) {
        const problem = redirectUriProblem(c.backchannelLogoutUri, production);
        const host = URL.parse(c.backchannelLogoutUri)?.hostname;
        const redirectHost = URL.parse(c.redirectUris[0] ?? '')?.hostname;
        if (problem || (host && redirectHost && host !== redirectHost)) {
          ctx.addIssue({
            code: 'custom',
            path: ['backchannelLogoutUri'],
            message: `l’URI de déconnexion par canal arrière ${problem ?? 'doit être sur l’hôte des URI de redirection'}`,
          });
        }
        if (publicClient) {
          ctx.addIssue({
            code: 'custom',
            path: ['backchannelLogoutUri'],
            message: 'une application publique (none) ne reçoit pas de déconnexion par canal arrière',
          });
        }
      }
      // (An unparseable URI is already reported above; it must not throw here.)
      const hosts = c.redirectUris.filter((u) => URL.canParse(u)).map((u) => new URL(u).host);
      if (new Set(hosts).size > 1) {
        // Pairwise subjects are derived per client; oidc-provider would otherwise require a
        // sector_identifier_uri, which we do not fetch.
        ctx.addIssue({
          code: 'custom',
          path: ['redirectUris'],
          message: 'toutes les URI de redirection doivent partager le même hôte',
        });
      }
      for (const scope of c.scopes.filter((s) => highAssuranceScopes.has(s) && !c.highAssurance)) {
        ctx.addIssue({
          code: 'custom',
          path: ['scopes'],
          message: `le scope ${scope} (données sensibles) exige une application à garantie élevée (high_assurance)`,
        });
      }
      if (c.highAssurance) {
        if (c.tokenEndpointAuthMethod !== 'private_key_jwt') {
          ctx.addIssue({
            code: 'custom',
            path: ['tokenEndpointAuthMethod'],
            message: 'une application à garantie élevée s’authentifie par private_key_jwt',
          });
        }
        (c.jwks?.keys ?? []).forEach((key, i) => {
          const problem = highAssuranceKeyProblem(key);
          if (problem) ctx.addIssue({ code: 'custom', path: ['jwks', 'keys', i], message: problem });
        });
      }
      if (c.tokenEndpointAuthMethod === 'private_key_jwt' && !c.jwksUri === !c.jwks) {
        ctx.addIssue({
          code: 'custom',
          path: ['jwks'],
          message: 'private_key_jwt exige soit jwks_uri soit jwks (pas les deux)',
        });
      }
      // The catalog's « Se connecter » leads to the app itself: the host its redirect URIs share.
      if (
        c.startUrl &&
        URL.canParse(c.startUrl) &&
        hosts.length &&
        !hosts.includes(new URL(c.startUrl).host)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['startUrl'],
          message: 'l’adresse de démarrage doit être sur l’hôte des URI de redirection',
        });
      }
      if (c.audienceVetted && !c.audience) {
        ctx.addIssue({
          code: 'custom',
          path: ['audienceVetted'],
          message: 'aucun public déclaré à vérifier',
        });
      }
      for (const scope of Object.keys(c.purposes)) {
        if (!c.scopes.includes(scope) || !dataScopes.has(scope)) {
          ctx.addIssue({
            code: 'custom',
            path: ['purposes', scope],
            message: 'finalité pour un scope de données non autorisé',
          });
        }
      }
      if (c.status === 'active') {
        for (const scope of c.scopes.filter((s) => dataScopes.has(s) && !c.purposes[s])) {
          ctx.addIssue({
            code: 'custom',
            path: ['purposes', scope],
            message: 'une finalité est requise pour activer l’application',
          });
        }
        if (!c.freeForJobseekers) {
          ctx.addIssue({
            code: 'custom',
            path: ['freeForJobseekers'],
            message: 'l’application doit être attestée gratuite pour les demandeurs d’emploi',
          });
        }
        // What a jobseeker needs to know the app and to ask it to delete what it holds (GDPR Art. 13).
        if (!c.policyUri) {
          ctx.addIssue({
            code: 'custom',
            path: ['policyUri'],
            message: 'une politique de confidentialité est requise pour activer l’application',
          });
        }
        if (!c.contactEmail) {
          ctx.addIssue({
            code: 'custom',
            path: ['contactEmail'],
            message: 'un contact pour les données personnelles est requis pour activer l’application',
          });
        }
      }
    });

  return {
    /** Validated row values, or a 400 naming every field at fault. */
    parse(input: ClientInput): EditableClient {
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        const detail = parsed.error.issues
          .map((i) => {
            const [head, ...rest] = i.path.map(String);
            return `${[head ? (METADATA_NAMES[head] ?? head) : 'client', ...rest].join('.')}: ${i.message}`;
          })
          .join('; ');
        throw new AppError(400, 'invalid_client_metadata', detail);
      }
      const c = parsed.data;
      return {
        name: c.name,
        description: c.description,
        operator_name: c.operatorName,
        operator_siret: c.operatorSiret,
        website: c.website ?? null,
        contact_email: c.contactEmail ?? null,
        logo_uri: c.logoUri ?? null,
        policy_uri: c.policyUri ?? null,
        tos_uri: c.tosUri ?? null,
        token_endpoint_auth_method: c.tokenEndpointAuthMethod,
        jwks_uri: c.tokenEndpointAuthMethod === 'private_key_jwt' ? (c.jwksUri ?? null) : null,
        jwks:
          c.tokenEndpointAuthMethod === 'private_key_jwt' ? ((c.jwks as { keys: unknown[] }) ?? null) : null,
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris,
        backchannel_logout_uri: c.backchannelLogoutUri || null,
        scopes: c.scopes,
        purposes: c.purposes,
        consent_duration_days: c.consentDurationDays ?? null,
        high_assurance: c.highAssurance,
        free_for_jobseekers: c.freeForJobseekers,
        status: c.status,
        category: c.category,
        start_url: c.startUrl ?? null,
        audience: c.audience,
        audience_vetted: c.audienceVetted,
      };
    },

    /** The input that would recreate a stored row (for partial updates). */
    toInput(row: EditableClient): ClientInput {
      return {
        name: row.name,
        description: row.description,
        operatorName: row.operator_name,
        operatorSiret: row.operator_siret,
        website: row.website,
        contactEmail: row.contact_email,
        logoUri: row.logo_uri,
        policyUri: row.policy_uri,
        tosUri: row.tos_uri,
        redirectUris: row.redirect_uris,
        postLogoutRedirectUris: row.post_logout_redirect_uris,
        backchannelLogoutUri: row.backchannel_logout_uri,
        scopes: row.scopes,
        purposes: row.purposes,
        consentDurationDays: row.consent_duration_days,
        tokenEndpointAuthMethod: row.token_endpoint_auth_method as AuthMethod | null,
        jwksUri: row.jwks_uri,
        jwks: row.jwks,
        highAssurance: row.high_assurance,
        freeForJobseekers: row.free_for_jobseekers,
        status: row.status,
        category: row.category,
        startUrl: row.start_url,
        audience: row.audience,
        audienceVetted: row.audience_vetted,
      };
    },
  };
}
