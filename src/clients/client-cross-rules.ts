// The rules of a registration that tie several fields together (client-rules.ts checks each field):
// the methods and keys of public and high-assurance apps, one host for every address, and what an
// app needs before it becomes active. Every problem names its field in the row's names.
import type { z } from 'zod';
import { HIGH_ASSURANCE_ALGS, isHighAssuranceAlg, keyFitsAlg } from '../oidc/high-assurance.ts';
import type { EditableClient } from './client-queries.ts';
import { redirectUriProblem } from './redirect-uri-rules.ts';

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

export interface CrossRuleContext {
  production: boolean;
  dataScopes: ReadonlySet<string>;
  highAssuranceScopes: ReadonlySet<string>;
}

type Checked = Omit<EditableClient, 'jwks'> & { jwks: { keys: Record<string, unknown>[] } | null };

export function crossFieldRules({ production, dataScopes, highAssuranceScopes }: CrossRuleContext) {
  return (c: Checked, ctx: z.RefinementCtx) => {
    const publicClient = c.token_endpoint_auth_method === 'none';
    for (const [path, list, label] of [
      ['redirect_uris', c.redirect_uris, 'l’URI de redirection'],
      ['post_logout_redirect_uris', c.post_logout_redirect_uris, 'l’URI de retour après déconnexion'],
    ] as const) {
      list.forEach((value, i) => {
        const problem = redirectUriProblem(value, production, { publicClient });
        if (problem) ctx.addIssue({ code: 'custom', path: [path, i], message: `${label} ${problem}` });
      });
    }
    if (publicClient && (c.jwks || c.jwks_uri)) {
      ctx.addIssue({
        code: 'custom',
        path: ['jwks'],
        message: 'une application publique (none) n’a ni secret ni clés',
      });
    }
    // The server posts to it: the rules of a confidential app's redirect URI (https, http on
    // loopback outside production; no fragment, no credentials), on the redirect URIs' host name
    // (Back-Channel Logout 1.0 §2.2 allows a query; the SSRF guard checks it again when sending).
    if (c.backchannel_logout_uri) {
      const problem = redirectUriProblem(c.backchannel_logout_uri, production);
      const host = URL.parse(c.backchannel_logout_uri)?.hostname;
      const redirectHost = URL.parse(c.redirect_uris[0] ?? '')?.hostname;
      if (problem || (host && redirectHost && host !== redirectHost)) {
        ctx.addIssue({
          code: 'custom',
          path: ['backchannel_logout_uri'],
          message: `l’URI de déconnexion par canal arrière ${problem ?? 'doit être sur l’hôte des URI de redirection'}`,
        });
      }
      if (publicClient) {
        ctx.addIssue({
          code: 'custom',
          path: ['backchannel_logout_uri'],
          message: 'une application publique (none) ne reçoit pas de déconnexion par canal arrière',
        });
      }
    }
    // (An unparseable URI is already reported above; it must not throw here.)
    const hosts = c.redirect_uris.filter((u) => URL.canParse(u)).map((u) => new URL(u).host);
    if (new Set(hosts).size > 1) {
      // Pairwise subjects are derived per client; oidc-provider would otherwise require a
      // sector_identifier_uri, which we do not fetch.
      ctx.addIssue({
        code: 'custom',
        path: ['redirect_uris'],
        message: 'toutes les URI de redirection doivent partager le même hôte',
      });
    }
    for (const scope of c.scopes.filter((s) => highAssuranceScopes.has(s) && !c.high_assurance)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scopes'],
        message: `le scope ${scope} (données sensibles) exige une application à garantie élevée (high_assurance)`,
      });
    }
    if (c.high_assurance) {
      if (c.token_endpoint_auth_method !== 'private_key_jwt') {
        ctx.addIssue({
          code: 'custom',
          path: ['token_endpoint_auth_method'],
          message: 'une application à garantie élevée s’authentifie par private_key_jwt',
        });
      }
      (c.jwks?.keys ?? []).forEach((key, i) => {
        const problem = highAssuranceKeyProblem(key);
        if (problem) ctx.addIssue({ code: 'custom', path: ['jwks', 'keys', i], message: problem });
      });
    }
    if (c.token_endpoint_auth_method === 'private_key_jwt' && !c.jwks_uri === !c.jwks) {
      ctx.addIssue({
        code: 'custom',
        path: ['jwks'],
        message: 'private_key_jwt exige soit jwks_uri soit jwks (pas les deux)',
      });
    }
    // The catalog's « Se connecter » leads to the app itself: the host its redirect URIs share.
    if (
      c.start_url &&
      URL.canParse(c.start_url) &&
      hosts.length &&
      !hosts.includes(new URL(c.start_url).host)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['start_url'],
        message: 'l’adresse de démarrage doit être sur l’hôte des URI de redirection',
      });
    }
    if (c.audience_vetted && !c.audience) {
      ctx.addIssue({
        code: 'custom',
        path: ['audience_vetted'],
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
      if (!c.free_for_jobseekers) {
        ctx.addIssue({
          code: 'custom',
          path: ['free_for_jobseekers'],
          message: 'l’application doit être attestée gratuite pour les demandeurs d’emploi',
        });
      }
      // What a jobseeker needs to know the app and to ask it to delete what it holds (GDPR Art. 13).
      if (!c.policy_uri) {
        ctx.addIssue({
          code: 'custom',
          path: ['policy_uri'],
          message: 'une politique de confidentialité est requise pour activer l’application',
        });
      }
      if (!c.contact_email) {
        ctx.addIssue({
          code: 'custom',
          path: ['contact_email'],
          message: 'un contact pour les données personnelles est requis pour activer l’application',
        });
      }
    }
  };
}
