// Pass emploi (France-Travail/pass-emploi-connect, 2026-05, spec key PEC): France Travail Connect is
// an upstream identity provider of its own OIDC server. src/idp/service/{idp.service,helpers}.ts use
// openid-client 5 with a static issuer configuration (no discovery) and `client_secret_post`;
// src/api/francetravail-api.client.ts reads the coordonnées with @nestjs/axios. This client sends
// what openid-client 5 puts on the wire for those calls: `authorizationUrl` writes client_id, scope,
// response_type, redirect_uri, then the given parameters (nonce, state, realm) through
// querystring.stringify (spaces as %20); `callback` and `refresh` post a form with the grant, then
// client_id and client_secret; `userinfo(…, { params: { realm } })` adds the realm to the query.
import type { AppSettings } from './app-settings.ts';

/** §3 "pass emploi" (terraform `pe_jeune_scopes`), verbatim with its application_ prefix. */
export const passEmploiScope = (clientId: string) =>
  `application_${clientId} api_peconnect-individuv1 openid profile email api_peconnect-coordonneesv1 individu api_peconnect-conseillersv1 api_peconnect-demarchesv1 demarches demarchesW api_peconnect-rendezvousagendav1 prdvl api_peconnect-gerer-prestationsv1 prestationDE coordonnees`;

const query = (params: [string, string][]) =>
  params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

const OPENID_CLIENT = {
  'user-agent': 'openid-client/5.7.1 (https://github.com/panva/node-openid-client)',
  accept: 'application/json',
};

export function passEmploiClient(s: AppSettings) {
  /** configuration.ts IDP_FT_JEUNE_*: the token URL carries the realm, as every client's does (§2.2). */
  const tokenEndpoint = `${s.authBase}/connexion/oauth2/access_token?realm=%2Findividu`;
  const form = (params: [string, string][]) =>
    fetch(tokenEndpoint, {
      method: 'POST',
      headers: { ...OPENID_CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
      body: query([...params, ['client_id', s.clientId], ['client_secret', s.clientSecret]]),
    });
  return {
    /** IdpService.getAuthorizationUrl: nonce = the interaction id, the state, the realm. */
    authorizeUrl(state: string, nonce: string, scope = passEmploiScope(s.clientId)) {
      return `${s.authBase}/connexion/oauth2/authorize?${query([
        ['client_id', s.clientId],
        ['scope', scope],
        ['response_type', 'code'],
        ['redirect_uri', s.redirectUri],
        ['nonce', nonce],
        ['state', state],
        ['realm', '/individu'],
      ])}`;
    },
    /** IdpService.callback → client.callback(redirectUri, params, { nonce, state }). */
    token(code: string) {
      return form([
        ['grant_type', 'authorization_code'],
        ['code', code],
        ['redirect_uri', s.redirectUri],
      ]);
    },
    /** get-access-token.usecase.ts → client.refresh(refresh_token): PEC keeps it 42 days (§2.2). */
    refresh(refreshToken: string) {
      return form([
        ['grant_type', 'refresh_token'],
        ['refresh_token', refreshToken],
      ]);
    },
    /** client.userinfo(tokenSet, { params: { realm: '/individu' } }): GET with a Bearer header. */
    userinfo(accessToken: string) {
      return fetch(`${s.apiBase}/peconnect-individu/v1/userinfo?realm=%2Findividu`, {
        headers: { ...OPENID_CLIENT, authorization: `Bearer ${accessToken}` },
      });
    },
    /** FrancetravailAPIClient.getCoordonness: nom, prenom and email, userinfo as the fallback. */
    coordonnees(accessToken: string) {
      return fetch(`${s.apiBase}/peconnect-coordonnees/v1/coordonnees`, {
        headers: {
          'user-agent': 'axios/1.7.9',
          accept: 'application/json, text/plain, */*',
          authorization: `Bearer ${accessToken}`,
        },
      });
    },
  };
}
