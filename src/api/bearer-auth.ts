// Bearer token checks for the resource API (RFC 6750). The token must be one of ours, unexpired,
// issued for this API (RFC 8707 audience), to an app that is still active, under a consent that is
// live at this moment. The subject comes only from the token.
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { ClientService } from '../clients/client-service.ts';
import type { ConsentRow } from '../consents/consent-queries.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import { guarded } from '../oidc/postgres-adapter.ts';

export interface ApiCaller {
  accountId: string;
  clientId: string;
  /** the token's scopes, narrowed to what the app's registration allows now (an admin may remove one) */
  scopes: Set<string>;
  consent: ConsentRow;
}

declare module 'koa' {
  interface DefaultState {
    caller?: ApiCaller;
  }
}

const REALM = 'pole-emploi-connect';

export class BearerError extends Error {
  override name = 'BearerError';
  readonly status: 400 | 401 | 403;
  readonly error: string | undefined;
  readonly description: string;
  readonly scope: string | undefined;

  constructor(status: 400 | 401 | 403, error: string | undefined, description: string, scope?: string) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
    this.scope = scope;
  }

  challenge(): string {
    const parts = [`realm="${REALM}"`];
    if (this.error) parts.push(`error="${this.error}"`, `error_description="${this.description}"`);
    if (this.scope) parts.push(`scope="${this.scope}"`);
    return `Bearer ${parts.join(', ')}`;
  }
}

// Opaque tokens from oidc-provider are 43 base64url characters; anything far off is not worth a lookup.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

export function bearerAuth(deps: {
  provider: Provider;
  clients: ClientService;
  consents: ConsentService;
  audience: string;
}): Koa.Middleware {
  const { provider, clients, consents, audience } = deps;
  return async (ctx, next) => {
    // RFC 6750 §2.2/2.3 allow the body and the query; RFC 9700 §2.2 says not to.
    if ('access_token' in ctx.query) {
      throw new BearerError(
        400,
        'invalid_request',
        'access tokens are accepted only in the Authorization header',
      );
    }
    const header = ctx.get('Authorization');
    if (!header) throw new BearerError(401, undefined, 'missing access token');
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match?.[1]) throw new BearerError(401, 'invalid_request', 'malformed Authorization header');
    const value = match[1];
    const invalid = (why: string) => new BearerError(401, 'invalid_token', why);
    if (!TOKEN_SHAPE.test(value)) throw invalid('the access token is invalid');

    const token = await guarded(() => provider.AccessToken.find(value));
    if (!token || token.isExpired) throw invalid('the access token is invalid or expired');
    if (token.aud !== audience) throw invalid('the access token is not for this API');
    if (!token.accountId) throw invalid('the access token has no subject');
    if (token.isSenderConstrained()) throw invalid('sender-constrained tokens are not accepted here');

    // The grant must still exist, as oidc-provider checks for userinfo and introspection: a code replay
    // deletes it, possibly before the winning redemption has saved its access token.
    const [client, consent, grant] = await Promise.all([
      guarded(() => clients.find(token.clientId as string)),
      guarded(() => consents.findLive(token.accountId as string, token.clientId as string)),
      token.grantId ? guarded(() => provider.Grant.find(token.grantId as string)) : undefined,
    ]);
    if (client?.status !== 'active') throw invalid('the application is not active');
    if (!grant || grant.clientId !== token.clientId || grant.accountId !== token.accountId) {
      throw invalid('the grant behind the access token was revoked');
    }
    if (!consent) throw invalid('the consent was withdrawn or has expired');

    ctx.state.caller = {
      accountId: token.accountId,
      clientId: token.clientId as string,
      scopes: new Set([...token.scopes].filter((s) => client.scopes.includes(s))),
      consent,
    };
    await next();
  };
}
