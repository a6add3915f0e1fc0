// The resource API reads its path one way only: /api/v1/<scope> exactly as the catalog names it.
// Any other spelling (a trailing slash, percent-encoding, another case, an empty or extra segment)
// is a 404 that reads nothing and records nothing; HEAD is refused; a read is recorded in the
// jobseeker's access log only when its body was sent.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** A request with its path sent byte for byte (fetch would normalise some of them). */
function raw(path: string, method: string, token: string) {
  const { hostname, port } = new URL(server.url);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const req = http.request(
        { hostname, port, path, method, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

async function reads(jobseekerId: string): Promise<number> {
  await server.app.services.accessLog.flush();
  const { rows } = await server.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM access_log WHERE jobseeker_id = $1',
    [jobseekerId],
  );
  return rows[0]?.n ?? -1;
}

describe('resource API paths', () => {
  let token: string;
  let jobseekerId: string;
  beforeAll(async () => {
    const app = await grantedApp(server, {
      scope: 'openid competences',
      fields: ['competences.code', 'competences.libelle'],
    });
    token = app.tokens.access_token;
    jobseekerId = app.jobseeker.id;
  });

  it.each([
    '/api/v1/competences/',
    '/api/v1/%63ompetences',
    '/api/v1/competence%73',
    '/api/v1/Competences',
    '/api/v1//competences',
    '/api/v1/competences//',
    '/api/v1/./competences',
    '/api/v1/x/../competences',
    '/api/v1/competences%2F',
    '/api/v1/competences;x',
    '/api/v1/consent/',
    '/api/v1/%63onsent',
    '/api/v1/',
    '/api/v1/nope',
  ])('%s: a JSON 404 that records no read', async (path) => {
    const before = await reads(jobseekerId);
    const answer = await raw(path, 'GET', token);
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body).error).toBe('not_found');
    expect(await reads(jobseekerId)).toBe(before);
  });

  it('refuses HEAD (405, Allow: GET) and records no read', async () => {
    const before = await reads(jobseekerId);
    for (const path of ['/api/v1/competences', '/api/v1/consent']) {
      const answer = await raw(path, 'HEAD', token);
      expect(answer.status, path).toBe(405);
      expect(answer.headers.allow, path).toBe('GET');
    }
    expect(await reads(jobseekerId)).toBe(before);
  });

  it('records exactly one read for the canonical path, with the body it sent', async () => {
    const before = await reads(jobseekerId);
    const answer = await raw('/api/v1/competences?x=1', 'GET', token);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).length).toBeGreaterThan(0);
    expect(await reads(jobseekerId)).toBe(before + 1);
  });
});
