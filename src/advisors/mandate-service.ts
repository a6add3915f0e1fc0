// The jobseeker's mandate to their advisor (issue 16): a consent like an app's, whose recipient is the
// advisor. Per field, with the consent page's blocks and choices (../interactions/consent-page-model.ts),
// nothing chosen in advance, for a duration the jobseeker picks (3 months by default, 12 at most).
// Every change is one transaction with its consent event and the texts shown — the catalog's wording,
// the purposes, the advisor named, the duration and the sentence that refusing changes nothing — in
// the same tables as an app's consent. A mandate names its advisor: after a reassignment the new
// advisor has none until the jobseeker agrees again (portfolio-import.ts withdraws the old one).
import { type Catalog, hashTexts } from '../catalog/load-catalog.ts';
import type { ConsentChanges } from '../consents/consent-changes.ts';
import { isLive } from '../consents/consent-policy.ts';
import { insertConsentEvent } from '../consents/consent-queries.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { consentPageModel } from '../interactions/consent-page-model.ts';
import { findConsentPageData } from '../interactions/consent-page-queries.ts';
import {
  findMandate,
  insertMandate,
  lockMandateSavingTexts,
  type MandateRow,
  revokeMandate,
  updateMandate,
} from './mandate-queries.ts';
import { findAssignedAdvisor } from './portfolio-queries.ts';

export const DEFAULT_MONTHS = 3;
export const MAX_MONTHS = 12;

/** Said on the page and kept in the texts of every mandate event. */
export const FREEDOM =
  'Refuser ou retirer ce mandat ne change rien à vos droits, à vos allocations ni à votre accompagnement par Pôle emploi.';
export const GENERAL_PURPOSE =
  'Votre conseiller lit seulement ce que vous cochez, pour préparer vos rendez-vous : faire le point sur votre projet, repérer ce qui manque et construire avec vous un plan d’action. Il ne peut ni exporter ni modifier vos données.';

// Why the advisor would read each block, in plain words.
const PURPOSES: Record<string, string> = {
  projet: 'Comprendre le métier que vous cherchez, où, et quand vous êtes disponible.',
  competences: 'Voir si vos compétences correspondent au métier recherché.',
  experiences: 'Relier votre parcours au métier recherché.',
  formations: 'Repérer une formation utile ou un diplôme à valoriser.',
  langues: 'Proposer des offres ou des formations qui demandent une langue.',
  permis: 'Tenir compte de vos possibilités de déplacement.',
  statut: 'Connaître votre situation d’inscription.',
  indemnisation: 'Tenir compte de votre indemnisation dans votre plan d’action.',
};

const ADVISOR_MARKS: Record<string, string> = {
  financial:
    'Une donnée financière dit quelles aides ou quels revenus vous recevez : ne la confiez que si votre conseiller en a vraiment besoin pour vous accompagner.',
  special_category:
    'Une donnée sensible touche à votre santé, à vos origines ou à vos convictions : la loi la protège davantage, ne la confiez que si votre conseiller en a vraiment besoin pour vous accompagner.',
};

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

class DuplicateSubmission extends Error {}

export function createMandateService(deps: { pool: Pool; catalog: Catalog; changes: ConsentChanges }) {
  const { pool, catalog, changes } = deps;
  const offeredScopes = catalog.dataScopes.filter((s) => PURPOSES[s.id]);
  const offeredFields = offeredScopes.flatMap((s) => s.fields.map((f) => `${s.id}.${f.id}`));
  const purposes = Object.fromEntries(offeredScopes.map((s) => [s.id, PURPOSES[s.id] as string]));

  function textsShown(advisor: { advisor_id: string; display_name: string; agency: string }, months: number) {
    const texts = {
      catalog: catalog.textsFor(offeredFields),
      purposes,
      mandate: {
        advisor: `${advisor.display_name}, ${advisor.agency}`,
        purpose: GENERAL_PURPOSE,
        freedom: FREEDOM,
        months,
      },
    };
    return { texts, hash: hashTexts(texts) };
  }

  async function advisorOf(jobseekerId: string) {
    const advisor = await findAssignedAdvisor(pool, jobseekerId);
    if (!advisor) throw new AppError(404, 'not_found', 'Aucun conseiller ne vous est attribué.');
    return advisor;
  }

  const live = (m: MandateRow | undefined) => m !== undefined && isLive(m);

  // One decision in one transaction with its event (the transaction is undone for a duplicate form).
  async function record(
    jobseekerId: string,
    advisor: { advisor_id: string },
    after: string[],
    months: number,
    texts: object,
    hash: string,
    requestId?: string,
    formId?: string,
  ) {
    return withTransaction(pool, async (db) => {
      const current = await lockMandateSavingTexts(db, {
        jobseekerId,
        advisorId: advisor.advisor_id,
        textsHash: hash,
        texts,
      });
      const wasLive = live(current);
      const before = wasLive && current ? current.fields : [];
      if (!after.length) {
        if (!current || !wasLive) return { outcome: 'nothing' as const };
        await revokeMandate(db, current, 'jobseeker', requestId);
        return { outcome: 'withdrawn' as const };
      }
      const mandate = current
        ? await updateMandate(db, current.id, { fields: after, textsHash: hash, months, renewed: !wasLive })
        : ((await insertMandate(db, {
            jobseekerId,
            advisorId: advisor.advisor_id,
            fields: after,
            textsHash: hash,
            months,
          })) as MandateRow);
      const added = after.filter((key) => !before.includes(key));
      const removed = before.filter((key) => !after.includes(key));
      const recorded = await insertConsentEvent(db, {
        consentId: mandate.id,
        jobseekerId,
        clientId: null,
        kind: added.length ? 'granted' : removed.length ? 'narrowed' : 'extended',
        fieldsAdded: added,
        fieldsRemoved: removed,
        fieldsAfter: after,
        textsHash: hash,
        actor: 'jobseeker',
        requestId,
        interactionUid: formId ? `mandate:${formId}` : undefined,
      });
      // The same form again (a double click, two tabs): nothing is changed, nothing recorded.
      if (!recorded) throw new DuplicateSubmission();
      return {
        outcome: added.length
          ? ('given' as const)
          : removed.length
            ? ('narrowed' as const)
            : ('renewed' as const),
        mandate,
      };
    });
  }

  return {
    offeredFields,
    purposes,

    /** "Mon conseiller": the advisor, the mandate as it stands, and the consent page's blocks. */
    async page(jobseekerId: string) {
      const advisor = await findAssignedAdvisor(pool, jobseekerId);
      if (!advisor) return { advisor: undefined };
      const mandate = await findMandate(pool, jobseekerId, advisor.advisor_id);
      const data = await findConsentPageData(pool, jobseekerId, '');
      const model = consentPageModel({
        catalog,
        client: {
          name: advisor.display_name,
          description: `Votre conseiller Pôle emploi, agence ${advisor.agency}.`,
          operator_name: 'Pôle emploi',
          website: null,
          policy_uri: null,
          contact_email: null,
          scopes: offeredScopes.map((s) => s.id),
          purposes,
        },
        scope: offeredScopes.map((s) => s.id).join(' '),
        live: live(mandate) ? mandate : undefined,
        claims: data?.claims ?? {},
        data: data?.data ?? {},
        durationDays: DEFAULT_MONTHS * 30,
        offlineAccess: false,
      });
      // The marks' shared sentences speak of an app; here the data goes to the advisor.
      const marks = model.marks.map((m) => ({ ...m, explanation: ADVISOR_MARKS[m.kind] ?? m.explanation }));
      return { advisor, mandate, live: live(mandate), model: { ...model, marks, openid: undefined } };
    },

    /**
     * Gives, widens, narrows or renews the mandate in one decision: the ticked fields become the
     * mandate, for `months` from now. Nothing ticked gives nothing (and withdraws a live mandate).
     */
    async give(
      jobseekerId: string,
      ticked: string[],
      months: number,
      requestId?: string,
      /** the form's one-time id: the same form submitted twice records one event */
      formId?: string,
    ) {
      if (!Number.isInteger(months) || months < 1 || months > MAX_MONTHS)
        throw new AppError(400, 'invalid_request', `La durée va de 1 à ${MAX_MONTHS} mois.`);
      const advisor = await advisorOf(jobseekerId);
      const offered = new Set(offeredFields);
      const after = sorted(ticked.filter((key) => offered.has(key)));
      const { texts, hash } = textsShown(advisor, months);
      try {
        return await record(jobseekerId, advisor, after, months, texts, hash, requestId, formId);
      } catch (err) {
        if (!(err instanceof DuplicateSubmission)) throw err;
        return { outcome: 'duplicate' as const };
      }
    },

    /** « Retirer mon mandat »: the consent changes' own revocation, with its event. */
    async withdraw(jobseekerId: string, requestId?: string) {
      const advisor = await advisorOf(jobseekerId);
      const mandate = await findMandate(pool, jobseekerId, advisor.advisor_id);
      if (!mandate) return { changed: false };
      return changes.revoke(jobseekerId, mandate.id, requestId);
    },
  };
}

export type MandateService = ReturnType<typeof createMandateService>;
