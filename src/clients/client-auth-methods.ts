// How an app authenticates at the token, revocation, introspection and PAR endpoints.
//
// A secret-based app created with the defaults (CLI, console, admin API, RFC 7591) may present its
// secret either way RFC 6749 §2.3.1 describes — HTTP Basic (client_secret_basic, what the RFC says
// servers MUST support) or the request body (client_secret_post, the default of openid-client 6 and
// of many PHP and Python stacks): the stored method is then NULL. An operator may restrict an app to
// one of the two, or register it as private_key_jwt (required for high-assurance apps) or as a public
// client (`none`: browser and native apps, RFC 8252, which hold no secret and use PKCE).
//
// oidc-provider registers one token_endpoint_auth_method per client but already accepts either
// secret transport for client_secret_basic and client_secret_post alike (lib/shared/client_auth.js),
// as long as both are enabled in clientAuthMethods; so the default needs no code, and a restriction
// is enforced by our client adapter (token-request-guard.ts), which names the allowed methods.

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

const SECRET_METHODS: readonly AuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/** The methods an app may use, from its stored choice (null: either secret method). */
export function allowedAuthMethods(stored: string | null | undefined): AuthMethod[] {
  if (stored === null || stored === undefined) return [...SECRET_METHODS];
  return (AUTH_METHODS as readonly string[]).includes(stored) ? [stored as AuthMethod] : [];
}

/** Whether an app with this stored choice holds a client secret. */
export const usesSecret = (stored: string | null | undefined) =>
  allowedAuthMethods(stored).some((m) => SECRET_METHODS.includes(m));

/** The single method oidc-provider registers for the app (it accepts both secret transports). */
export const registeredAuthMethod = (stored: string | null | undefined): AuthMethod =>
  allowedAuthMethods(stored)[0] ?? 'client_secret_basic';
