// The OpenAPI 3.1 document of the admin API, with request bodies generated from the zod schemas
// that validate them (one source of truth).
import { z } from 'zod';
import { advisorOpenApiPaths } from '../advisors/advisor-api-routes.ts';
import { clientBody, createBody, iatBody, tokenBody } from './admin-api-schemas.ts';

const json = (schema: z.ZodType) => ({
  'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) },
});
const error = { $ref: '#/components/responses/Error' };
const errors = { 400: error, 401: error, 404: error };

export function adminOpenApi(issuer: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pôle emploi Connect — API d’administration',
      version: '1',
      description:
        'Enregistrer et vérifier les applications partenaires. Authentification par jeton d’API administrateur (Bearer). Chaque action est journalisée. Les secrets ne sont renvoyés qu’à leur création.',
    },
    servers: [{ url: `${issuer}/admin/api` }],
    security: [{ adminToken: [] }],
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'jeton pecadm_… créé dans la console ou par la CLI',
        },
      },
      responses: {
        Error: {
          description: 'Erreur',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['error', 'error_description'],
                properties: { error: { type: 'string' }, error_description: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    paths: {
      '/clients': {
        get: {
          summary: 'Lister les applications',
          responses: { 200: { description: 'Les applications' }, 401: error },
        },
        post: {
          summary: 'Enregistrer une application (renvoie client_id et, une seule fois, client_secret)',
          requestBody: { required: true, content: json(createBody) },
          responses: { 201: { description: 'Créée' }, ...errors },
        },
      },
      '/clients/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          summary: 'Lire une application',
          responses: { 200: { description: 'L’application' }, ...errors },
        },
        patch: {
          summary: 'Modifier une application (par exemple {"status": "suspended"})',
          requestBody: { required: true, content: json(clientBody) },
          responses: { 200: { description: 'Modifiée' }, ...errors },
        },
        delete: {
          summary: 'Supprimer : révoque chaque accord et chaque jeton',
          responses: { 204: { description: 'Supprimée' }, ...errors },
        },
      },
      '/clients/{id}/secret': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        post: {
          summary: 'Nouveau secret (l’ancien reste valable pendant la période de grâce)',
          responses: { 200: { description: 'Le nouveau secret, montré une fois' }, ...errors },
        },
      },
      '/audit': {
        get: {
          summary: 'Journal d’audit, du plus récent au plus ancien',
          responses: { 200: { description: 'Entrées' }, 401: error },
        },
      },
      '/tokens': {
        get: {
          summary: 'Jetons d’API administrateur',
          responses: { 200: { description: 'Jetons (sans leur valeur)' }, 401: error },
        },
        post: {
          summary: 'Créer un jeton (valeur montrée une fois)',
          requestBody: { required: true, content: json(tokenBody) },
          responses: { 201: { description: 'Créé' }, ...errors },
        },
      },
      '/tokens/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        delete: { summary: 'Révoquer un jeton', responses: { 204: { description: 'Révoqué' }, ...errors } },
      },
      '/admins': {
        get: {
          summary: 'Administrateurs et état de leur double authentification (échecs, verrouillage)',
          responses: { 200: { description: 'Administrateurs' }, 401: error },
        },
      },
      '/admins/{id}/unlock': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        post: {
          summary: 'Déverrouiller la double authentification d’un autre administrateur (journalisé)',
          responses: { 200: { description: 'Déverrouillé' }, 403: error, ...errors },
        },
      },
      '/initial-access-tokens': {
        post: {
          summary: 'Jeton d’accès initial pour un enregistrement dynamique (RFC 7591), à usage unique',
          requestBody: { content: json(iatBody) },
          responses: { 201: { description: 'Créé' }, ...errors },
        },
      },
      ...advisorOpenApiPaths(json, errors),
    },
  };
}
