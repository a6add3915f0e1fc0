// A single-page app with oidc-client-ts 3, as a public client (token_endpoint_auth_method none: no
// secret; PKCE S256, state and nonce are oidc-client-ts's defaults). Load
// oidc-client-ts/dist/browser/oidc-client-ts.min.js before this script (it defines `oidc`).
// Register APP_URL/callback as redirect URI and APP_URL/ as post-logout redirect URI: the provider
// then answers this app's origin (CORS) at the token, userinfo, revocation and API endpoints.
const ISSUER = '{{ISSUER}}';
const CLIENT_ID = '{{CLIENT_ID}}';
const APP_URL = '{{APP_URL}}';

const userManager = new oidc.UserManager({
  authority: ISSUER,
  client_id: CLIENT_ID,
  redirect_uri: `${APP_URL}/callback`,
  post_logout_redirect_uri: `${APP_URL}/`,
  // offline_access brings a refresh token; prompt=consent is what issues it.
  scope: 'openid profile competences offline_access',
  prompt: 'consent',
  // After the login, userinfo is read with the access token and merged into user.profile.
  loadUserInfo: true,
  // At logout, the refresh token is revoked (RFC 7009) before leaving.
  revokeTokensOnSignout: true,
  // The tokens stay in this tab only.
  userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
});

/** A GET on the resource API with the access token the user holds. */
async function readApi(user, path) {
  const response = await fetch(`${ISSUER}/api/v1/${path}`, {
    headers: { authorization: `Bearer ${user.access_token}` },
  });
  return { status: response.status, body: await response.json() };
}

// Log in: userManager.signinRedirect(). On APP_URL/callback: await userManager.signinCallback().
// Later: await userManager.getUser(); refresh: await userManager.signinSilent() (with the refresh
// token); log out: await userManager.signoutRedirect().
