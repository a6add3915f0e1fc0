// The Emploi Store's reads and the jobseeker's own recommendation choices (migrations 095, 096).
import type { Queryable } from '../db/pool.ts';
import type { Audience } from './audience.ts';

export interface ListedApp {
  id: string;
  name: string;
  description: string;
  operator_name: string;
  website: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  contact_email: string | null;
  scopes: string[];
  purposes: Record<string, string>;
  high_assurance: boolean;
  free_for_jobseekers: boolean;
  category: string | null;
  start_url: string | null;
  audience: Audience | null;
  audience_vetted: boolean;
}

const LISTED_COLUMNS = `id, name, description, operator_name, website, policy_uri, tos_uri, contact_email, scopes,
  purposes, high_assurance, free_for_jobseekers, category, start_url, audience, audience_vetted`;

/** Every app the catalog shows: active and not deleted (only active apps can sign anyone in). */
export async function listListedApps(db: Queryable): Promise<ListedApp[]> {
  const { rows } = await db.query<ListedApp>(
    `SELECT ${LISTED_COLUMNS} FROM clients WHERE status = 'active' AND NOT sandbox AND deleted_at IS NULL`,
  );
  return rows;
}

export async function findListedApp(db: Queryable, id: string): Promise<ListedApp | undefined> {
  const { rows } = await db.query<ListedApp>(
    `SELECT ${LISTED_COLUMNS} FROM clients WHERE id = $1 AND status = 'active' AND NOT sandbox AND deleted_at IS NULL`,
    [id],
  );
  return rows[0];
}

export interface StorePreferences {
  recommendations_off: boolean;
  hidden_client_ids: string[];
}

export async function findStorePreferences(db: Queryable, jobseekerId: string): Promise<StorePreferences> {
  const { rows } = await db.query<StorePreferences>(
    'SELECT recommendations_off, hidden_client_ids FROM store_preferences WHERE jobseeker_id = $1',
    [jobseekerId],
  );
  return rows[0] ?? { recommendations_off: false, hidden_client_ids: [] };
}

export async function setRecommendationsOff(db: Queryable, jobseekerId: string, off: boolean): Promise<void> {
  await db.query(
    `INSERT INTO store_preferences (jobseeker_id, recommendations_off) VALUES ($1, $2)
     ON CONFLICT (jobseeker_id) DO UPDATE SET recommendations_off = $2, updated_at = now()`,
    [jobseekerId, off],
  );
}

/** Adds one app to the hidden ones (the service hides only listed apps, which bounds the list). */
export async function hideApp(db: Queryable, jobseekerId: string, clientId: string): Promise<void> {
  await db.query(
    `INSERT INTO store_preferences (jobseeker_id, hidden_client_ids) VALUES ($1, ARRAY[$2::text])
     ON CONFLICT (jobseeker_id) DO UPDATE
       SET hidden_client_ids = array_remove(store_preferences.hidden_client_ids, $2) || $2::text,
           updated_at = now()`,
    [jobseekerId, clientId],
  );
}

export async function unhideAll(db: Queryable, jobseekerId: string): Promise<void> {
  await db.query(
    "UPDATE store_preferences SET hidden_client_ids = '{}', updated_at = now() WHERE jobseeker_id = $1",
    [jobseekerId],
  );
}
