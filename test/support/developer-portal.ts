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

/** The fields of a draft as the portal's form posts them (the admin console's registration form). */
export function draftFields(o: {
  name: string;
  redirectUri: string;
  complete?: boolean;
}): [string, string][] {
  const fields: [string, string][] = [
    ['name', o.name],
    ['description', 'Aide à rédiger un CV à partir du dossier.'],
    ['redirect_uris', o.redirectUri],
    ['token_endpoint_auth_method', 'client_secret'],
    ['scopes', 'openid'],
    ['scopes', 'profile'],
    ['scopes', 'competences'],
    ['scopes', 'langues'],
  ];
  if (o.complete)
    fields.push(
      ['purpose_competences', 'Remplir la rubrique Compétences de votre CV.'],
      ['purpose_langues', 'Indiquer vos langues sur votre CV.'],
      ['policy_uri', `${new URL(o.redirectUri).origin}/confidentialite`],
      ['contact_email', 'dpo@partenaire.example'],
      ['free_for_jobseekers', 'yes'],
    );
  else fields.push(['purpose_competences', 'Remplir la rubrique Compétences de votre CV.']);
  return fields;
}

/** Creates a draft through the portal: its app id and its sandbox credentials (shown once). */
export async function createDraft(
  server: TestServer,
  agent: UserAgent,
  o: { name: string; redirectUri: string; complete?: boolean },
) {
  const res = await post(
    agent,
    server,
    '/developpeurs/applications/nouvelle',
    '/developpeurs/applications',
    draftFields(o),
  );
  expect(res.response.status, res.html).toBe(200);
  const pick = (id: string) => new RegExp(`id="${id}">([^<]+)<`).exec(res.html)?.[1] as string;
  const appId = /href="\/developpeurs\/applications\/([0-9a-f-]{36})"/.exec(res.html)?.[1] as string;
  return {
    appId,
    sandboxClientId: pick('sandbox-client-id'),
    sandboxSecret: pick('sandbox-client-secret'),
    html: res.html,
  };
}

/** A complete draft, submitted for review: its app id and sandbox credentials. */
export async function submittedDraft(
  server: TestServer,
  agent: UserAgent,
  name: string,
  redirectUri: string,
) {
  const draft = await createDraft(server, agent, { name, redirectUri, complete: true });
  const base = `/developpeurs/applications/${draft.appId}`;
  const submitted = await post(agent, server, base, `${base}/soumettre`, []);
  expect(submitted.location, submitted.html).toBe(`${base}?ok=soumise`);
  return draft;
}
