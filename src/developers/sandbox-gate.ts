// The login gate of the sandbox, before any consent page: a sandbox app (client id 'sandbox-…') signs
// in sandbox personas only, and an ordinary app signs in no persona. The database refuses a consent
// across the two anyway (migration 101); this gives the person a page that says why, instead.
import type { Queryable } from '../db/pool.ts';

export const REAL_ACCOUNT_ON_SANDBOX =
  'Cette application est en test (bac à sable) : seuls les profils fictifs de l’espace développeurs peuvent s’y connecter. Aucune de vos données ne lui sera transmise.';
export const PERSONA_ON_REAL_APP =
  'Ce profil fictif sert seulement aux applications en test (bac à sable) : il ne peut pas se connecter à cette application.';

/** Why this account may not sign in to this app, or undefined when it may. */
export async function sandboxRefusal(
  db: Queryable,
  client: { sandbox: boolean },
  accountId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ sandbox: boolean }>('SELECT sandbox FROM jobseekers WHERE id = $1', [
    accountId,
  ]);
  const persona = rows[0]?.sandbox ?? false;
  if (client.sandbox === persona) return undefined;
  return client.sandbox ? REAL_ACCOUNT_ON_SANDBOX : PERSONA_ON_REAL_APP;
}
