// Une application monopage avec oidc-client-ts 3, enregistrée comme application publique
// (token_endpoint_auth_method none : pas de secret ; PKCE S256, state et nonce par défaut). Chargez
// oidc-client-ts/dist/browser/oidc-client-ts.min.js avant ce script (il définit `oidc`). Adresses à
// enregistrer : redirection APP_URL/callback, retour après déconnexion APP_URL/ ; le fournisseur
// répond alors à l'origine de l'application (CORS) sur les points token, userinfo, révocation et API.
const ISSUER = '{{ISSUER}}';
const CLIENT_ID = '{{CLIENT_ID}}';
const APP_URL = '{{APP_URL}}';

const userManager = new oidc.UserManager({
  authority: ISSUER,
  client_id: CLIENT_ID,
  redirect_uri: `${APP_URL}/callback`,
  post_logout_redirect_uri: `${APP_URL}/`,
  // offline_access demande un jeton de rafraîchissement (accordé avec le consentement).
  scope: 'openid profile competences offline_access',
  // Après la connexion, userinfo est lu avec le jeton d'accès et ajouté à user.profile.
  loadUserInfo: true,
  // À la déconnexion, le jeton de rafraîchissement est révoqué (RFC 7009) avant de partir.
  revokeTokensOnSignout: true,
  // Les jetons restent dans cet onglet seulement.
  userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
});

/** Un GET sur l'API avec le jeton d'accès de la personne connectée. */
async function readApi(user, path) {
  const response = await fetch(`${ISSUER}/api/v1/${path}`, {
    headers: { authorization: `Bearer ${user.access_token}` },
  });
  return { status: response.status, body: await response.json() };
}

// Connexion : userManager.signinRedirect(). Sur APP_URL/callback : await userManager.signinCallback().
// Ensuite : await userManager.getUser() ; rafraîchir : await userManager.signinSilent() (avec le jeton
// de rafraîchissement) ; déconnexion : await userManager.signoutRedirect().
