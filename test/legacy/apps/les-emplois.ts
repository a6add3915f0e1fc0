// Les emplois de l'inclusion (gip-inclusion/les-emplois, 2026-08, spec key ITOU), replayed request by
// request: itou/openid_connect/ft_connect/{constants,views}.py and itou/external_data/apis/ft_connect.py.
// Django builds its URLs with `urllib.parse.urlencode` (spaces as `+`, `/` as `%2F`), which is what
// URLSearchParams writes; its HTTP client is httpx (form bodies with `data=`).
import type { AppSettings } from './app-settings.ts';

/** constants.py FRANCETRAVAIL_CONNECT_SCOPES (2026): no `application_<client_id>` any more (§3). */
export const LES_EMPLOIS_SCOPE =
  'openid api_peconnect-individuv1 email profile api_peconnect-coordonneesv1 coordonnees api_peconnect-statutv1 statut api_peconnect-datenaissancev1 datenaissance api_peconnect-indemnisationsv1 indemnisation api_peconnect-formationsv1 pfcformations pfcpermis';

const HTTPX = { 'user-agent': 'python-httpx/0.28.1', accept: '*/*' };

export function lesEmploisClient(s: AppSettings) {
  return {
    /** views.py pe_connect_authorize: the realm comes last, encoded. */
    authorizeUrl(state: string, nonce: string) {
      const data = new URLSearchParams([
        ['response_type', 'code'],
        ['client_id', s.clientId],
        ['redirect_uri', s.redirectUri],
        ['scope', LES_EMPLOIS_SCOPE],
        ['state', state],
        ['nonce', nonce],
        ['realm', '/individu'],
      ]);
      return `${s.authBase}/connexion/oauth2/authorize?${data}`;
    },
    /** views.py pe_connect_callback: httpx.post(url + ?realm=%2Findividu, data=…); 200 or 201 accepted. */
    token(code: string) {
      return fetch(
        `${s.authBase}/connexion/oauth2/access_token?${new URLSearchParams({ realm: '/individu' })}`,
        {
          method: 'POST',
          headers: { ...HTTPX, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams([
            ['client_id', s.clientId],
            ['client_secret', s.clientSecret],
            ['code', code],
            ['grant_type', 'authorization_code'],
            ['redirect_uri', s.redirectUri],
          ]),
        },
      );
    },
    /** views.py: httpx.get(userinfo, params={"schema": "openid"}, headers={"Authorization": "Bearer …"}). */
    userinfo(accessToken: string) {
      return fetch(`${s.apiBase}/peconnect-individu/v1/userinfo?schema=openid`, {
        headers: { ...HTTPX, authorization: `Bearer ${accessToken}` },
      });
    },
    /** external_data/apis/ft_connect.py _call_api: only a 200 counts. */
    api(
      path: 'peconnect-coordonnees/v1/coordonnees' | 'peconnect-datenaissance/v1/etat-civil',
      accessToken: string,
    ) {
      return fetch(`${s.apiBase}/${path}`, { headers: { ...HTTPX, authorization: `Bearer ${accessToken}` } });
    },
    /** views.py pe_connect_logout: the browser is sent to /compte/deconnexion with `redirect_uri`. */
    logoutUrl(idToken: string) {
      return `${s.authBase}/compte/deconnexion?${new URLSearchParams([
        ['id_token_hint', idToken],
        ['redirect_uri', s.afterLogout],
      ])}`;
    },
  };
}
