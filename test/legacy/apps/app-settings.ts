// What every replayed app reads from its settings: the two base URLs a partner changes (issue 14:
// "a partner changes only its base URLs"), its credentials and its registered addresses.
export interface AppSettings {
  /** the authorization server's base, e.g. https://authentification-candidat.francetravail.fr (§1) */
  authBase: string;
  /** the resource API's base including `/partenaire`, e.g. https://api.francetravail.io/partenaire (§1) */
  apiBase: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  afterLogout: string;
}

/** The scope tokens of a space-separated scope string. */
export const scopeTokens = (scope: string) => scope.split(' ').filter(Boolean);

/** A scope string without some of its scopes, the others in their order. */
export const withoutScopes = (scope: string, dropped: string[]) =>
  scopeTokens(scope)
    .filter((s) => !dropped.includes(s))
    .join(' ');
