// The resource API's OpenAPI 3.1 document, derived from the catalog so the published contract can never
// drift from the fields a jobseeker is asked about. No property is ever `required`: a field the
// jobseeker did not consent to is absent from the response, not null.
import type { FieldDef, PropertyDef, ScopeDef } from './catalog-schema.ts';
import type { Catalog } from './load-catalog.ts';

type Schema = Record<string, unknown>;

const SECURITY_SCHEME = 'poleEmploiConnect';
const ERROR_TYPES = ['invalid_request', 'invalid_token', 'invalid_dpop_proof', 'insufficient_scope'];

export function buildOpenApi(
  catalog: Catalog,
  opts: { apiBaseUrl: string; issuer: string },
): Record<string, unknown> {
  const issuer = opts.issuer.replace(/\/+$/, '');
  const schemas: Record<string, Schema> = {};
  const paths: Record<string, unknown> = {};

  for (const scope of catalog.dataScopes) {
    const name = schemaName(scope.id);
    const object = {
      type: 'object',
      title: scope.title,
      description: scope.explanation,
      additionalProperties: false,
      properties: Object.fromEntries(scope.fields.map((f) => [f.id, fieldSchema(f)])),
    };
    if (scope.shape === 'list') {
      schemas[`${name}Item`] = object;
      schemas[name] = {
        type: 'array',
        title: scope.title,
        items: { $ref: `#/components/schemas/${name}Item` },
      };
    } else {
      schemas[name] = object;
    }
    paths[`/v1/${scope.id}`] = { get: operation(scope, name) };
  }

  schemas.Consent = consentSchema(catalog);
  schemas.Error = {
    type: 'object',
    description: 'Erreur au format de la RFC 6750 (jeton porteur OAuth 2.0) ou de la RFC 9449 (DPoP).',
    properties: {
      error: { type: 'string', enum: ERROR_TYPES },
      error_description: { type: 'string', description: 'Explication lisible par un développeur.' },
    },
    required: ['error'],
  };
  paths['/v1/consent'] = {
    get: {
      operationId: 'getConsent',
      summary: 'Consentement en cours',
      description:
        "Les données que la personne a accepté de partager avec votre application, et jusqu'à quand. " +
        'Tout jeton valide de votre application suffit.',
      security: [{ [SECURITY_SCHEME]: [] }],
      responses: {
        '200': jsonResponse('Le consentement en cours.', '#/components/schemas/Consent'),
        ...errorResponses(),
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'API Pôle emploi Connect',
      version: '1.0.0',
      description: [
        "Les données qu'un demandeur d'emploi a choisi de partager avec votre application, champ par champ.",
        "Seuls les champs qu'il a acceptés sont renvoyés : une clé qu'il n'a pas acceptée est absente de la " +
          "réponse (elle n'est pas renvoyée à null). Dans une liste, chaque élément ne garde que les clés " +
          'acceptées. Aucune propriété ne doit donc être considérée comme obligatoire.',
        'Le consentement peut être réduit ou retiré à tout moment : il est vérifié à chaque appel.',
      ].join('\n\n'),
    },
    servers: [{ url: opts.apiBaseUrl }],
    paths,
    components: {
      schemas,
      responses: {
        Unauthorized: errorResponse(
          'Jeton absent, invalide ou expiré (RFC 6750, error=invalid_token), ou preuve DPoP absente, ' +
            'invalide ou déjà utilisée pour un jeton lié par DPoP (RFC 9449, error=invalid_dpop_proof).',
          'Bearer error="invalid_token"',
        ),
        Forbidden: errorResponse(
          "Le jeton ne couvre pas ce périmètre, ou la personne n'a accepté aucun de ses champs (RFC 6750, error=insufficient_scope).",
          'Bearer error="insufficient_scope"',
        ),
      },
      securitySchemes: {
        // OpenAPI 3.1 §4.8.27: an openIdConnect scheme points at discovery, where tools (Swagger UI,
        // Postman) find the endpoints, PKCE and every scope (scopes_supported); each operation's
        // security requirement names the data scope it needs.
        [SECURITY_SCHEME]: {
          type: 'openIdConnect',
          openIdConnectUrl: `${issuer}/.well-known/openid-configuration`,
          description:
            'OpenID Connect auprès de Pôle emploi Connect : code d’autorisation avec PKCE (S256, ' +
            'obligatoire). Demandez `openid` et les scopes de données voulus (' +
            catalog.dataScopes.map((s) => `\`${s.id}\``).join(', ') +
            ') ; le jeton d’accès obtenu (avec ou sans `resource`) sert à userinfo comme à cette API. ' +
            'Les jetons liés par DPoP (RFC 9449, toujours pour les applications à garantie élevée) se ' +
            'présentent en `Authorization: DPoP <jeton>` avec une preuve dans l’en-tête `DPoP`.',
        },
      },
    },
  };
}

/** 'competences' → 'Competences', 'some_scope' → 'SomeScope'. */
export function schemaName(scopeId: string): string {
  return scopeId
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function operation(scope: ScopeDef, name: string): Schema {
  return {
    operationId: `get${name}`,
    summary: scope.title,
    description: scope.explanation,
    tags: [scope.id],
    security: [{ [SECURITY_SCHEME]: [scope.id] }],
    responses: {
      '200': jsonResponse(
        scope.shape === 'list'
          ? 'La liste ; chaque élément ne contient que les champs acceptés.'
          : 'Les champs acceptés ; les autres sont absents.',
        `#/components/schemas/${name}`,
      ),
      ...errorResponses(),
    },
  };
}

function fieldSchema(field: FieldDef): Schema {
  return {
    title: field.label,
    description: field.description,
    ...valueSchema(field),
    ...(field.sensitive ? { 'x-sensitive': true } : {}),
    ...(field.example === undefined ? {} : { examples: [field.example] }),
  };
}

// JSON Schema 2020-12 as used by OpenAPI 3.1: null is a type, not a `nullable` flag.
function valueSchema(def: FieldDef | PropertyDef): Schema {
  const out: Schema = {};
  const base = def.type === 'date' ? 'string' : def.type;
  out.type = def.nullable ? [base, 'null'] : base;
  if (def.type === 'date') out.format = 'date';
  if (def.enum) out.enum = def.nullable ? [...def.enum, null] : [...def.enum];
  if (def.type === 'object') {
    const props = (def.properties ?? {}) as Record<string, PropertyDef>;
    out.additionalProperties = false;
    out.properties = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, propertySchema(p)]));
  }
  if (def.type === 'array') out.items = propertySchema(def.items as PropertyDef);
  return out;
}

function propertySchema(prop: PropertyDef): Schema {
  return { ...(prop.description ? { description: prop.description } : {}), ...valueSchema(prop) };
}

function consentSchema(catalog: Catalog): Schema {
  return {
    type: 'object',
    description: "Ce que la personne a accepté de partager avec l'application qui appelle.",
    properties: {
      client_id: { type: 'string', description: "L'identifiant de votre application." },
      fields: {
        type: 'array',
        description: 'Les champs acceptés, sous la forme « <périmètre>.<champ> ».',
        items: { type: 'string', enum: [...catalog.fieldKeys] },
      },
      granted_at: { type: 'string', format: 'date-time', description: 'Date du dernier accord.' },
      expires_at: { type: 'string', format: 'date-time', description: "Date d'expiration du consentement." },
    },
    required: ['client_id', 'fields', 'granted_at', 'expires_at'],
  };
}

function jsonResponse(description: string, ref: string): Schema {
  return { description, content: { 'application/json': { schema: { $ref: ref } } } };
}

function errorResponses(): Schema {
  return {
    '401': { $ref: '#/components/responses/Unauthorized' },
    '403': { $ref: '#/components/responses/Forbidden' },
  };
}

function errorResponse(description: string, wwwAuthenticate: string): Schema {
  return {
    description,
    headers: {
      'WWW-Authenticate': {
        description: `Défi d'authentification, par exemple : ${wwwAuthenticate}`,
        schema: { type: 'string' },
      },
    },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}
