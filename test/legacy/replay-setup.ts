// The harness every replayed app shares: the provider it runs against, its registration as the app,
// the consent page answered with a seeded random subset of the boxes, and the checks of the token
// answer. What each app sends (its authorize URL, its token request, its API calls) stays in its own
// client under apps/, written from its public source.

import { afterAll, beforeAll, expect } from 'vitest';
import type { z } from 'zod';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { randomSubset, throughPages } from './legacy-browser.ts';
import {
  expectCallback,
  expectIdToken,
  expectRelease,
  expectTokenAnswer,
  expectWithheld,
  jsonOf,
  registerLegacyApp,
} from './legacy-checks.ts';
import { anyConsented, type Release, withTravellers } from './released-fields.ts';

/** Starts one provider for the file (closed after it); `.server` reads it inside the tests. */
export function replayServer() {
  const holder = {} as { server: TestServer };
  beforeAll(async () => {
    holder.server = await startTestServer();
  });
  afterAll(() => holder.server?.close());
  return holder;
}

type Jobseeker = Awaited<ReturnType<typeof createJobseeker>>;
type AppSettings = Awaited<ReturnType<typeof registerLegacyApp>>;

export interface AppRegistration {
  scopes: string[];
  redirectUri: string;
  afterLogout: string;
}

/** Registers the app, builds its client from the settings and creates the jobseeker who signs in. */
export async function replayApp<Client>(
  server: TestServer,
  name: string,
  registration: AppRegistration,
  clientOf: (settings: AppSettings) => Client,
): Promise<{ settings: AppSettings; app: Client; jobseeker: Jobseeker }> {
  const settings = await registerLegacyApp(server, name, registration);
  return { settings, app: clientOf(settings), jobseeker: await createJobseeker(server) };
}

/**
 * Signs in through the login and consent pages from the app's authorize URL, ticking a seeded random
 * subset of the boxes; checks both pages were shown and the callback carries `state` and a code. The
 * consent (with its travellers) is logged, so that a failing seed can be read back.
 */
export async function signInWithRandomConsent(
  name: string,
  url: string | URL,
  o: { settings: AppSettings; jobseeker: Jobseeker; random: () => number; state: string },
) {
  const pages = await throughPages(url, {
    redirectUri: o.settings.redirectUri,
    jobseeker: o.jobseeker,
    choose: (shown) => randomSubset(o.random, shown),
  });
  expect(pages.pages).toEqual(['login', 'consent']);
  const consented = withTravellers(pages.ticked);
  console.log(`${name}: consented to ${[...consented].sort().join(', ')} of ${pages.shown.join(', ')}`);
  const code = expectCallback(pages.callback, o.state);
  return { pages, consented, code };
}

/** Checks the token answer (expectTokenAnswer) and then its id_token (expectIdToken); returns both. */
export async function expectTokenAndIdToken(
  server: TestServer,
  answer: Response,
  o: {
    clientId: string;
    requestedScope: string;
    nonce: string;
    consented: Set<string>;
    notGranted?: string[];
    discovery?: Parameters<typeof expectIdToken>[2]['discovery'];
  },
) {
  const token = await expectTokenAnswer(answer, {
    requestedScope: o.requestedScope,
    nonce: o.nonce,
    ...(o.notGranted ? { notGranted: o.notGranted } : {}),
  });
  const claims = await expectIdToken(server, token.id_token, {
    clientId: o.clientId,
    nonce: o.nonce,
    consented: o.consented,
    ...(o.discovery ? { discovery: o.discovery } : {}),
  });
  return { token, claims };
}

/**
 * A resource API answer as the apps read it: a 200 whose body matches the release when any of its
 * fields was consented (the body is returned), else the 401 of §5 (undefined is returned).
 */
export async function expectAnswerIfAnyConsented(
  response: Response,
  what: string,
  schema: z.ZodObject,
  release: Release,
  consented: Set<string>,
): Promise<unknown> {
  if (!anyConsented(release, consented)) {
    await expectWithheld(response, what);
    return undefined;
  }
  const body = await jsonOf(response, 200, what);
  expectRelease(what, schema, release, consented, body);
  return body;
}
