// Immersion facile (gip-inclusion/immersion-facile, 2026-08, spec key IF), replayed request by
// request: back/src/domains/core/authentication/ft-connect/adapters/ft-connect-gateway/
// {HttpFtConnectGateway,ftConnectApi.routes}.ts. Its query strings and form bodies come from
// shared/src/utils/queryParams.ts `queryParamsAsString`: `key=encodeURI(value)` joined by `&`, so the
// realm and the redirect URI travel raw (`realm=/individu`) and spaces as `%20`. Its HTTP client is
// axios (shared-routes); every API call carries the same three headers.
import type { AppSettings } from './app-settings.ts';

/** ftConnectApi.routes.ts ftConnectNeededScopesForAllUsedApi (2026). */
export const immersionFacileScope = (clientId: string) =>
  [
    `application_${clientId}`,
    'api_peconnect-individuv1',
    'api_peconnect-conseillersv1',
    'api_peconnect-statutv1',
    'individu',
    'openid',
    'profile',
    'email',
    'statut',
    'api_peconnect-datenaissancev1',
    'datenaissance',
    'api_peconnect-coordonneesv1',
    'coordonnees',
  ].join(' ');

const queryParamsAsString = (params: [string, string][]) =>
  params.map(([k, v]) => `${k}=${encodeURI(v)}`).join('&');

const AXIOS = { 'user-agent': 'axios/1.11.0' };

export type ImmersionFacileApi =
  | 'peconnect-individu/v1/userinfo'
  | 'peconnect-datenaissance/v1/etat-civil'
  | 'peconnect-coordonnees/v1/coordonnees'
  | 'peconnect-statut/v1/statut'
  | 'peconnect-conseillers/v1/contactspe/conseillers';

export function immersionFacileClient(s: AppSettings) {
  return {
    /** HttpFtConnectGateway.getLoginUrl: the realm in the middle, raw. */
    authorizeUrl(state: string, nonce: string) {
      return `${s.authBase}/connexion/oauth2/authorize?${queryParamsAsString([
        ['response_type', 'code'],
        ['client_id', s.clientId],
        ['realm', '/individu'],
        ['redirect_uri', s.redirectUri],
        ['scope', immersionFacileScope(s.clientId)],
        ['state', state],
        ['nonce', nonce],
      ])}`;
    },
    /** getAccessToken: realm in the query (already encoded in the route), anything but 200 fails. */
    token(code: string) {
      return fetch(`${s.authBase}/connexion/oauth2/access_token?realm=%2Findividu`, {
        method: 'POST',
        headers: {
          ...AXIOS,
          accept: 'application/json, text/plain, */*',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: queryParamsAsString([
          ['client_id', s.clientId],
          ['client_secret', s.clientSecret],
          ['code', code],
          ['grant_type', 'authorization_code'],
          ['redirect_uri', s.redirectUri],
        ]),
      });
    },
    /** getUserAndAdvisors: userinfo, etat-civil, coordonnees, statut, then conseillers if statut is "1". */
    api(path: ImmersionFacileApi, accessToken: string) {
      return fetch(`${s.apiBase}/${path}`, {
        headers: {
          ...AXIOS,
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${accessToken}`,
        },
      });
    },
    /** getLogoutUrl: /compte/deconnexion with `id_token_hint` and `redirect_uri`. */
    logoutUrl(idToken: string) {
      return `${s.authBase}/compte/deconnexion?${queryParamsAsString([
        ['id_token_hint', idToken],
        ['redirect_uri', s.afterLogout],
      ])}`;
    },
  };
}
