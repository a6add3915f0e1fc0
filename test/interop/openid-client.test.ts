// openid-client 6 with its defaults (client_secret_post, PKCE, state, nonce, RFC 9207 iss): the
// quick-start app of docs/quickstart/openid-client.mjs, run as is, against a live provider.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { freePort } from '../support/demo-app.ts';
import { createClient } from '../support/factories.ts';
import { type ChildApp, startChild, writeSnippet } from './support/child-app.ts';
import { expectFullScenario, INTEROP_SCOPE, type Interop, startInterop, TIMEOUT } from './support/interop.ts';

let interop: Interop;
let app: ChildApp | undefined;
let appUrl: string;
let clientId: string;

beforeAll(async () => {
  interop = await startInterop();
  appUrl = `http://127.0.0.1:${await freePort()}`;
  // Registered with the defaults of the CLI and the console: no authentication method chosen.
  const client = await createClient(interop.server, {
    redirectUris: [`${appUrl}/callback`],
    postLogoutRedirectUris: [`${appUrl}/`],
    scopes: INTEROP_SCOPE.split(' '),
  });
  clientId = client.client_id;
  const { dir } = writeSnippet(
    'openid-client',
    {
      ISSUER: interop.server.issuer,
      CLIENT_ID: client.client_id,
      CLIENT_SECRET: client.client_secret,
      APP_URL: appUrl,
      CRYPTO_PASSPHRASE: '',
    },
    'app.mjs',
  );
  app = await startChild(process.execPath, ['app.mjs'], { dir, readyUrl: `${appUrl}/` });
}, TIMEOUT);

afterAll(async () => {
  await app?.stop();
  await interop?.close();
});

describe('openid-client with its defaults', () => {
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
