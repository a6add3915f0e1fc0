// Hostile input to every form of the developer portal and to the review queue: never a 5xx, never
// an internal detail in the answer, whatever the fields hold (fast-check).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { enrolledAdmin } from '../support/admin-console.ts';
import { createDraft, signedInDeveloper } from '../support/developer-portal.ts';
import { assertSafe, hostileKey, hostileString, runs, send, uuidish } from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let developer: UserAgent;
let admin: UserAgent;
let appId: string;
const csrf: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  developer = (await signedInDeveloper(server)).agent;
  appId = (
    await createDraft(server, developer, { name: 'Appli fuzz', redirectUri: 'http://127.0.0.1:9/cb-fuzz' })
  ).appId;
  admin = (await enrolledAdmin(server)).agent;
}, 60_000);
afterAll(() => server?.close());

async function tokenFor(agent: UserAgent, path: string) {
  const key = `${agent === admin ? 'a' : 'd'}${path}`;
  if (!csrf[key]) {
    const res = await agent.request(`${server.issuer}${path}`);
    csrf[key] = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] as string;
  }
  return csrf[key] as string;
}

// The catalogue form has a <select> element, which the SQL-in-the-body check would take for a query.
const safe = (what: string, answer: Awaited<ReturnType<typeof send>>, inputs: string[] = []) =>
  assertSafe(what, { ...answer, text: answer.text.replace(/<(\/?)select\b/gi, '<$1dropdown') }, inputs);

// A lone surrogate cannot be percent-encoded: sent as raw bytes instead.
const enc = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

async function postAs(agent: UserAgent, path: string, fields: [string, string][]) {
  const body = new URLSearchParams([
    ['_csrf', await tokenFor(agent, '/developpeurs/applications')],
    ...fields,
  ]);
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer });
  const cookie = agent.cookieHeader(new URL(server.issuer));
  if (cookie) headers.set('cookie', cookie);
  return send(`${server.issuer}${path}`, { method: 'POST', body, headers });
}

const FIELDS = [
  'name',
  'description',
  'redirect_uris',
  'post_logout_redirect_uris',
  'scopes',
  'purpose_competences',
  'token_endpoint_auth_method',
  'policy_uri',
  'contact_email',
  'operator_siret',
  'consent_duration_days',
  'jwks',
  'category',
  'start_url',
  'rome',
  'regions',
  'email',
  'password',
  'organisation',
  'siret',
  'account_id',
  'decision',
  'comment',
];
const form = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), hostileKey), hostileString), {
  maxLength: 12,
});

describe('developer portal forms under hostile input', () => {
  it('never answers 5xx', { timeout: 300_000 }, async () => {
    const base = `/developpeurs/applications/${appId}`;
    const targets: [UserAgent, string][] = [
      [developer, '/developpeurs/inscription'],
      [developer, '/developpeurs/connexion'],
      [developer, '/developpeurs/mot-de-passe-oublie'],
      [developer, '/developpeurs/nouveau-mot-de-passe'],
      [developer, '/developpeurs/applications'],
      [developer, `${base}/modifier`],
      [developer, `${base}/catalogue`],
      [developer, `${base}/adresses`],
      [developer, `${base}/equipe`],
      [developer, `${base}/equipe/retirer`],
      [developer, `${base}/soumettre`],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), form, async ([agent, path], fields) => {
        const answer = await postAs(agent, path, fields);
        safe(`POST ${path} ${JSON.stringify(fields)}`, answer, fields.flat());
      }),
      { numRuns: runs(60) },
    );
    await fc.assert(
      fc.asyncProperty(uuidish, hostileString, async (id, query) => {
        for (const path of [
          `/developpeurs/applications/${enc(id)}`,
          `/developpeurs/applications/${appId}/statistiques?environnement=${enc(query)}`,
          `/developpeurs/verification?jeton=${enc(query)}`,
          `/developpeurs/nouveau-mot-de-passe?jeton=${enc(query)}`,
        ]) {
          const cookie = developer.cookieHeader(new URL(server.issuer));
          safe(`GET ${path}`, await send(`${server.issuer}${path}`, { headers: { cookie } }), [id, query]);
        }
        const adminCookie = admin.cookieHeader(new URL(server.issuer));
        const review = `/admin/validations/${enc(id)}`;
        assertSafe(
          `GET ${review}`,
          await send(`${server.issuer}${review}`, { headers: { cookie: adminCookie } }),
          [id],
        );
      }),
      { numRuns: runs(30) },
    );
  });
});
