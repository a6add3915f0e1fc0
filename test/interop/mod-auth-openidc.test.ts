// Apache mod_auth_openidc (Debian's apache2 and libapache2-mod-auth-openidc), configured with the
// quick-start directives of docs/quickstart/mod_auth_openidc.conf, run as a child process with its
// own configuration on a free port. The application behind it is a small Node server that uses the
// access token Apache hands it (OIDC_access_token) for userinfo and the API.

import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/demo-app.ts';
import { type ChildApp, startChild, writeSnippet } from './support/child-app.ts';
import {
  expectFullScenario,
  type Interop,
  readJson,
  registerApp,
  startInterop,
  TIMEOUT,
} from './support/interop.ts';

const APACHE = process.env.INTEROP_APACHE ?? '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

let interop: Interop;
let apache: ChildApp | undefined;
let backend: http.Server | undefined;
let appUrl: string;
let clientId: string;

// The protected application: it trusts Apache (only Apache can reach it) and uses the token it passes.
async function startBackend(issuer: string) {
  const server = http.createServer(async (req, res) => {
    if (req.url === '/deconnecte') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="fr"><title>Déconnecté</title><p>Vous êtes déconnecté.</p></html>');
      return;
    }
    const token = req.headers.oidc_access_token;
    const get = async (url: string) => {
      const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: answer.status, body: await answer.json() };
    };
    const userinfo = await get(`${issuer}/me`);
    const competences = await get(`${issuer}/api/v1/competences`);
    const failed = [userinfo, competences].find((r) => r.status !== 200);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        failed
          ? { error: `HTTP ${failed.status}`, error_description: JSON.stringify(failed.body) }
          : { userinfo: userinfo.body, competences: competences.body },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  interop = await startInterop();
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  const client = await registerApp(interop, {
    redirectUri: `${appUrl}/app/callback`,
    afterLogout: `${appUrl}/deconnecte`,
  });
  clientId = client.client_id;
  backend = await startBackend(interop.server.issuer);
  const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const { dir, file } = writeSnippet(
    'mod_auth_openidc',
    {
      ISSUER: interop.server.issuer,
      CLIENT_ID: client.client_id,
      CLIENT_SECRET: client.client_secret,
      APP_URL: appUrl,
      CRYPTO_PASSPHRASE: 'interop-test-passphrase-0123456789abcdef',
    },
    'openidc.conf',
  );
  // The server around the quick-start directives: modules, port, logs, and the proxy to the app.
  writeFileSync(
    path.join(dir, 'httpd.conf'),
    `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${dir}/httpd.pid"
${process.getuid?.() === 0 ? '# Started as root: Apache serves as nobody.\nUser nobody\nGroup nogroup' : ''}
ErrorLog "${dir}/error.log"
LogLevel warn auth_openidc:info
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_user_module ${MODULES}/mod_authz_user.so
LoadModule proxy_module ${MODULES}/mod_proxy.so
LoadModule proxy_http_module ${MODULES}/mod_proxy_http.so
LoadModule auth_openidc_module ${MODULES}/mod_auth_openidc.so
Include "${file}"
# For the test only: ?info=json&access_token_refresh_interval=0 refreshes the access token now (the
# info shown holds no token).
OIDCInfoHook iat access_token_expires
ProxyPass /app/callback !
ProxyPass /app ${backendUrl}/app
ProxyPass /deconnecte ${backendUrl}/deconnecte
`,
  );
  apache = await startChild(APACHE, ['-X', '-f', path.join(dir, 'httpd.conf')], {
    dir,
    readyUrl: `${appUrl}/deconnecte`,
    logFile: path.join(dir, 'error.log'),
  });
}, TIMEOUT);

afterAll(async () => {
  await apache?.stop();
  backend?.close();
  await interop?.close();
});

describe('Apache mod_auth_openidc', () => {
  it(
    'logs in, passes one token the app uses for userinfo and the API, refreshes and logs out',
    async () => {
      try {
        await expectFullScenario(interop, {
          clientId,
          login: `${appUrl}/app`,
          home: `${appUrl}/app`,
          async refresh(page) {
            await page.goto(`${appUrl}/app/callback?info=json&access_token_refresh_interval=0`);
            expect(await readJson(page)).toHaveProperty('access_token_expires');
            await page.goto(`${appUrl}/app`);
          },
          logout: `${appUrl}/app/callback?logout=${encodeURIComponent(`${appUrl}/deconnecte`)}`,
          afterLogout: `${appUrl}/deconnecte`,
        });
      } catch (err) {
        throw new Error(`${(err as Error).message}\napache output:\n${apache?.output()}`, { cause: err });
      }
    },
    TIMEOUT,
  );
});
