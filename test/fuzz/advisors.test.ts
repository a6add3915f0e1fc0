// Fuzzing MAP's forms and API with real sessions and CSRF tokens: the jobseeker's mandate form and
// step form, the advisor's plan forms, the admin API's advisor routes and the portfolio import.
// Every answer is below 500 and leaks nothing; random input never gives a mandate to anyone else.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAssignments } from '../../src/advisors/portfolio-import.ts';
import { signInToAccount } from '../support/account.ts';
import { assign, createAdvisor, signedInAdvisor } from '../support/advisors.ts';
import { createJobseeker } from '../support/factories.ts';
import {
  assertSafe,
  describeRequest,
  encode,
  hostileJson,
  hostileString,
  inputsOf,
  paramsArb,
  rawEncoding,
  runs,
  send,
  uuidish,
} from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function csrfOf(agent: UserAgent, path: string) {
  const { response } = await agent.follow(new URL(path, server.url));
  return /name="_csrf" value="([^"]+)"/.exec(await response.text())?.[1] ?? '';
}

async function postForm(
  agent: UserAgent,
  path: string,
  csrf: string,
  entries: [string, string][],
  raw: boolean,
) {
  const body = encode([['_csrf', csrf], ...entries], raw);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };
  const r = await agent.request(new URL(path, server.url), { method: 'POST', body, headers });
  const answer = { status: r.status, headers: r.headers, text: await r.text() };
  assertSafe(describeRequest('POST', path, body, headers), answer, inputsOf(entries));
  return answer;
}

describe('fuzz: MAP', () => {
  it('the jobseeker’s forms: < 500, no leak, a mandate only ever to their own advisor', async () => {
    const jobseeker = await createJobseeker(server);
    const advisor = await createAdvisor(server);
    await assign(server, advisor.id, jobseeker.id);
    const agent = await signInToAccount(server, jobseeker);
    const csrf = await csrfOf(agent, '/account/conseiller');
    await fc.assert(
      fc.asyncProperty(
        paramsArb(['fields', 'scopes', 'duree']),
        fc.constantFrom('/account/conseiller/mandat', '/account/conseiller/retrait'),
        uuidish,
        rawEncoding,
        async (entries, path, stepId, raw) => {
          await postForm(agent, path, csrf, entries, raw);
          await postForm(agent, `/account/conseiller/plan/${encodeURIComponent(stepId)}/fait`, csrf, [], raw);
        },
      ),
      { numRuns: runs(150) },
    );
    const { rows } = await server.pool.query(
      'SELECT advisor_id, client_id FROM consents WHERE jobseeker_id = $1',
      [jobseeker.id],
    );
    for (const row of rows) expect(row).toEqual({ advisor_id: advisor.id, client_id: null });
  });

  it('the advisor’s plan forms: < 500, no leak', async () => {
    const jobseeker = await createJobseeker(server);
    const advisor = await createAdvisor(server);
    await assign(server, advisor.id, jobseeker.id);
    const { agent } = await signedInAdvisor(server, advisor);
    const base = `/conseiller/personnes/${jobseeker.id}`;
    const csrf = await csrfOf(agent, base);
    await fc.assert(
      fc.asyncProperty(
        paramsArb(['title', 'details', 'due', 'suggested', 'state']),
        fc.oneof(
          fc.constant(''),
          uuidish.map((s) => `/${encodeURIComponent(s)}`),
        ),
        fc.oneof(fc.constant(jobseeker.id), uuidish),
        rawEncoding,
        async (entries, step, who, raw) => {
          await postForm(
            agent,
            `/conseiller/personnes/${encodeURIComponent(who)}/plan${step}`,
            csrf,
            entries,
            raw,
          );
        },
      ),
      { numRuns: runs(150) },
    );
    const path = `${base}?x=1`;
    const view = await send(new URL(path, server.url), {
      headers: { cookie: agent.cookieHeader(new URL(server.url)) },
    });
    assertSafe(`GET ${path}`, view);
  });

  it('the admin API’s advisor routes: < 500, JSON errors', async () => {
    const admin = await server.app.services.admins.create(
      'fuzz-advisors@pole-emploi.example',
      'correct horse battery staple',
      { actor: 'test' },
    );
    const { token } = await server.app.services.admins.createToken(admin.id, 'fuzz', null, { actor: 'test' });
    const advisor = await createAdvisor(server);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'POST /advisors',
          `PATCH /advisors/${advisor.id}`,
          'PATCH /advisors/x',
          'GET /advisors/x',
        ),
        fc.oneof(
          hostileJson,
          fc.record(
            {
              email: hostileString,
              display_name: hostileString,
              agency: hostileString,
              password: hostileString,
            },
            { requiredKeys: [] },
          ),
          fc.record(
            { display_name: hostileString, agency: hostileString, disabled: fc.jsonValue() },
            { requiredKeys: [] },
          ),
        ),
        async (route, body) => {
          const [method, path] = route.split(' ') as [string, string];
          const init = {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
          };
          const answer = await send(`${server.issuer}/admin/api${path}`, init);
          assertSafe(`${route} ${JSON.stringify(body)}`, answer, inputsOf(body));
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it('the portfolio import: any line is taken or refused by its number, never a crash', async () => {
    const advisor = await createAdvisor(server);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            hostileString,
            fc
              .record({
                advisor: fc.oneof(hostileString, fc.constant(advisor.email)),
                jobseeker: hostileString,
              })
              .map((l) => JSON.stringify(l)),
          ),
          { maxLength: 6 },
        ),
        async (lines) => {
          const text = lines.map((l) => l.replace(/[\r\n]/g, ' ')).join('\n');
          const report = await importAssignments(server.pool, Readable.from([text]));
          const nonEmpty = text.split('\n').filter((l) => l.trim()).length;
          expect(report.assigned + report.reassigned + report.unchanged + report.rejected.length).toBe(
            nonEmpty,
          );
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
