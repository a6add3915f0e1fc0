// Access token checks for the resource API: Bearer (RFC 6750) and DPoP (RFC 9449). The token must be
// one of ours, unexpired, for this protected resource (the audience check below), to an app that is still
// active, under a consent that is live at this moment. The subject comes only from the token. A
// DPoP-bound token is accepted only with the DPoP scheme and a proof from its key, for this request,
// used once across all instances; high-assurance apps only ever have DPoP-bound tokens. Every refusal
// names its cause, and every challenge names the issuer as realm and the API's RFC 9728 metadata.
import type Koa from 'koa';
import type { Pool } from '../db/pool.ts';
import { storedId } from '../oidc/hashed-ids.ts';
import { guarded } from '../oidc/postgres-adapter.ts';
import { grantHolds, readStoredAccessToken, sessionBindingHolds } from '../oidc/stored-token-reader.ts';
import { findApiCaller } from './api-caller-queries.ts';
import { allowAppOrigin } from './api-cors.ts';
import { DPOP_ALGS, DPOP_JTI_LIFETIME_SECONDS, DpopProofError, verifyDpopProof } from './dpop.ts';
import { recordDpopJti } from './dpop-queries.ts';

export type AuthScheme = 'Bearer' | 'DPoP';

export interface ApiCaller {
  accountId: string;
  clientId: string;
  /** the data scopes the token covers */
  tokenScopes: Set<string>;
  /** the OIDC scopes (openid, profile…) the token covers: those of a token without audience */
  oidcScopes: Set<string>;
  /** the scopes the app's registration allows now (an admin may remove one) */
  registeredScopes: Set<string>;
  consent: { fields: string[]; granted_at: Date; expires_at: Date };
  /** the jobseeker's data row for the data scope the path names, read in the same statement */
  data: unknown;
  /** how the token was presented, for the challenge of a later refusal (e.g. insufficient_scope) */
  scheme: AuthScheme;
}

declare module 'koa' {
  interface DefaultState {
    caller?: ApiCaller;
  }
}

/** What every challenge of the API names besides the error: the same realm as userinfo's, whose
 * challenges oidc-provider writes with the issuer as realm, and the API's RFC 9728 metadata (§5.1). */
export interface ChallengeContext {
  realm: string;
  resourceMetadata: string;
}

export class BearerError extends Error {
  override name = 'BearerError';
  readonly status: 400 | 401 | 403;
  readonly error: string | undefined;
  readonly description: string;
  readonly scope: string | undefined;
  /** the scheme the challenge names; when unset, the one the request used (or Bearer) */
  readonly scheme: AuthScheme | undefined;

  constructor(
    status: 400 | 401 | 403,
    error: string | undefined,
    description: string,
    scope?: string,
    scheme?: AuthScheme,
  ) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
    this.scope = scope;
    this.scheme = scheme;
  }

  challenge(context: ChallengeContext, requestScheme: AuthScheme = 'Bearer'): string {
    const scheme = this.scheme ?? requestScheme;
    const parts = [`realm="${context.realm}"`, `resource_metadata="${context.resourceMetadata}"`];
    // RFC 7230 §3.2.6 quoted-string: a description may name a value that came with the token.
    const quoted = this.description.replace(/["\\]/g, '\\$&');
    if (this.error) parts.push(`error="${this.error}"`, `error_description="${quoted}"`);
    if (this.scope) parts.push(`scope="${this.scope}"`);
    // RFC 9449 §7.1: a DPoP challenge names the algorithms accepted for proofs.
    if (scheme === 'DPoP') parts.push(`algs="${DPOP_ALGS.join(' ')}"`);
    return `${scheme} ${parts.join(', ')}`;
  }
}

// Opaque tokens from oidc-provider are 43 base64url characters; anything far off is not worth a lookup.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

// The DPoP proof of a request, from its single DPoP header (RFC 9449 §4.3 step 1).
function dpopHeader(ctx: Koa.Context): string | undefined {
  const values = ctx.req.headersDistinct.dpop;
  return values?.length === 1 ? values[0] : undefined;
}

export function bearerAuth(deps: {
  pool: Pool;
  audience: string;
  /** the public URL of the provider: proofs name `${issuer}${path}`, whatever Host the request had */
  issuer: string;
  /** the data scope the route serves, if any: its row is read with the token */
  dataScope: string | null;
}): Koa.Middleware {
  const { pool, audience, issuer, dataScope } = deps;
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
    const match = /^(Bearer|DPoP) ([^\s]+)$/i.exec(header);
    if (!match?.[1] || !match[2]) {
      throw new BearerError(401, 'invalid_request', 'malformed Authorization header');
    }
    const scheme: AuthScheme = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const value = match[2];
    const invalid = (why: string) => new BearerError(401, 'invalid_token', why, undefined, scheme);
    const badProof = (why: string) => new BearerError(401, 'invalid_dpop_proof', why, undefined, 'DPoP');
    if (!TOKEN_SHAPE.test(value)) throw invalid('the access token is invalid');

    // The proof is checked before the token is looked up: it costs no database round trip.
    let proof: Awaited<ReturnType<typeof verifyDpopProof>> | undefined;
    if (scheme === 'DPoP') {
      const jwt = dpopHeader(ctx);
      if (!jwt) throw badProof('exactly one DPoP proof is required with the DPoP scheme');
      try {
        proof = await verifyDpopProof(jwt, {
          method: ctx.method,
          url: `${issuer}${ctx.path}`,
          accessToken: value,
        });
      } catch (err) {
        if (err instanceof DpopProofError) throw badProof(err.message);
        throw err;
      }
    }

    const row = await guarded(() => findApiCaller(pool, storedId('AccessToken', value), dataScope));
    // The payload is read as oidc-provider stored it, by the module that holds that contract.
    const token = row && readStoredAccessToken(row.token);
    if (!row || !token) throw invalid('the access token is invalid or expired');
    // Before any refusal, so that a browser app can read why it was refused.
    allowAppOrigin(ctx, row.public_redirect_uris);
    // RFC 9700 §2.3: a token meant for another resource server is refused. Without an audience, a token is for the provider's own endpoints
    // (oidc-provider's userinfo accepts only those), and the API is one of them: see one-token.ts.
    if (token.aud !== undefined && token.aud !== audience) {
      throw invalid(`the access token is for ${String(token.aud)}, not for this API (${audience})`);
    }
    if (!sessionBindingHolds(row, token))
      throw invalid('the session the access token was bound to has ended');
    if (token.otherBinding) throw invalid('this kind of sender-constrained token is not accepted here');
    if (token.jkt) {
      if (!proof) {
        throw new BearerError(
          401,
          'invalid_token',
          'the access token is DPoP-bound: present it with the DPoP scheme and a DPoP proof',
          undefined,
          'DPoP',
        );
      }
      // RFC 9449 §7.1's "invalid DPoP key binding" is an invalid_token.
      if (proof.jkt !== token.jkt)
        throw invalid('the DPoP proof is not signed by the key the token is bound to');
    } else if (proof) {
      throw invalid('the access token is not DPoP-bound: present it with the Bearer scheme');
    }

    if (row.client_status !== 'active') {
      throw invalid(
        row.client_status
          ? `the application is ${row.client_status}, not active`
          : 'the application no longer exists',
      );
    }
    // Issued only DPoP-bound (dpop_bound_access_tokens); checked again here all the same.
    if (row.client_high_assurance && !token.jkt)
      throw invalid('this application’s tokens must be DPoP-bound');
    // The grant must still exist, as oidc-provider checks for userinfo and introspection: a code replay
    // deletes it, possibly before the winning redemption has saved its access token.
    if (!grantHolds(row, token)) throw invalid('the grant behind the access token was revoked');
    if (!row.consent_fields || !row.consent_granted_at || !row.consent_expires_at) {
      throw invalid('the consent was withdrawn or has expired');
    }
    // Last of all, so that a refused request does not use a proof up.
    if (
      proof &&
      !(await guarded(() => recordDpopJti(pool, proof.jkt, proof.jti, DPOP_JTI_LIFETIME_SECONDS)))
    ) {
      throw badProof('the DPoP proof was already used');
    }

    ctx.state.caller = {
      accountId: token.accountId,
      clientId: token.clientId,
      tokenScopes: new Set((token.aud === undefined ? token.apiScope : token.scope).split(' ')),
      oidcScopes: new Set(token.aud === undefined ? token.scope.split(' ') : []),
      registeredScopes: new Set(row.client_scopes ?? []),
      consent: {
        fields: row.consent_fields,
        granted_at: new Date(row.consent_granted_at),
        expires_at: new Date(row.consent_expires_at),
      },
      data: row.data,
      scheme,
    };
    await next();
  };
}
