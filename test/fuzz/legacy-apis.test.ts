// Fuzzing the legacy Pôle emploi Connect APIs (/partenaire/*): their paths and hostile ones, every
// method, schemes, real and random tokens, query strings. Every answer is below 500, JSON, no-store,
// without CORS, leaks nothing, names its scheme when it refuses, and changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_MAPPINGS } from '../../src/legacy-api/legacy-apis.ts';
import {
  checkOne,
  describeRequest,
  encode,
  headerValue,
  hostileString,
  inputsOf,
  paramsArb,
  runs,
  send,
  toByteString,
  uriEscape,
} from '../support/fuzz.ts';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let app: Awaited<ReturnType<typeof grantedApp>>;
beforeAll(async () => {
  // A limit far above the run's requests: the fuzz should reach the code behind the limiter.
  server = await startTestServer({ LEGACY_API_RATE_LIMIT: '10000/10000' });
  app = await grantedApp(server, {
    scope: 'openid offline_access profile competences statut',
    fields: ['profile.given_name', 'competences.code', 'competences.libelle', 'statut.libelleStatutIndividu'],
    resource: false,
  });
});
afterAll(() => server?.close());

const PATHS = Object.keys(LEGACY_MAPPINGS);
const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PATHS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '/',
      'peconnect-statut/v1/statut/',
      'peconnect-statut/v1/Statut',
      'peconnect-statut/v1/%73tatut',
      'peconnect-statut/v1/statut/..',
      'peconnect-detailindemnisations/v1/indemnisation',
      '..%2fapi%2fv1%2fcompetences',
    ),
  },
  { weight: 2, arbitrary: hostileString.map(uriEscape) },
);

const token = fc.oneof(
  { weight: 4, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constant('refresh') },
  { weight: 1, arbitrary: fc.constant('id_token') },
  { weight: 1, arbitrary: fc.constant('tampered') },
  { weight: 2, arbitrary: hostileString },
);
function tokenOf(t: string): string {
  const named: Record<string, string> = {
    valid: app.tokens.access_token,
    refresh: app.tokens.refresh_token as string,
    id_token: app.tokens.id_token as string,
    tampered: `${app.tokens.access_token.slice(0, -2)}xx`,
  };
  return Object.hasOwn(named, t) ? (named[t] as string) : t;
}

describe('fuzz: /partenaire', () => {
  it('paths, methods, schemes, tokens and queries: < 500, JSON, no-store, no CORS, no state change', async () => {
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'),
        fc.constantFrom('Bearer', 'Bearer', 'bearer', 'DPoP', 'Basic', '', 'Bearer  '),
        token,
        fc.option(paramsArb(['access_token', 'realm', 'schema'], { maxLength: 3 })),
        fc.option(headerValue),
        async (p, method, scheme, t, query, origin) => {
          const value = tokenOf(t);
          const url = `${server.url}/partenaire/${p}${query ? `?${encode(query, false)}` : ''}`;
          const headers: Record<string, string> = {};
          const authorization = toByteString(`${scheme} ${value}`);
          if (authorization) headers.authorization = authorization;
          if (origin) headers.origin = origin;
          const result = await checkOne(server.pool, async () => ({
            what: describeRequest(method, url, undefined, headers),
            answer: await send(url, { method, headers }),
            inputs: inputsOf(p, value, query, headers),
          }));
          const { answer, what } = result;
          expect([200, 400, 401, 403, 404, 405], what).toContain(answer.status);
          expect(answer.headers.get('access-control-allow-origin'), what).toBeNull();
          if (answer.status === 401)
            expect(answer.headers.get('www-authenticate'), what).toMatch(/^(Bearer|DPoP) /);
          const inLegacy = new URL(url).pathname.startsWith('/partenaire/');
          if (inLegacy && method !== 'HEAD' && answer.status !== 405) {
            expect(answer.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
            expect(answer.headers.get('cache-control') ?? '', what).toMatch(/no-store/);
          }
          const challenge = answer.headers.get('www-authenticate') ?? '';
          if (value.length > 8) expect(challenge.includes(value), what).toBe(false);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('the valid token still reads what was consented, and only that', async () => {
    const read = await send(`${server.url}/partenaire/peconnect-competences/v2/competences`, {
      headers: { authorization: `Bearer ${app.tokens.access_token}` },
    });
    expect(read.status, read.text).toBe(200);
    expect(Object.keys(JSON.parse(read.text)[0]).sort()).toEqual(['code', 'libelle']);
  });
});
