// The API reference of /developpeurs/api: the resource API as the OpenAPI document describes it
// (both are derived from scopes/, so they cannot drift), rendered as one French page served by the
// provider itself — no CDN, no JavaScript. Built once at start.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Config } from '../config.ts';

export function apiReferenceModel(config: Config, catalog: Catalog) {
  return {
    title: 'Référence de l’API',
    apiBase: `${config.apiAudience}/v1`,
    openapiUrl: `${config.apiAudience}/openapi.json`,
    discoveryUrl: `${config.issuer}/.well-known/openid-configuration`,
    scopes: catalog.dataScopes.map((s) => ({
      id: s.id,
      title: s.title,
      explanation: s.explanation,
      list: s.shape === 'list',
      fields: s.fields.map((f) => ({
        id: f.id,
        label: f.label,
        description: f.description,
        type: f.enum ? `${f.type} (${f.enum.join(', ')})` : f.type,
        sensitive: Boolean(f.sensitive),
      })),
    })),
  };
}

export type ApiReferenceModel = ReturnType<typeof apiReferenceModel>;
