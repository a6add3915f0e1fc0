// Fuzzing the resource API (/api/v1/*): every scope path and hostile ones, every method, and every
// kind of Authorization and DPoP header — Bearer or DPoP with random or real tokens, Basic, garbage,
// huge values — and tokens in the query string. Every answer is below 500, JSON, no-store, without
// CORS, leaks nothing, names its scheme in WWW-Authenticate when it refuses, and changes nothing.
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let other: Awaited<ReturnType<typeof grantedApp>>;
let key: CryptoKeyPair;
let jwk: Awaited<ReturnType<typeof exportJWK>>;

beforeAll(async () => {
  server = await startTestServer();
  app = await grantedApp(server, {
    scope: 'openid offline_access competences statut',
    fields: ['competences.code', 'competences.libelle', 'statut.libelleStatutIndividu'],
  });
  other = await grantedApp(server, { scope: 'openid competences', fields: ['competences.code'] });
  key = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
  jwk = await exportJWK(key.publicKey);
});
afterAll(() => server?.close());

const SCOPES = [
  'competences',
  'statut',
  'indemnisation',
  'langues',
  'permis',
  'formations',
  'experiences',
  'projet',
];

const path = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...SCOPES, 'consent', 'openid', 'profile', 'email', 'offline_access'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '/', 'competences/', 'competences/x', '..', '%2e%2e', '../openapi.json'),
  },
  { weight: 2, arbitrary: hostileString.map(uriEscape) },
);

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constant('other') },
  { weight: 1, arbitrary: fc.constant('refresh') },
  { weight: 1, arbitrary: fc.constant('id_token') },
  { weight: 1, arbitrary: fc.constant('tampered') },
  { weight: 2, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(...'ABCabc012-_'), minLength: 20, maxLength: 128 }),
  },
);
function tokenOf(t: string): string {
  const named: Record<string, string> = {
    valid: app.tokens.access_token,
    other: other.tokens.access_token,
    refresh: app.tokens.refresh_token as string,
    id_token: app.tokens.id_token as string,
    tampered: `${app.tokens.access_token.slice(0, -2)}xx`,
  };
  // (Object.hasOwn: a random token may well be `constructor`.)
  return Object.hasOwn(named, t) ? (named[t] as string) : t;
}

/** DPoP proofs: none, random, or well-formed JWTs that are wrong in one way or another. */
const proof = fc.oneof(
  fc.constant(undefined),
  headerValue,
  fc
    .record({
      alg: fc.constantFrom('ES256', 'none', 'HS256', 'RS256'),
      typ: fc.constantFrom('dpop+jwt', 'JWT', ''),
      htm: fc.constantFrom('GET', 'POST', ''),
      htu: fc.constantFrom('right', 'wrong', ''),
      ath: fc.constantFrom('right', 'wrong', ''),
      iat: fc.constantFrom(0, -3_600, 3_600, 1e12),
      jti: fc.oneof(fc.constant('uuid'), hostileString),
    })
    .map((p) => ({ claims: p })),
);

async function dpopProof(
  p: {
    claims: { alg: string; typ: string; htm: string; htu: string; ath: string; iat: number; jti: string };
  },
  url: string,
  accessToken: string,
): Promise<string> {
  const { alg, typ, htm, htu, ath, iat, jti } = p.claims;
  const payload: Record<string, unknown> = {
    htm,
    htu:
      htu === 'right' ? url.replace(/\?.*$/, '') : htu === 'wrong' ? 'https://evil.example/api' : undefined,
    ath:
      ath === 'right'
        ? createHash('sha256').update(accessToken).digest('base64url')
        : ath === 'wrong'
          ? 'x'
          : undefined,
    iat: Math.floor(Date.now() / 1000) + iat,
    jti: jti === 'uuid' ? randomUUID() : jti,
  };
  if (alg !== 'ES256') {
    const header = Buffer.from(JSON.stringify({ alg, typ, jwk })).toString('base64url');
    return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${alg === 'none' ? '' : 'c2ln'}`;
  }
  return new SignJWT(payload).setProtectedHeader({ alg, typ, jwk }).sign(key.privateKey);
}

describe('fuzz: /api/v1', () => {
  it('paths, methods, schemes, tokens and proofs: < 500, JSON, no-store, no CORS, no state change', async () => {
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'),
        fc.constantFrom(
          'Bearer',
          'Bearer',
          'DPoP',
          'bearer',
          'dpop',
          'Basic',
          'MAC',
          '',
          'Bearer  ',
          'Bearer\t',
        ),
        token,
        proof,
        fc.option(paramsArb(['access_token', 'fields', 'scope'], { maxLength: 3 })),
        fc.option(headerValue),
        async (p, method, scheme, t, pr, query, origin) => {
          const value = tokenOf(t);
          const url = `${server.url}/api/v1/${p}${query ? `?${encode(query, false)}` : ''}`;
          const headers: Record<string, string> = {};
          const authorization = toByteString(`${scheme} ${value}`);
          if (authorization) headers.authorization = authorization;
          if (typeof pr === 'string') {
            if (pr) headers.dpop = pr;
          } else if (pr) headers.dpop = await dpopProof(pr, url, value);
          if (origin) headers.origin = origin;
          const result = await checkOne(server.pool, async () => ({
            what: describeRequest(method, url, undefined, headers),
            answer: await send(url, { method, headers }),
            inputs: inputsOf(p, value, query, headers),
          }));
          const { answer, what } = result;
          expect([200, 204, 400, 401, 403, 404, 405], what).toContain(answer.status);
          expect(answer.headers.get('access-control-allow-origin'), what).toBeNull();
          if (answer.status === 401)
            expect(answer.headers.get('www-authenticate'), what).toMatch(/^(Bearer|DPoP) /);
          const inApi = new URL(url).pathname.startsWith('/api/v1/');
          if (inApi && method !== 'HEAD' && answer.status !== 204 && answer.status !== 405) {
            expect(answer.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
            // What passed the router (data, refusals) is never cached; an unknown path's 404 may be.
            if (answer.status !== 404)
              expect(answer.headers.get('cache-control') ?? '', what).toMatch(/no-store/);
          }
          // The header that names the scheme never echoes the token it was given.
          const challenge = answer.headers.get('www-authenticate') ?? '';
          if (value.length > 8) expect(challenge.includes(value), what).toBe(false);
        },
      ),
      { numRuns: runs(500) },
    );
  });

  it('the valid token still reads what was consented, and only that', async () => {
    const read = await send(`${server.url}/api/v1/competences`, {
      headers: { authorization: `Bearer ${app.tokens.access_token}` },
    });
    expect(read.status, read.text).toBe(200);
    expect(Object.keys(JSON.parse(read.text)[0]).sort()).toEqual(['code', 'libelle']);
    const refused = await send(`${server.url}/api/v1/langues`, {
      headers: { authorization: `Bearer ${app.tokens.access_token}` },
    });
    expect(refused.status).toBe(403);
  });
});
