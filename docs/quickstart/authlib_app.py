# Une application web minimale avec Authlib (Debian : apt install python3-authlib python3-requests)
# et la bibliothèque standard : connexion, lecture de userinfo et de l'API avec son unique jeton
# d'accès, rafraîchissement, déconnexion. Lancement : python3 authlib_app.py. Adresses à
# enregistrer : redirection APP_URL/callback, retour après déconnexion APP_URL/.
import json
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

ISSUER = '{{ISSUER}}'
CLIENT_ID = '{{CLIENT_ID}}'
CLIENT_SECRET = '{{CLIENT_SECRET}}'
APP_URL = '{{APP_URL}}'
# offline_access demande un jeton de rafraîchissement (accordé avec le consentement).
SCOPE = 'openid profile competences offline_access'

metadata = requests.get(f'{ISSUER}/.well-known/openid-configuration', timeout=10).json()
keys = JsonWebKey.import_key_set(requests.get(metadata['jwks_uri'], timeout=10).json())
sessions = {}  # identifiant de session (cookie) -> dict


def oauth(token=None):
    # client_secret_basic (par défaut dans Authlib), PKCE S256.
    return OAuth2Session(CLIENT_ID, CLIENT_SECRET, scope=SCOPE, redirect_uri=f'{APP_URL}/callback',
                         code_challenge_method='S256', token=token)


def read(session):
    client = oauth(session['token'])
    userinfo = client.get(metadata['userinfo_endpoint'], timeout=10)
    competences = client.get(f'{ISSUER}/api/v1/competences', timeout=10)
    for response in (userinfo, competences):
        if response.status_code != 200:
            return {'error': f'HTTP {response.status_code}', 'error_description': response.text}
    return {'userinfo': userinfo.json(), 'competences': competences.json()}


class App(BaseHTTPRequestHandler):
    def send(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def redirect(self, location, cookie=None):
        self.send(303, '', [('Location', location)] + ([('Set-Cookie', cookie)] if cookie else []))

    def do_GET(self):
        try:
            self.route()
        except Exception as err:  # montré au développeur, jamais un jeton
            self.send(500, json.dumps({'error': type(err).__name__, 'error_description': str(err)}),
                      [('Content-Type', 'application/json')])

    def route(self):
        url = urlsplit(self.path)
        cookies = dict(c.strip().split('=', 1) for c in self.headers.get('Cookie', '').split(';') if '=' in c)
        sid = cookies.get('sid')
        session = sessions.get(sid, {})
        if url.path == '/login':
            sid, verifier, nonce = secrets.token_urlsafe(), generate_token(48), generate_token(20)
            uri, state = oauth().create_authorization_url(metadata['authorization_endpoint'],
                                                          code_verifier=verifier, nonce=nonce)
            sessions[sid] = {'state': state, 'verifier': verifier, 'nonce': nonce}
            return self.redirect(uri, f'sid={sid}; Path=/; HttpOnly; SameSite=Lax')
        if url.path == '/callback' and 'state' in session:
            query = parse_qs(url.query)
            if query.get('iss') != [ISSUER]:  # RFC 9207 : la réponse vient bien de ce fournisseur
                return self.send(400, json.dumps({'error': 'wrong iss'}))
            token = oauth().fetch_token(metadata['token_endpoint'], authorization_response=APP_URL + self.path,
                                        state=session['state'], code_verifier=session['verifier'])
            claims = jwt.decode(token['id_token'], keys, claims_cls=CodeIDToken,
                                claims_options={'iss': {'essential': True, 'value': ISSUER}},
                                claims_params={'nonce': session['nonce'], 'client_id': CLIENT_ID,
                                               'access_token': token['access_token']})
            claims.validate()
            sessions[sid] = {'token': token, 'id_token': token['id_token']}
            return self.redirect('/')
        if url.path == '/refresh' and 'token' in session:
            session['token'] = oauth(session['token']).refresh_token(metadata['token_endpoint'])
            return self.redirect('/')
        if url.path == '/logout' and 'token' in session:
            del sessions[sid]
            query = urlencode({'id_token_hint': session['id_token'], 'post_logout_redirect_uri': f'{APP_URL}/'})
            return self.redirect(f"{metadata['end_session_endpoint']}?{query}", 'sid=; Path=/; Max-Age=0')
        if url.path == '/' and 'token' in session:
            return self.send(200, json.dumps(read(session)), [('Content-Type', 'application/json')])
        self.send(200, '<!doctype html><html lang="fr"><title>Mon appli</title><a href="/login">Se connecter</a></html>',
                  [('Content-Type', 'text/html; charset=utf-8')])


address = urlsplit(APP_URL)
ThreadingHTTPServer((address.hostname, address.port or 80), App).serve_forever()
