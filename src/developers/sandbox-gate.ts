// The login gate of the sandbox, before any consent page: a sandbox app (client id 'sandbox-…') signs
// in sandbox personas only, and an ordinary app signs in no persona. The database refuses a consent
// across the two anyway (migration 101); this gives the person a page that says why, instead.
export const REAL_ACCOUNT_ON_SANDBOX =
  'Cette application est en test (bac à sable) : seuls les profils fictifs de l’espace développeurs peuvent s’y connecter. Aucune de vos données ne lui sera transmise.';
export const PERSONA_ON_REAL_APP =
  'Ce profil fictif sert seulement aux applications en test (bac à sable) : il ne peut pas se connecter à cette application.';

/** Why an account (a sandbox persona or not) may not sign in to this app, or undefined when it may.
 * The flag comes with the statement each step already runs (the login's account lookup, the signed-in
 * session's, the consent page's data query): the gate costs no round trip of its own. */
export function sandboxRefusal(client: { sandbox: boolean }, persona: boolean): string | undefined {
  if (client.sandbox === persona) return undefined;
  return client.sandbox ? REAL_ACCOUNT_ON_SANDBOX : PERSONA_ON_REAL_APP;
}

/** The refusal of the consents_same_world trigger (migrations 101, 103): at the consent decision it is
 * the gate itself, the consent row's insert being the statement that reads both flags. */
export function isSandboxBarrier(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return (
    e?.code === '23514' &&
    typeof e.message === 'string' &&
    e.message.startsWith('a sandbox client may only hold consents of sandbox personas')
  );
}
