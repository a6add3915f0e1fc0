// Python Authlib (Debian's python3-authlib, with python3-requests): the quick-start app of
// docs/quickstart/authlib_app.py, run as is by the system's python3, against a live provider.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { freePort } from '../support/demo-app.ts';
import { createClient } from '../support/factories.ts';
import { type ChildApp, startChild, writeSnippet } from './support/child-app.ts';
import { expectFullScenario, INTEROP_SCOPE, type Interop, startInterop, TIMEOUT } from './support/interop.ts';

// Debian's python3, not a pyenv or virtualenv one that lacks the Debian packages.
const PYTHON = process.env.INTEROP_PYTHON ?? '/usr/bin/python3';

let interop: Interop;
let app: ChildApp | undefined;
let appUrl: string;
let clientId: string;

beforeAll(async () => {
  interop = await startInterop();
  appUrl = `http://127.0.0.1:${await freePort()}`;
  const client = await createClient(interop.server, {
    redirectUris: [`${appUrl}/callback`],
    postLogoutRedirectUris: [`${appUrl}/`],
    scopes: INTEROP_SCOPE.split(' '),
  });
  clientId = client.client_id;
  const { dir } = writeSnippet(
    'authlib',
    {
      ISSUER: interop.server.issuer,
      CLIENT_ID: client.client_id,
      CLIENT_SECRET: client.client_secret,
      APP_URL: appUrl,
      CRYPTO_PASSPHRASE: '',
    },
    'app.py',
  );
  app = await startChild(PYTHON, ['app.py'], {
    dir,
    readyUrl: `${appUrl}/`,
    env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
  });
}, TIMEOUT);

afterAll(async () => {
  await app?.stop();
  await interop?.close();
});

describe('Python Authlib (OAuth2Session)', () => {
  it(
    'logs in, reads userinfo and the API with one token, refreshes and logs out',
    async () => {
      try {
        await expectFullScenario(interop, {
          clientId,
          login: `${appUrl}/login`,
          home: `${appUrl}/`,
          refresh: `${appUrl}/refresh`,
          logout: `${appUrl}/logout`,
          afterLogout: `${appUrl}/`,
        });
      } catch (err) {
        throw new Error(`${(err as Error).message}\napp output:\n${app?.output()}`, { cause: err });
      }
    },
    TIMEOUT,
  );
});
