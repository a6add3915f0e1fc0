// The view-model of /developpeurs, the developer quick start: built once at start from the
// configuration, the scope catalog and the quick-start files. The scopes table is derived from the
// catalog; the demo credentials appear only where demo data is seeded (never in production).
import type { Catalog } from '../catalog/load-catalog.ts';
import { sensitiveScopes } from '../clients/client-rules.ts';
import type { Config } from '../config.ts';
import { DEMO_PASSWORD, demoJobseekers } from '../demo/demo-jobseekers.ts';
import { DEMO_CLIENT_ID, DEMO_SPA_CLIENT_ID } from '../demo/demo-seed.ts';
import { COMMON_ERRORS } from './common-errors.ts';
import {
  fillSnippet,
  readSnippet,
  SNIPPETS,
  type SnippetId,
  type SnippetValues,
} from './quickstart-snippets.ts';

/** What a developer replaces: shown as is in the configurations (the issuer is this provider's). */
export const PLACEHOLDERS: Omit<SnippetValues, 'ISSUER'> = {
  CLIENT_ID: 'votre-client-id',
  CLIENT_SECRET: 'votre-client-secret',
  APP_URL: 'https://votre-application.example.fr',
  CRYPTO_PASSPHRASE: 'une-longue-phrase-secrete-a-vous',
};

const SNIPPET_TEXTS: Record<SnippetId, { title: string; intro: string }> = {
  'openid-client': {
    title: 'Node.js : openid-client',
    intro:
      'Une application web complète avec openid-client 6 et ses réglages par défaut (client_secret_post, PKCE, state, nonce).',
  },
  authlib: {
    title: 'Python : Authlib',
    intro:
      'Une application web complète avec Authlib (paquets Debian python3-authlib et python3-requests) et la bibliothèque standard de Python.',
  },
  mod_auth_openidc: {
    title: 'Apache : mod_auth_openidc',
    intro:
      'Les directives pour protéger une partie d’un site Apache ; l’application derrière reçoit le jeton d’accès dans l’en-tête OIDC_access_token.',
  },
  'oidc-client-ts': {
    title: 'Navigateur : oidc-client-ts',
    intro:
      'Une application monopage, enregistrée comme application publique (sans secret). C’est la configuration de la démonstration « CV Express Web ».',
  },
};

export function quickstartModel(deps: { config: Config; catalog: Catalog; docsDir: string }) {
  const { config, catalog, docsDir } = deps;
  const highAssurance = sensitiveScopes(catalog);
  const values: SnippetValues = { ISSUER: config.issuer, ...PLACEHOLDERS };
  return Object.freeze({
    title: 'Développeurs : démarrage rapide',
    issuer: config.issuer,
    discoveryUrl: `${config.issuer}/.well-known/openid-configuration`,
    apiBase: `${config.apiAudience}/v1`,
    openapiUrl: `${config.apiAudience}/openapi.json`,
    accessTokenMinutes: Math.round(config.accessTokenTtlSeconds / 60),
    snippets: (Object.keys(SNIPPETS) as SnippetId[]).map((id) => ({
      id,
      ...SNIPPET_TEXTS[id],
      file: SNIPPETS[id].file,
      code: fillSnippet(readSnippet(docsDir, id), values),
    })),
    scopes: catalog.scopes.map((scope) => ({
      id: scope.id,
      title: scope.title,
      kind: scope.kind === 'oidc' ? 'Identité (ID token et userinfo)' : `Données (GET /api/v1/${scope.id})`,
      fields: scope.fields.map((f) => ({ id: f.id, label: f.label })),
      highAssurance: highAssurance.has(scope.id),
    })),
    demo: config.seedDemoData
      ? {
          logins: demoJobseekers.map((j) => j.login),
          password: DEMO_PASSWORD,
          confidentialClientId: DEMO_CLIENT_ID,
          publicClientId: DEMO_SPA_CLIENT_ID,
          demoUrl: config.demoApp.enabled ? config.demoApp.url : undefined,
        }
      : undefined,
    errors: COMMON_ERRORS.map((e) => ({ ...e, slug: e.code.replace(/[^a-z0-9]+/gi, '-').toLowerCase() })),
  });
}

export type QuickstartModel = ReturnType<typeof quickstartModel>;
