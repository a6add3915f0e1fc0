// A jobseeker who ticks every field of a rich app one by one: the form repeats `fields` far more than
// 20 times, the point where the form parser's default would turn the list into an object and the
// decision would be refused. Every box ticked must be recorded and served.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { STANDARD_DATA_SCOPES } from '../support/factories.ts';
import { apiGet, grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const catalog = loadCatalog(path.resolve('scopes'));
const SCOPES = ['profile', 'email', 'phone', 'address', ...STANDARD_DATA_SCOPES];
const ALL_FIELDS = SCOPES.flatMap((id) => (catalog.byId.get(id)?.fields ?? []).map((f) => `${id}.${f.id}`));

describe('a consent with every field ticked one by one', () => {
  it('records and serves all of them', async () => {
    expect(ALL_FIELDS.length).toBeGreaterThan(40);
    const { tokens } = await grantedApp(server, { scope: `openid ${SCOPES.join(' ')}`, fields: ALL_FIELDS });
    const res = await apiGet(server, tokens.access_token, 'consent');
    expect(res.status).toBe(200);
    const { fields } = (await res.json()) as { fields: string[] };
    expect([...fields].sort()).toEqual(expect.arrayContaining([...ALL_FIELDS].sort()));
    expect(fields.filter((f) => !f.startsWith('openid.')).sort()).toEqual([...ALL_FIELDS].sort());
  });
});
