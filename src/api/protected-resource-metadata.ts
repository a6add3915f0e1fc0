// RFC 9728 protected resource metadata: what a tool (Swagger UI, Postman, an MCP-style client) needs to
// find the authorization server and the scopes of each protected resource we run. Two resources:
//   - <ISSUER>/api, the resource API (one data scope per catalog data scope);
//   - <ISSUER>, the provider's own userinfo endpoint (the OIDC scopes).
// RFC 9728 §3.1: the metadata of a resource lives at its identifier with
// "/.well-known/oauth-protected-resource" inserted between the host and the path, and §3.3: the
// `resource` it states MUST be that identifier. One access token serves both (src/oidc/one-token.ts).
import Router from '@koa/router';
import type { Catalog } from '../catalog/load-catalog.ts';
import { DPOP_ALGS } from './dpop.ts';

const SUFFIX = '/.well-known/oauth-protected-resource';

/** The metadata URL of a resource identifier (RFC 9728 §3.1). */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${SUFFIX}${path}`;
}

export function protectedResourceMetadata(deps: { issuer: string; apiAudience: string; catalog: Catalog }) {
  const { issuer, apiAudience, catalog } = deps;
  const common = {
    authorization_servers: [issuer],
    // RFC 6750 §2.1 only: tokens in a query string or a form body are refused (RFC 9700 §2.2).
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    dpop_bound_access_tokens_required: false,
  };
  const documents = new Map<string, Record<string, unknown>>([
    [
      apiAudience,
      {
        resource: apiAudience,
        resource_name: 'API Pôle emploi Connect : données du demandeur d’emploi',
        ...common,
        scopes_supported: catalog.dataScopes.map((s) => s.id),
      },
    ],
    [
      issuer,
      {
        resource: issuer,
        resource_name: 'Pôle emploi Connect : userinfo (OpenID Connect)',
        ...common,
        scopes_supported: catalog.oidcScopes.map((s) => s.id),
      },
    ],
  ]);

  const router = new Router();
  for (const [resource, document] of documents) {
    // Served at our own root: the issuer is the origin the provider is mounted at.
    const path = new URL(protectedResourceMetadataUrl(resource)).pathname.slice(
      new URL(issuer).pathname.replace(/\/$/, '').length,
    );
    router.get(path, (ctx) => {
      // Public metadata, like discovery: any origin may read it.
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = document;
    });
  }
  return router;
}
