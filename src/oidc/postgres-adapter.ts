// oidc-provider's storage contract on one PostgreSQL table (see migrations/001_oidc_models.sql).
// Guarantees:
// - consume() is one conditional UPDATE: of any number of parallel redemptions of a code exactly one
//   succeeds; the others get invalid_grant and the grant the winner received is revoked (RFC 9700 §4.5).
// - find() never returns an expired row; expired rows are deleted in batches by the purge job.
// - a token's find() reads its grant, session and app in the same statement, for the rest of the
//   request (request-prefetch.ts); any write drops what was read ahead.
// - an unreachable database surfaces as a 503 (oidc-provider answers with the error's statusCode).
// - tokens, codes and the browser's session and interaction ids are stored only as hashes, in the
//   row's id and nowhere in its payload (hashed-ids.ts): a copy of the table is no usable token.

import { decodeJwt } from 'jose';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Pool } from '../db/pool.ts';
import { isDatabaseUnavailable, isUnstorableText } from '../db/pool.ts';
import { payloadFromStore, payloadToStore, storedId } from './hashed-ids.ts';
import * as queries from './oidc-model-queries.ts';
import { prefetched } from './request-prefetch.ts';
import { relatedKey, relatedKeys } from './stored-token-reader.ts';

// oidc-provider answers { error: err.message, error_description } with err.statusCode for an exposed
// error, so the message is the OAuth error code (RFC 6749 §4.1.2.1 temporarily_unavailable).
export class ServiceUnavailable extends Error {
  override name = 'ServiceUnavailable';
  statusCode = 503;
  expose = true;
  error = 'temporarily_unavailable';
  error_description = 'le service est momentanément indisponible, réessayez dans quelques instants';
}

// Runs a query, turning a connection failure into a 503 instead of a hang or a 500, and a parameter
// the database cannot store (a NUL character in a `state`, say) into a 400.
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw new ServiceUnavailable('temporarily_unavailable', { cause: err });
    if (isUnstorableText(err))
      throw new errors.InvalidRequest('the request contains characters that are not allowed');
    throw err;
  }
}

function holdsNul(request: unknown): boolean {
  if (typeof request !== 'string') return false;
  const hasNul = (v: unknown): boolean =>
    typeof v === 'string' ? v.includes('\u0000') : Array.isArray(v) && v.some(hasNul);
  try {
    return Object.values(decodeJwt(request)).some(hasNul);
  } catch {
    return false; // not a JWT: oidc-provider's own, never seen in practice; stored as given
  }
}

// Tokens whose lookup also reads their grant and session (request-prefetch.ts), and for access tokens
// their app: codes and refresh tokens are only looked up at the token endpoint, after the app has
// authenticated.
const TOKENS_WITH_RELATED = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode']);

export function createPostgresAdapterClass(pool: Pool) {
  return class PostgresAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      prefetched.clear();
      const key = storedId(this.model, id);
      const stored = payloadToStore(this.model, id, payload);
      // A pushed request keeps its parameters inside a request object (a JWT string), where a NUL
      // character never meets the database's text check that refuses it at /auth: refused alike here,
      // before it is stored, rather than failing later at the authorization.
      if (this.model === 'PushedAuthorizationRequest' && holdsNul(payload.request))
        throw new errors.InvalidRequest('the request contains characters that are not allowed');
      if (this.model === 'ReplayDetection') {
        // oidc-provider records a DPoP proof's or client assertion's jti after looking it up; two
        // parallel requests could both pass the lookup. Insert-only makes the second one fail here.
        const inserted = await guarded(() =>
          queries.insertModelOnce(pool, this.model, key, stored, expiresIn),
        );
        if (!inserted)
          throw new errors.InvalidRequest('this proof or assertion was already used (jti replay)');
        return;
      }
      await guarded(() => queries.upsertModel(pool, this.model, key, stored, expiresIn));
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const key = storedId(this.model, id);
      if (TOKENS_WITH_RELATED.has(this.model)) {
        const withClient = this.model === 'AccessToken';
        const found = await guarded(() => queries.findTokenWithRelated(pool, this.model, key, withClient));
        if (!found) return undefined;
        const keys = relatedKeys(found.payload);
        if (keys.grant) prefetched.put(keys.grant, found.grant);
        // The session as findByUid() returns it: without its id, which the token does not know.
        if (keys.session && found.session !== undefined) prefetched.put(keys.session, found.session);
        if (keys.client && found.client !== undefined) prefetched.put(keys.client, found.client);
        return payloadFromStore(this.model, id, found.payload);
      }
      if (this.model === 'Grant') {
        const kept = prefetched.take<AdapterPayload>(relatedKey.grant(id));
        if (kept.found) return kept.value;
      }
      const stored = await guarded(() => queries.findModel(pool, this.model, 'id', key));
      return stored && payloadFromStore(this.model, id, stored);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Session') {
        const kept = prefetched.take<AdapterPayload>(relatedKey.session(uid));
        if (kept.found) return kept.value;
      }
      // Found by its uid, not by its id: the id is not known here, and not needed (hashed-ids.ts).
      const stored = await guarded(() => queries.findModel(pool, this.model, 'uid', uid));
      return stored && payloadFromStore(this.model, undefined, stored);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return guarded(() => queries.findModel(pool, this.model, 'user_code', userCode));
    }

    async consume(id: string): Promise<void> {
      prefetched.clear();
      const outcome = await guarded(() => queries.consumeModel(pool, this.model, storedId(this.model, id)));
      if (outcome.consumed) return;
      // Lost the race (or a replay): what the first redemption issued is revoked, and this one fails.
      if (outcome.grantId) await guarded(() => queries.destroyByGrantId(pool, outcome.grantId as string));
      throw new errors.InvalidGrant('authorization code already consumed');
    }

    async destroy(id: string): Promise<void> {
      prefetched.clear();
      await guarded(() => queries.destroyModel(pool, this.model, storedId(this.model, id)));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      prefetched.clear();
      // oidc-provider calls this once per model it wants gone, so stay within this model.
      await guarded(() => queries.destroyModelsByGrantId(pool, this.model, grantId));
    }
  };
}
