// The jobseeker's own pages: view-models of their consents, their history and who read their data,
// the readable « Mes données » page and the export of everything we hold about them.
import { fieldChoices } from '../catalog/field-choices.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { sharedDataFields } from '../consents/consent-fields.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { clientNotice } from '../interactions/consent-page-model.ts';
import { findAllJobseekerData, findJobseekerById } from '../profiles/jobseeker-queries.ts';
import { deletionStates } from '../ssf/deletion-queries.ts';
import {
  accessLogPage,
  type ConsentWithClient,
  listConsentEvents,
  listConsents,
  readStats,
} from './dashboard-queries.ts';
import { dataExport } from './data-export.ts';
import { deletionView, WITHDRAWALS } from './deletion-view.ts';
import { myDataPage } from './my-data-page.ts';
import { findSharingReview } from './sharing-review-queries.ts';
import { stillSharingDue, stillSharingView } from './still-sharing.ts';

const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
const moment = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});
const SOON_MS = 30 * 86_400_000;
const PAGE_SIZE = 50;

export const EVENT_LABELS: Record<string, string> = {
  granted: 'Accord donné',
  extended: 'Accord prolongé',
  narrowed: 'Accord réduit',
  revoked: 'Accord retiré',
  expired: 'Accord arrivé à échéance',
};

// Each page takes the connection to read from (`db`): the primary, or a replica that has replayed
// the jobseeker's own last change (src/db/read-routing.ts, chosen by the route). The default is the
// primary.
export function createDashboardService(deps: {
  pool: Pool;
  catalog: Catalog;
  accessLogRetentionDays: number;
}) {
  const { pool, catalog } = deps;
  const retention = deps.accessLogRetentionDays;

  const fieldLabel = (key: string) => {
    const found = catalog.field(key);
    return found ? `${found.field.label} (${found.scope.title})` : key;
  };

  // Granted fields grouped by scope in catalog order, a code folded into the field it travels with
  // (one checkbox for both, as on the consent page); the pairwise identifier is implicit.
  function groupFields(keys: readonly string[]) {
    const granted = new Set(keys);
    return catalog.scopes
      .filter((s) => s.id !== 'openid')
      .map((scope) => ({
        id: scope.id,
        title: scope.title,
        fields: fieldChoices(scope, granted).map((c) => ({
          key: c.key,
          label: c.field.label,
          travellers: c.travellers.map((f) => f.label),
          inputId: `f-${scope.id}-${c.field.id}`,
        })),
      }))
      .filter((group) => group.fields.length);
  }

  function card(c: ConsentWithClient, stats: Awaited<ReturnType<typeof readStats>>, now: number) {
    const active = c.status === 'active' && c.expires_at.getTime() > now;
    const status = active ? 'active' : c.status === 'revoked' ? 'revoked' : 'expired';
    return {
      id: c.id,
      active,
      status,
      statusLabel: { active: 'Active', revoked: 'Retirée', expired: 'Expirée' }[status],
      client: {
        id: c.client_id,
        ...clientNotice({ ...c, name: c.client_name, description: c.client_description }),
      },
      grantedOn: day.format(c.granted_at),
      expiresOn: day.format(c.expires_at),
      endedOn: c.revoked_at ? day.format(c.revoked_at) : day.format(c.expires_at),
      expiresSoon: active && c.expires_at.getTime() - now < SOON_MS,
      scopes: groupFields(c.fields).map((group) => {
        const stat = stats.find((s) => s.client_id === c.client_id && s.scope === group.id);
        return {
          ...group,
          lastRead: stat ? moment.format(stat.last_read) : undefined,
          reads30d: stat?.reads_30d ?? 0,
        };
      }),
    };
  }

  return {
    async consentsPage(jobseekerId: string, db: Queryable = pool) {
      const [consents, stats] = await Promise.all([
        listConsents(db, jobseekerId),
        readStats(db, jobseekerId, retention),
      ]);
      const now = Date.now();
      const cards = consents.map((c) => card(c, stats, now));
      const active = cards.filter((c) => c.active);
      // « Ce que vous partagez encore » (still-sharing.ts), when it is due.
      const reminder = stillSharingDue(
        consents.filter((c) => c.status === 'active' && c.expires_at.getTime() > now),
        await findSharingReview(db, jobseekerId),
        now,
      );
      return {
        active,
        past: cards.filter((c) => !c.active),
        stillSharing: reminder.due ? stillSharingView(active, reminder.expiring) : undefined,
      };
    },

    async consentCard(jobseekerId: string, consentId: string, db: Queryable = pool) {
      const page = await this.consentsPage(jobseekerId, db);
      const found = [...page.active, ...page.past].find((c) => c.id === consentId);
      if (!found) throw new AppError(404, 'not_found', 'Cette autorisation est introuvable.');
      return found;
    },

    /** The apps « Retirer tous mes accords » would cut off, with what each receives and its contact. */
    async revokeAllPage(jobseekerId: string, db: Queryable = pool) {
      const { active } = await this.consentsPage(jobseekerId, db);
      return { consents: active };
    },

    /** Widens a kept set with the fields that travel with each kept field (a code with its label). */
    withTravellers: (keys: string[]) => catalog.withTravellers(keys),

    async myDataPage(jobseekerId: string, db: Queryable = pool) {
      const [jobseeker, data] = await Promise.all([
        findJobseekerById(db, jobseekerId),
        findAllJobseekerData(db, jobseekerId),
      ]);
      if (!jobseeker) throw new AppError(404, 'not_found', 'Compte introuvable.');
      return myDataPage(catalog, jobseeker, data);
    },

    async historyPage(jobseekerId: string, consentId: string, db: Queryable = pool) {
      const consent = await this.consentCard(jobseekerId, consentId, db);
      const events = await listConsentEvents(db, jobseekerId, consentId);
      const deletions = new Map(
        (
          await deletionStates(
            db,
            events.filter((e) => WITHDRAWALS.has(e.kind)).map((e) => e.id),
          )
        ).map((d) => [d.consent_event_id, d]),
      );
      return {
        consent,
        events: events.map((e) => ({
          id: e.id,
          deletion: deletionView(deletions.get(e.id)),
          kind: e.kind,
          label: EVENT_LABELS[e.kind] ?? e.kind,
          at: moment.format(e.created_at),
          by:
            e.actor === 'jobseeker' ? 'vous' : e.actor === 'system' ? 'automatiquement' : 'l’administration',
          added: sharedDataFields(e.fields_added).map(fieldLabel),
          removed: sharedDataFields(e.fields_removed).map(fieldLabel),
          textsHash: e.texts_hash,
          texts: e.texts ? readableTexts(e.texts, catalog) : undefined,
        })),
      };
    },

    async accessLogPage(jobseekerId: string, cursor: string | undefined, db: Queryable = pool) {
      const before = parseCursor(cursor);
      const rows = await accessLogPage(db, jobseekerId, before, PAGE_SIZE + 1, retention);
      const page = rows.slice(0, PAGE_SIZE);
      const last = page.at(-1);
      return {
        entries: page.map((r) => ({
          at: moment.format(r.read_at),
          client: r.client_name ?? 'Application supprimée',
          // A read through a Pôle emploi Connect API (src/legacy-api) names it.
          via: r.api ?? undefined,
          scope: catalog.byId.get(r.scope)?.title ?? r.scope,
          fields: r.fields.map((f) => catalog.field(`${r.scope}.${f}`)?.field.label ?? f),
        })),
        next: rows.length > PAGE_SIZE && last ? `${last.read_at.toISOString()}_${last.id}` : undefined,
        first: !before,
      };
    },

    /** GDPR Art. 15 and 20: everything we hold about the jobseeker, in a documented JSON schema. */
    export: (jobseekerId: string, db: Queryable = pool) => dataExport(db, jobseekerId, retention),
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;

function parseCursor(cursor: string | undefined): { readAt: Date; id: string } | undefined {
  // An id of at most 18 digits: within bigint, whose range a 19-digit value may exceed.
  const match = cursor ? /^(\d{4}-\d\d-\d\dT[\d:.]+Z)_(\d{1,18})$/.exec(cursor) : null;
  if (!match) return undefined;
  const readAt = new Date(match[1] as string);
  return Number.isNaN(readAt.getTime()) ? undefined : { readAt, id: match[2] as string };
}

interface StoredTexts {
  catalog?: {
    scopes?: Record<
      string,
      {
        title?: string;
        explanation?: string;
        fields?: Record<string, { label?: string; description?: string }>;
      }
    >;
  };
  purposes?: Record<string, string>;
}

// The texts a consent was given on (stored as consent-service.ts wrote them), as a person reads them:
// each scope's title and explanation, the app's purpose, and each field's label and description.
// Older or unexpected shapes show what can be read and nothing else. Scopes come in the order of the
// consent page (the catalog's), not the stored (alphabetical) one.
function readableTexts(texts: unknown, catalog: Catalog) {
  const stored = (texts ?? {}) as StoredTexts;
  const position = (id: string) => {
    const at = catalog.scopes.findIndex((s) => s.id === id);
    return at < 0 ? catalog.scopes.length : at;
  };
  const scopes = Object.entries(stored.catalog?.scopes ?? {}).sort(([a], [b]) => position(a) - position(b));
  return scopes.map(([id, scope]) => ({
    title: String(scope.title ?? id),
    explanation: scope.explanation ? String(scope.explanation) : undefined,
    purpose: stored.purposes?.[id] ? String(stored.purposes[id]) : undefined,
    fields: Object.values(scope.fields ?? {}).map((f) => ({
      label: String(f.label ?? ''),
      description: String(f.description ?? ''),
    })),
  }));
}
