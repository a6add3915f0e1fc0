// openid-client 6 with its defaults (client_secret_post, PKCE, state, nonce, RFC 9207 iss): the
// quick-start app of docs/quickstart/openid-client.mjs, run as is, against a live provider, for an app
// registered with the defaults of the CLI and the console (no authentication method chosen).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startQuickstartApp } from './support/child-app.ts';
import { type Interop, startInterop, TIMEOUT } from './support/interop.ts';

let interop: Interop;
let app: Awaited<ReturnType<typeof startQuickstartApp>> | undefined;

beforeAll(async () => {
  interop = await startInterop();
  app = await startQuickstartApp(interop, 'openid-client', { file: 'app.mjs', command: process.execPath });
}, TIMEOUT);

afterAll(async () => {
  await app?.app.stop();
  await interop?.close();
});

describe('openid-client with its defaults', () => {
  it(
    'logs in, reads userinfo and the API with one token, refreshes and logs out',
    () => app?.scenario(),
    TIMEOUT,
  );
});
