// The demo third-party app ("CV Express") beside a test provider, for browser tests.
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { startDemoApp } from '../../src/demo/demo-app.ts';
import { createLogger } from '../../src/logger.ts';
import { createClient } from './factories.ts';
import type { TestServer } from './test-server.ts';

export const DEMO_SCOPES =
  'openid profile email phone address offline_access statut competences langues permis formations experiences projet';

// startDemoApp needs its own URL before it listens: reserve a free loopback port, then reuse it.
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export function startDemo(
  server: TestServer,
  demo: { port: number; clientId: string; clientSecret: string; spaClientId?: string },
): Promise<{ close(): Promise<void> }> {
  return startDemoApp({
    issuer: server.issuer,
    url: `http://127.0.0.1:${demo.port}`,
    host: '127.0.0.1',
    port: demo.port,
    clientId: demo.clientId,
    clientSecret: demo.clientSecret,
    spaClientId: demo.spaClientId,
    apiBase: `${server.issuer}/api`,
    viewsDir: path.resolve('views'),
    logger: createLogger('silent'),
  });
}

/**
 * The demo app registered as the seed registers it, and started beside a test provider; `overrides`
 * (given the demo's URL) changes its registration.
 */
export async function registeredDemo(
  server: TestServer,
  name = 'CV Express (démo)',
  overrides: (url: string) => Parameters<typeof createClient>[1] = () => ({}),
) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const client = await createClient(server, {
    name,
    redirect_uris: [`${url}/callback`],
    post_logout_redirect_uris: [`${url}/`],
    scopes: DEMO_SCOPES.split(' '),
    ...overrides(url),
  });
  const demo = await startDemo(server, {
    port,
    clientId: client.client_id,
    clientSecret: client.client_secret,
  });
  return { url, client, close: () => demo.close() };
}
