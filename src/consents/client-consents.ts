// Every consent given to one app, revoked at once: what deleting the app means for the jobseekers who
// had agreed to share with it. Each revocation goes into the jobseeker's own history (consent_events),
// as a withdrawal made by whoever deleted the app, in the caller's transaction (the app's deletion):
// what it took back and the texts in force, as a jobseeker's own withdrawal records them
// (consent-changes.ts). The app's tokens and Grants go with the app (destroyClientArtifacts).
import type { Queryable } from '../db/pool.ts';
import { markConsentRevoked } from './consent-change-queries.ts';

import { insertConsentEvent, lockActiveConsentsOfClient } from './consent-queries.ts';

/** Revokes every active consent of the app; returns how many. `actor` as consent_events records it. */
export async function revokeClientConsents(
  db: Queryable,
  clientId: string,
  who: { actor: string; requestId?: string },
): Promise<number> {
  const consents = await lockActiveConsentsOfClient(db, clientId);
  for (const consent of consents) {
    await markConsentRevoked(db, consent.id);
    await insertConsentEvent(db, {
      consentId: consent.id,
      jobseekerId: consent.jobseeker_id,
      clientId,
      kind: 'revoked',
      fieldsAdded: [],
      fieldsRemoved: consent.fields,
      fieldsAfter: [],
      textsHash: consent.texts_hash,
      actor: who.actor,
      requestId: who.requestId,
    });
  }
  return consents.length;
}
