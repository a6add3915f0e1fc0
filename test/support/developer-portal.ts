// The developer portal as a browser uses it, for flow tests: sign-up, the verification link read
// from the mail outbox, sign-in.
import { expect } from 'vitest';
import { getPage, post } from './admin-console.ts';
import type { TestServer } from './test-server.ts';
import { UserAgent } from './user-agent.ts';

export const DEV_PASSWORD = 'une phrase de passe de développeur';
let counter = 0;
export const newDeveloperEmail = () => `dev-${process.pid}-${++counter}@partenaire.example`;

/** The last message the outbox holds for this address. */
export async function lastMail(server: TestServer, to: string) {
  const { rows } = await server.pool.query<{ subject: string; body: string }>(
    'SELECT subject, body FROM mail_outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1',
    [to],
  );
  return rows[0];
}

export const linkIn = (body: string) =>
  /https?:\/\/\S+\/developpeurs\/verification\?jeton=[\w-]+/.exec(body)?.[0];

export async function signUp(
  server: TestServer,
  email: string,
  agent = new UserAgent(),
  organisation = 'Partenaire Test',
) {
  return post(agent, server, '/developpeurs/inscription', '/developpeurs/inscription', [
    ['email', email],
    ['password', DEV_PASSWORD],
    ['organisation', organisation],
    ['siret', ''],
  ]);
}

export async function signIn(
  server: TestServer,
  email: string,
  agent = new UserAgent(),
  password = DEV_PASSWORD,
) {
  return post(agent, server, '/developpeurs/connexion', '/developpeurs/connexion', [
    ['email', email],
    ['password', password],
  ]);
}

/** A new developer, verified and signed in. */
export async function signedInDeveloper(server: TestServer, organisation = 'Partenaire Test') {
  const email = newDeveloperEmail();
  const agent = new UserAgent();
  await signUp(server, email, agent, organisation);
  const link = linkIn((await lastMail(server, email))?.body ?? '') as string;
  expect(link).toBeTruthy();
  await getPage(agent, server, new URL(link).pathname + new URL(link).search);
  const signedIn = await signIn(server, email, agent);
  expect(signedIn.location, signedIn.html).toBe('/developpeurs/applications');
  return { agent, email };
}
