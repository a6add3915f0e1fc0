// "CV Express Web (démo)": the demo's single-page app, in the browser. It uses the quick-start
// configuration of oidc-client-ts (pole-emploi-connect.js, loaded before: `userManager`, `readApi`)
// and fills the same result page as the server-side demo (views/demo/_result.eta), writing every
// value as text, never as HTML.
const DATA_SCOPES = ['statut', 'competences', 'langues', 'permis', 'formations', 'experiences', 'projet'];
// What CV Express asks for, so that both demos show the same page (the quick start asks for less).
const SCOPE = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access', ...DATA_SCOPES].join(' ');
const HIDDEN_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nonce', 'at_hash', 'sid', 'auth_time', 'azp']);

const $ = (selector) => document.querySelector(selector);

function showError(message) {
  const alert = $('#erreur');
  alert.querySelector('p').textContent = message;
  alert.hidden = false;
}

function cell(tag, text, className) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.textContent = text;
  return element;
}

async function showResult(user) {
  $('#accueil').hidden = true;
  $('#resultat').hidden = false;
  $('#sub').textContent = user.profile.sub;
  $('#token-scope').textContent = user.scope ?? '';
  const rows = $('#id-claims');
  rows.replaceChildren();
  for (const [name, value] of Object.entries(user.profile)) {
    if (HIDDEN_CLAIMS.has(name)) continue;
    const row = document.createElement('tr');
    const header = document.createElement('th');
    header.scope = 'row';
    header.append(cell('code', name));
    row.append(
      header,
      cell('td', typeof value === 'object' ? JSON.stringify(value) : String(value), 'break'),
    );
    rows.append(row);
  }
  for (const scope of DATA_SCOPES) {
    const { status, body } = await readApi(user, scope);
    const section = $(`#scope-${scope}`).closest('section');
    section.querySelector('.status').textContent = String(status);
    section.querySelector('pre code').textContent = JSON.stringify(body, null, 2);
  }
  const grant = await readApi(user, 'consent');
  $('#grant').textContent = JSON.stringify(grant.body, null, 2);
  $('#rafraichir').hidden = !user.refresh_token;
  $('#resultat h1').focus();
}

async function start() {
  const callback = new URL(window.location.href);
  if (callback.pathname.endsWith('/callback')) {
    try {
      await userManager.signinCallback();
    } catch (err) {
      showError(
        err.error === 'access_denied'
          ? 'Vous avez refusé le partage : CV Express Web n’a reçu aucune donnée.'
          : 'La connexion n’a pas abouti. Recommencez.',
      );
      return;
    } finally {
      window.history.replaceState(null, '', `${APP_URL}/`);
    }
  }
  const user = await userManager.getUser();
  if (user && !user.expired) await showResult(user);
}

$('#connexion').addEventListener('click', () => userManager.signinRedirect({ scope: SCOPE }));
$('#relire').addEventListener('click', async () => showResult(await userManager.getUser()));
$('#rafraichir').addEventListener('click', async () => {
  try {
    await showResult(await userManager.signinSilent());
  } catch (err) {
    showError(`Le jeton de rafraîchissement a été refusé (${err.error ?? 'erreur'}) : reconnectez-vous.`);
  }
});
$('#recommencer').addEventListener('click', () => userManager.signinRedirect({ scope: SCOPE }));
$('#deconnexion').addEventListener('click', () =>
  userManager.signoutRedirect().catch(() => showError('La déconnexion n’a pas abouti. Recommencez.')),
);
start().catch(() => showError('La connexion n’a pas abouti. Recommencez.'));
