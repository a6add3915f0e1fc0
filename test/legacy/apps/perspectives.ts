// Perspectives (StartupsPoleEmploi/perspectives, dead since 2020, spec key PERSP): the one app that
// read the whole profile set (§4.6–4.12) and sent a `qos_silver_*` tier. Replayed for those APIs,
// which no maintained app calls any more but which the catalog now serves: PEConnectAuthWSAdapter
// (authorize, token with the realm in the query and the credentials in the body) and PEConnectWSAdapter
// (one GET per API with the Bearer token). Play WS writes query strings like URLSearchParams.
import type { AppSettings } from './app-settings.ts';

/**
 * §3 "PERSP (built)", with the parts the spec elides (`…`) left out: what remains is verbatim, in
 * its order. `pfccentresinteret` (§4.10) has no catalog data.
 */
export const PERSPECTIVES_SCOPE =
  'api_peconnect-individuv1 openid profile email qos_silver_peconnect-individuv1 api_peconnect-coordonneesv1 coordonnees api_peconnect-competencesv2 pfccompetences pfclangues pfccentresinteret api_peconnect-formationsv1 pfcformations pfcpermis api_peconnect-experiencesv1 pfcexperiences';

export type PerspectivesApi =
  | 'peconnect-formations/v1/formations'
  | 'peconnect-formations/v1/permis'
  | 'peconnect-formations/v1/permits'
  | 'peconnect-competences/v2/competences'
  | 'peconnect-competences/v2/langues'
  | 'peconnect-experiences/v1/experiences';

const PLAY_WS = { 'user-agent': 'AHC/2.1', accept: '*/*' };

export function perspectivesClient(s: AppSettings) {
  return {
    /** The realm first, raw (§2.1: "some apps put it first"); spaces as `+`. */
    authorizeUrl(state: string, nonce: string, scope = PERSPECTIVES_SCOPE) {
      const rest = new URLSearchParams([
        ['response_type', 'code'],
        ['client_id', s.clientId],
        ['scope', scope],
        ['redirect_uri', s.redirectUri],
        ['state', state],
        ['nonce', nonce],
      ]);
      return `${s.authBase}/connexion/oauth2/authorize?realm=/individu&${rest}`;
    },
    token(code: string) {
      return fetch(`${s.authBase}/connexion/oauth2/access_token?realm=%2Findividu`, {
        method: 'POST',
        headers: { ...PLAY_WS, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([
          ['grant_type', 'authorization_code'],
          ['code', code],
          ['client_id', s.clientId],
          ['client_secret', s.clientSecret],
          ['redirect_uri', s.redirectUri],
        ]),
      });
    },
    api(path: PerspectivesApi, accessToken: string) {
      return fetch(`${s.apiBase}/${path}`, {
        headers: { ...PLAY_WS, authorization: `Bearer ${accessToken}` },
      });
    },
  };
}
