// Python Authlib (Debian's python3-authlib, with python3-requests): the quick-start app of
// docs/quickstart/authlib_app.py, run as is by the system's python3, against a live provider.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startQuickstartApp } from './support/child-app.ts';
import { type Interop, startInterop, TIMEOUT } from './support/interop.ts';

// Debian's python3, not a pyenv or virtualenv one that lacks the Debian packages.
const PYTHON = process.env.INTEROP_PYTHON ?? '/usr/bin/python3';

let interop: Interop;
let app: Awaited<ReturnType<typeof startQuickstartApp>> | undefined;

beforeAll(async () => {
  interop = await startInterop();
  app = await startQuickstartApp(interop, 'authlib', {
    file: 'app.py',
    command: PYTHON,
    env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
  });
}, TIMEOUT);

afterAll(async () => {
  await app?.app.stop();
  await interop?.close();
});

describe('Python Authlib (OAuth2Session)', () => {
  it(
    'logs in, reads userinfo and the API with one token, refreshes and logs out',
    () => app?.scenario(),
    TIMEOUT,
  );
});
