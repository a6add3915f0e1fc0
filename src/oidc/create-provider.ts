// Builds the oidc-provider instance: the signing keys it is given (provider-holder.ts rebuilds it when
// they change), clients from our clients table, every other model in oidc_models.
import type { JWK } from 'jose';
import Provider, { type AdapterPayload, type ClientMetadata, errors } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AccessLog } from '../api/access-log.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import { sensitiveScopes } from '../clients/client-rules.ts';
import type { ClientService } from '../clients/client-service.ts';
import { fromRfc7591 } from '../clients/rfc7591.ts';
import type { Config } from '../config.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import { createGrantBuilder } from '../consents/grant-builder.ts';
import { rememberOpened, type SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { createGrantLoader, createInteractionPolicy } from './consent-hooks.ts';
import { createFindAccount } from './find-account.ts';
import { storedId } from './hashed-ids.ts';
import { introspectionScope } from './introspection-scope.ts';
import { takeModel } from './oidc-model-queries.ts';
import { createPostgresAdapterClass, guarded } from './postgres-adapter.ts';
import { previousSecretPresented } from './previous-secret.ts';
import { providerClientMetadata } from './provider-client-metadata.ts';
import { providerConfiguration } from './provider-config.ts';
import { providerPages } from './provider-pages.ts';
import { prefetched } from './request-prefetch.ts';
import { completeResponses } from './response-completion.ts';
import { relatedKey } from './stored-token-reader.ts';
import { guardAuthenticatedRequest } from './token-request-guard.ts';
import { explainUserinfoError } from './userinfo-errors.ts';

export interface ProviderDeps {
  config: Config;
  pool: Pool;
  catalog: Catalog;
  box: SecretBox;
  clients: ClientService;
  consents: ConsentService;
  /** where ID-token and userinfo releases are recorded, like the resource API's reads */
  accessLog: AccessLog;
  render: Render;
  logger: Logger;
  /** the published signing keys, in keystore order (see provider-holder.ts and signing-keys.ts) */
  jwks: JWK[];
}

export async function createProvider(deps: ProviderDeps): Promise<Provider> {
  const { config, pool, catalog, box, clients, consents, accessLog, render, logger, jwks } = deps;
  const PostgresAdapter = createPostgresAdapterClass(pool);

  // Clients are read from our own table on every lookup, so a suspended app or a removed scope takes
  // effect on the next request (oidc-provider caches only by the metadata's content).
  const dataScopeIds = new Set(catalog.dataScopes.map((s) => s.id));
  const highAssuranceScopeIds = sensitiveScopes(catalog);
  const secrets = rememberOpened(box);
  class ClientAdapter extends PostgresAdapter {
    // Called by RFC 7591 registration only (static registration goes through the clients service).
    override async upsert(id: string, payload: AdapterPayload) {
      prefetched.clear();
      // oidc-provider fills in client_secret_basic when the request names no method; that is no
      // choice, and the app gets our default (either secret method, client-auth-methods.ts).
      const body = Provider.ctx?.oidc?.body as Record<string, unknown> | undefined;
      const chosen = body?.token_endpoint_auth_method !== undefined;
      try {
        await clients.register(id, {
          ...(payload as Record<string, unknown>),
          token_endpoint_auth_method: chosen ? payload.token_endpoint_auth_method : null,
        });
      } catch (err) {
        if (err instanceof AppError && err.status === 400)
          throw new errors.InvalidClientMetadata(err.message);
        throw err;
      }
    }

    override async find(id: string) {
      // Read with the token when the request presented one (request-prefetch.ts).
      const kept = prefetched.take<ClientRow>(relatedKey.client(id));
      const row = kept.found ? kept.value : await guarded(() => clients.find(id));
      guardAuthenticatedRequest(Provider.ctx, id, row, config.apiAudience);
      const metadata = row && providerClientMetadata(row, secrets, dataScopeIds, highAssuranceScopeIds);
      if (!row || !metadata) return undefined;
      const previous = previousSecretPresented(Provider.ctx, row, clients);
      if (previous) metadata.client_secret = previous;
      return metadata as AdapterPayload;
    }
  }

  const provider = new Provider(
    config.issuer,
    providerConfiguration({
      config,
      catalog,
      jwks,
      adapter: (name: string) => (name === 'Client' ? new ClientAdapter(name) : new PostgresAdapter(name)),
      findAccount: createFindAccount({
        pool,
        catalog,
        accessLog,
        legacyIdSalt: config.peconnectCompat ? config.secrets.pairwiseSalt : undefined,
      }),
      policy: createInteractionPolicy({ consents, catalog }),
      loadExistingGrant: createGrantLoader({
        consents,
        catalog,
        grants: createGrantBuilder({ provider: () => provider, catalog, apiAudience: config.apiAudience }),
      }),
      pages: providerPages(render, (id) => clients.find(id)),
      registration: {
        async validate(metadata) {
          // PostgreSQL stores neither a NUL character nor a lone surrogate (JSON.stringify writes both
          // as \u escapes): refused here, before the initial access token is used up.
          if (/\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify(metadata))) {
            throw new errors.InvalidClientMetadata('the metadata contains characters that are not allowed');
          }
          // Pairwise subjects are derived per client (client-rules.ts): a sector identifier is never
          // used, and oidc-provider would fetch whatever URL a registrant gives.
          if (metadata.sector_identifier_uri !== undefined) {
            throw new errors.InvalidClientMetadata('sector_identifier_uri is not supported');
          }
          try {
            // (A data_scopes that is not a list is refused by extraClientMetadata's validator.)
            const dataScopes = Array.isArray(metadata.data_scopes) ? (metadata.data_scopes as string[]) : [];
            const input = fromRfc7591(metadata, dataScopes);
            clients.rules.parse({ ...input, status: 'pending' });
            await clients.checkFetchedUrls(input);
          } catch (err) {
            if (err instanceof AppError && err.status === 400)
              throw new errors.InvalidClientMetadata(err.message);
            throw err;
          }
          // And oidc-provider's own checks (supported scopes, grant and response types…), which
          // otherwise run only after the policy has used the initial access token up.
          await provider.Client.validate(metadata as ClientMetadata);
        },
        consumeInitialAccessToken: (jti) =>
          guarded(() => takeModel(pool, 'InitialAccessToken', storedId('InitialAccessToken', jti))),
      },
    }),
  );
  provider.proxy = config.trustProxy;
  provider.use(introspectionScope(config.apiAudience));
  // Inside introspectionScope: the data scopes a token covers are added before the live Grant filters them.
  provider.use(completeResponses({ dataScopeIds: [...dataScopeIds] }));
  provider.on('userinfo.error', (ctx, err) => explainUserinfoError(ctx, err, config.issuer));

  // Protocol errors are expected traffic; log their codes (never tokens or parameters) and keep the
  // unexpected ones loud.
  const log =
    (event: string) => (ctx: { path?: string }, err: Error & { error?: string; status?: number }) => {
      const level = (err.status ?? 500) >= 500 ? 'error' : 'info';
      logger[level](
        { event, path: ctx?.path, error: err.error ?? err.name, status: err.status },
        err.message,
      );
    };
  for (const event of [
    'server_error',
    'authorization.error',
    'grant.error',
    'userinfo.error',
    'introspection.error',
    'revocation.error',
    'end_session.error',
    'jwks.error',
    'discovery.error',
    'backchannel.error',
    'pushed_authorization_request.error',
  ]) {
    (provider.on as (name: string, listener: ReturnType<typeof log>) => void)(event, log(event));
  }
  return provider;
}
