// Pix (1024pix/pix, spec key PIX): api/src/identity-access-management/domain/services/
// pole-emploi-oidc-authentication-service.js on the generic OidcAuthenticationService, which uses
// openid-client 5 with discovery (`openidConfigurationUrl`), `client_secret_post` and the realm as an
// extra authorization parameter. Pix takes the identity from the id_token (given_name, family_name,
// nonce, idIdentiteExterne) and does not call userinfo (§2.3). It posts campaign results to France
// Travail with the `servicesdigitaux` scopes: an API outside this provider, not replayed.
import type { AppSettings } from './app-settings.ts';

/** §3 "PIX", verbatim; `serviceDigitauxExposition` is "not in PE docs but required" (PIX comment). */
export const pixScope = (clientId: string) =>
  `application_${clientId} api_peconnect-individuv1 openid profile serviceDigitauxExposition api_peconnect-servicesdigitauxv1`;

/** §2.3: the discovery path the PEC README links, which Pix's `openidConfigurationUrl` points to [S]. */
export const REALM_DISCOVERY =
  '/connexion/oauth2/realms/root/realms/individu/.well-known/openid-configuration';
/** §2.3: LBB's social-core OIDC_ENDPOINT + /.well-known/openid-configuration [S]. */
export const SHORT_DISCOVERY = '/connexion/oauth2/individu/.well-known/openid-configuration';

const query = (params: [string, string][]) =>
  params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

const OPENID_CLIENT = {
  'user-agent': 'openid-client/5.7.1 (https://github.com/panva/node-openid-client)',
  accept: 'application/json',
};

export interface Discovered {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  issuer: string;
}

export function pixClient(s: AppSettings) {
  return {
    /** Issuer.discover(openidConfigurationUrl). */
    discover() {
      return fetch(`${s.authBase}${REALM_DISCOVERY}`, { headers: OPENID_CLIENT });
    },
    /** client.authorizationUrl({ nonce, redirect_uri, scope, state, realm }) on the discovered endpoint. */
    authorizeUrl(d: Discovered, state: string, nonce: string, scope = pixScope(s.clientId)) {
      const url = new URL(d.authorization_endpoint);
      const params: [string, string][] = [...url.searchParams];
      for (const p of [
        ['client_id', s.clientId],
        ['scope', scope],
        ['response_type', 'code'],
        ['redirect_uri', s.redirectUri],
        ['nonce', nonce],
        ['state', state],
        ['realm', '/individu'],
      ] as [string, string][])
        if (!params.some(([k]) => k === p[0])) params.push(p);
      url.search = '';
      return `${url.href}?${query(params)}`;
    },
    /** client.callback(redirect_uri, { code, state }, { nonce, state }): the discovered token endpoint as is. */
    token(d: Discovered, code: string) {
      return fetch(d.token_endpoint, {
        method: 'POST',
        headers: { ...OPENID_CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
        body: query([
          ['grant_type', 'authorization_code'],
          ['code', code],
          ['redirect_uri', s.redirectUri],
          ['client_id', s.clientId],
          ['client_secret', s.clientSecret],
        ]),
      });
    },
    /** getRedirectLogoutUrl: new URL(logoutUrl) + searchParams.append(id_token_hint, redirect_uri). */
    logoutUrl(idToken: string) {
      const target = new URL(`${s.authBase}/compte/deconnexion`);
      target.searchParams.append('id_token_hint', idToken);
      target.searchParams.append('redirect_uri', s.afterLogout);
      return target.toString();
    },
  };
}
