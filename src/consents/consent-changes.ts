// What a jobseeker (or time) does to an existing consent: narrow, revoke, renew, expire. Each change
// is one transaction that also appends its consent event; concurrent changes to one consent serialise
// on the row lock, so the final state is consistent and every event is recorded once.
// Revoking deletes the app's tokens and oidc-provider grant in the same transaction: the access and
// refresh tokens stop working at once, on every instance. It goes by the (jobseeker, app) pair, not
// only by the Grant the consent names: two first authorizations racing can each have built a Grant and
// issued tokens from it, while the consent names one (consent-grant.ts); expiry does the same, and a
// narrowing deletes such a stray Grant, whose tokens would keep the `scope` taken back.
// An expired consent (status 'expired', set by the expiry job) can still be revoked: the revocation is
// recorded, removing nothing, as the expiry already recorded what it took back. Narrowing and renewing rewrite the Grant
// from the record once the change is committed, so the `scope` of the app's tokens, refreshes and
// introspection loses a taken-back scope at once; a lost write is repaired at the next authorization,
// and no field is released on the Grant alone (every release checks the live record).
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { destroyByGrantId, destroyPairGrants } from '../oidc/oidc-model-queries.ts';
import {
  expireDueConsents,
  extendConsent,
  lockOwnActiveConsents,
  lockOwnConsent,
  markConsentRevoked,
  setConsentFields,
} from './consent-change-queries.ts';
import { SUBJECT_FIELD } from './consent-fields.ts';
import { isLive } from './consent-policy.ts';
import { type ConsentRow, insertConsentEvent } from './consent-queries.ts';

/** Brings the app's oidc-provider Grant into line with a changed consent (grant-builder.ts). */
export interface GrantFollower {
  follow(
    grantId: string | null,
    image: { accountId: string; clientId: string; fields: string[]; refused: string[]; expiresAt: Date },
  ): Promise<void>;
}

const notFound = () => new AppError(404, 'not_found', 'Cette autorisation est introuvable.');

export function createConsentChanges(deps: {
  pool: Pool;
  durationDays: (clientId: string) => Promise<number>;
  grants: GrantFollower;
}) {
  const { pool, grants } = deps;

  const follow = (consent: ConsentRow, refused: string[] = []) =>
    grants.follow(consent.grant_id, {
      accountId: consent.jobseeker_id,
      clientId: consent.client_id,
      fields: consent.fields,
      refused,
      expiresAt: consent.expires_at,
    });

  async function mutate<T>(
    jobseekerId: string,
    consentId: string,
    change: (db: import('pg').PoolClient, consent: ConsentRow) => Promise<T>,
  ) {
    return withTransaction(pool, async (db) => {
      const consent = await lockOwnConsent(db, jobseekerId, consentId);
      if (!consent) throw notFound();
      return change(db, consent);
    });
  }

  // Every Grant of the consent's pair and all their tokens (see the top of this file).
  async function destroyTokensOf(db: import('pg').PoolClient, consent: ConsentRow) {
    if (consent.grant_id) await destroyByGrantId(db, consent.grant_id);
    await destroyPairGrants(db, consent.jobseeker_id, consent.client_id);
  }

  // One revocation on a locked row: the consent, the app's tokens and grants, and its event.
  async function revokeLocked(
    db: import('pg').PoolClient,
    jobseekerId: string,
    consent: ConsentRow,
    requestId: string | undefined,
    actor: string,
  ) {
    await markConsentRevoked(db, consent.id);
    await destroyTokensOf(db, consent);
    await insertConsentEvent(db, {
      consentId: consent.id,
      jobseekerId,
      clientId: consent.client_id,
      kind: 'revoked',
      fieldsAdded: [],
      // 'expired' (and past its date) released nothing any more: the expiry's event removed it all.
      fieldsRemoved: consent.status === 'active' ? consent.fields : [],
      fieldsAfter: [],
      textsHash: consent.texts_hash,
      actor,
      requestId,
    });
  }

  return {
    /** Keeps only `keep` among the granted fields; never adds any (widening goes through the app). */
    async narrow(jobseekerId: string, consentId: string, keep: string[], requestId?: string) {
      const outcome = await mutate(jobseekerId, consentId, async (db, consent) => {
        if (!isLive(consent))
          throw new AppError(409, 'consent_not_active', 'Cette autorisation n’est plus active.');
        // The app's own identifier for the person stays while a consent lives: without it there is no consent.
        const wanted = new Set([...keep, SUBJECT_FIELD]);
        const after = consent.fields.filter((key) => wanted.has(key));
        const removed = consent.fields.filter((key) => !wanted.has(key));
        // A Grant of the pair other than the consent's own (a racing first authorization's) would
        // keep the taken-back scope in its tokens' refreshes: it goes, with them. Also when nothing
        // changed, as the Grant is repaired below.
        await destroyPairGrants(db, jobseekerId, consent.client_id, consent.grant_id);
        if (!removed.length) return { changed: false, consent, removed };
        await setConsentFields(db, consent.id, after);
        await insertConsentEvent(db, {
          consentId: consent.id,
          jobseekerId,
          clientId: consent.client_id,
          kind: 'narrowed',
          fieldsAdded: [],
          fieldsRemoved: removed,
          fieldsAfter: after,
          textsHash: consent.texts_hash,
          actor: 'jobseeker',
          requestId,
        });
        return { changed: true, consent: { ...consent, fields: after }, removed };
      });
      // Also when nothing changed: submitting again repairs a Grant whose last write was lost.
      await follow(outcome.consent, outcome.removed);
      return { changed: outcome.changed };
    },

    revoke: (jobseekerId: string, consentId: string, requestId?: string, actor = 'jobseeker') =>
      mutate(jobseekerId, consentId, async (db, consent) => {
        if (consent.status === 'revoked') return { changed: false };
        await revokeLocked(db, jobseekerId, consent, requestId, actor);
        return { changed: true };
      }),

    /**
     * « Retirer tous mes accords »: every active consent, in one transaction, each recorded
     * with its own event exactly as a single revocation is. Returns how many were revoked.
     */
    revokeAll: (jobseekerId: string, requestId?: string) =>
      withTransaction(pool, async (db) => {
        const consents = await lockOwnActiveConsents(db, jobseekerId);
        for (const consent of consents) await revokeLocked(db, jobseekerId, consent, requestId, 'jobseeker');
        return { revoked: consents.length };
      }),

    async renew(jobseekerId: string, consentId: string, requestId?: string) {
      const renewed = await mutate(jobseekerId, consentId, async (db, consent) => {
        if (!isLive(consent))
          throw new AppError(
            409,
            'consent_not_active',
            'Cette autorisation n’est plus active : l’application doit vous la redemander.',
          );
        const extended = await extendConsent(db, consent.id, await deps.durationDays(consent.client_id));
        await insertConsentEvent(db, {
          consentId: consent.id,
          jobseekerId,
          clientId: consent.client_id,
          kind: 'extended',
          fieldsAdded: [],
          fieldsRemoved: [],
          fieldsAfter: consent.fields,
          textsHash: consent.texts_hash,
          actor: 'jobseeker',
          requestId,
        });
        return { ...consent, expires_at: extended.expires_at };
      });
      // The Grant lives as long as the consent.
      await follow(renewed);
      return { changed: true, expiresAt: renewed.expires_at };
    },

    /** Records the expiry of consents past their date (the API already refuses them). */
    async expireDue(batch = 500): Promise<number> {
      return withTransaction(pool, async (db) => {
        const expired = await expireDueConsents(db, batch);
        for (const consent of expired) {
          await destroyTokensOf(db, consent);
          await insertConsentEvent(db, {
            consentId: consent.id,
            jobseekerId: consent.jobseeker_id,
            clientId: consent.client_id,
            kind: 'expired',
            fieldsAdded: [],
            fieldsRemoved: consent.fields,
            fieldsAfter: [],
            textsHash: consent.texts_hash,
            actor: 'system',
          });
        }
        return expired.length;
      });
    },
  };
}

export type ConsentChanges = ReturnType<typeof createConsentChanges>;
