// Consent decisions, each in one transaction with its append-only event. Guarantees:
// - only fields that were actually requested can be granted (a forged form adds nothing);
// - a double submission of one consent form records one event;
// - concurrent changes to one consent serialise on its row lock.
import { type Catalog, hashTexts } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { isLive } from './consent-policy.ts';
import {
  type ConsentRow,
  findConsent,
  findLiveConsent,
  findLiveTextsCheck,
  insertConsent,
  insertConsentEvent,
  lockConsent,
  lockConsentSavingTexts,
  setConsentGrantId,
  updateConsentGrant,
} from './consent-queries.ts';

export interface GrantDecision {
  jobseekerId: string;
  clientId: string;
  /** every '<scope>.<field>' the consent page showed */
  requested: string[];
  /** the ticked boxes, as submitted */
  ticked: string[];
  /** the app's purpose text per data scope, shown next to the fields */
  purposes: Record<string, string>;
  durationDays: number;
  interactionUid: string;
  requestId?: string;
}

class DuplicateSubmission extends Error {}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

export function createConsentService(deps: { pool: Pool; catalog: Catalog }) {
  const { pool, catalog } = deps;

  // The texts a jobseeker saw: the catalog's wording for the fields shown plus the app's purposes.
  // Pure while the process runs (the catalog is loaded once), and asked for twice per authorization
  // (the interaction check, the decision): kept for a bounded number of (fields, purposes) pairs.
  const shownCache = new Map<string, { texts: object; hash: string }>();
  function textsShown(requested: string[], purposes: Record<string, string>) {
    const scopes = new Set(requested.map((key) => key.split('.')[0] as string));
    const shownPurposes = Object.fromEntries(
      Object.entries(purposes)
        .filter(([scope]) => scopes.has(scope))
        .sort(),
    );
    const key = JSON.stringify([sorted(requested), shownPurposes]);
    const known = shownCache.get(key);
    if (known) return known;
    const texts = { catalog: catalog.textsFor(requested), purposes: shownPurposes };
    // Canonical JSON (keys sorted at every level): the hash can be recomputed from the stored jsonb.
    const shown = { texts, hash: hashTexts(texts) };
    if (shownCache.size >= 1_000) shownCache.clear();
    shownCache.set(key, shown);
    return shown;
  }

  return {
    textsShown,

    findLive: (jobseekerId: string, clientId: string) => findLiveConsent(pool, jobseekerId, clientId),

    /** The app's scopes and purposes and the texts hash of the live consent, in one round trip. */
    liveTextsCheck: (jobseekerId: string, clientId: string) =>
      findLiveTextsCheck(pool, jobseekerId, clientId),

    /** Records what the jobseeker ticked; returns the consent as it now stands. */
    async grant(d: GrantDecision): Promise<ConsentRow> {
      const requested = new Set(d.requested.filter((key) => catalog.fieldKeys.has(key)));
      const ticked = sorted(d.ticked.filter((key) => requested.has(key)));
      const { texts, hash } = textsShown([...requested], d.purposes);
      try {
        return await withTransaction(pool, async (db) => {
          const current = await lockConsentSavingTexts(db, { ...d, textsHash: hash, texts });
          const live = current !== undefined && isLive(current);
          // Fields of scopes not on this page stay as they were; those on it take the new answer.
          const kept = live ? current.fields.filter((key) => !requested.has(key)) : [];
          const after = sorted([...kept, ...ticked]);
          const before = live ? current.fields : [];
          const added = after.filter((key) => !before.includes(key));
          const removed = before.filter((key) => !after.includes(key));
          const consent = current
            ? await updateConsentGrant(db, current.id, {
                fields: after,
                textsHash: hash,
                durationDays: d.durationDays,
                renewed: !live,
              })
            : ((await insertConsent(db, { ...d, fields: after, textsHash: hash })) ??
              ((await lockConsent(db, d.jobseekerId, d.clientId)) as ConsentRow));
          const kind = added.length ? 'granted' : removed.length ? 'narrowed' : 'extended';
          const recorded = await insertConsentEvent(db, {
            consentId: consent.id,
            jobseekerId: d.jobseekerId,
            clientId: d.clientId,
            kind,
            fieldsAdded: added,
            fieldsRemoved: removed,
            fieldsAfter: after,
            textsHash: hash,
            actor: 'jobseeker',
            requestId: d.requestId,
            interactionUid: d.interactionUid,
          });
          if (!recorded) throw new DuplicateSubmission();
          return consent;
        });
      } catch (err) {
        if (!(err instanceof DuplicateSubmission)) throw err;
        return (await findConsent(pool, d.jobseekerId, d.clientId)) as ConsentRow;
      }
    },

    attachGrant: (consentId: string, grantId: string) => setConsentGrantId(pool, consentId, grantId),
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
