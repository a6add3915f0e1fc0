// Usage and consent-health figures of one app, from what is already recorded: the consent events
// (append-only), the consents' current states and the access log. Counts only: no statement here
// returns a jobseeker id, a field value or anything that tells one person from another. Days are
// Paris days. The fields a consent page showed are those of the texts it showed (consent_texts:
// { catalog: { scopes: { <scope>: { fields: { <field>: … } } } }, purposes }).
import { liveConsent } from '../consents/consent-queries.ts';
import type { Queryable } from '../db/pool.ts';

export interface EventsPerDay {
  day: string;
  kind: 'granted' | 'extended' | 'narrowed' | 'revoked' | 'expired';
  /** granted or extended with every field shown ticked */
  full: boolean;
  n: number;
}

const parisDay = (column: string) => `to_char((${column} AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD')`;

export async function eventsPerDay(db: Queryable, clientId: string, days: number): Promise<EventsPerDay[]> {
  const { rows } = await db.query<EventsPerDay>(
    `SELECT ${parisDay('e.created_at')} AS day, e.kind,
            (t.texts IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM jsonb_each(t.texts->'catalog'->'scopes') s, jsonb_each(s.value->'fields') f
               WHERE NOT (s.key || '.' || f.key) = ANY (e.fields_after))) AS full,
            count(*)::int AS n
       FROM consent_events e LEFT JOIN consent_texts t ON t.hash = e.texts_hash
      WHERE e.client_id = $1 AND e.created_at >= now() - make_interval(days => $2)
      GROUP BY 1, 2, 3`,
    [clientId, days],
  );
  return rows;
}

/** For each field shown on the consent page: how many consent decisions showed it, and declined it. */
export async function declinedPerField(db: Queryable, clientId: string, days: number) {
  const { rows } = await db.query<{ field: string; shown: number; declined: number }>(
    `SELECT s.key || '.' || f.key AS field, count(*)::int AS shown,
            count(*) FILTER (WHERE NOT (s.key || '.' || f.key) = ANY (e.fields_after))::int AS declined
       FROM consent_events e JOIN consent_texts t ON t.hash = e.texts_hash,
            jsonb_each(t.texts->'catalog'->'scopes') s, jsonb_each(s.value->'fields') f
      WHERE e.client_id = $1 AND e.kind IN ('granted', 'extended')
        AND e.created_at >= now() - make_interval(days => $2)
      GROUP BY 1 ORDER BY 1`,
    [clientId, days],
  );
  return rows;
}

/** The app's consents as they stand: active (of which narrowed at least once), revoked, expired. */
export async function consentStates(db: Queryable, clientId: string) {
  const { rows } = await db.query<{ active: number; narrowed: number; revoked: number; expired: number }>(
    `SELECT count(*) FILTER (WHERE ${liveConsent('c')})::int AS active,
            count(*) FILTER (WHERE ${liveConsent('c')} AND EXISTS (
              SELECT 1 FROM consent_events e WHERE e.consent_id = c.id AND e.kind = 'narrowed'))::int AS narrowed,
            count(*) FILTER (WHERE c.status = 'revoked')::int AS revoked,
            count(*) FILTER (WHERE c.status = 'expired' OR (c.status = 'active' AND c.expires_at <= now()))::int AS expired
       FROM consents c WHERE c.client_id = $1`,
    [clientId],
  );
  return rows[0] ?? { active: 0, narrowed: 0, revoked: 0, expired: 0 };
}

export async function readsPerDay(db: Queryable, clientId: string, days: number) {
  const { rows } = await db.query<{ day: string; scope: string; n: number }>(
    `SELECT ${parisDay('read_at')} AS day, scope, count(*)::int AS n
       FROM access_log WHERE client_id = $1 AND read_at >= now() - make_interval(days => $2)
      GROUP BY 1, 2`,
    [clientId, days],
  );
  return rows;
}
