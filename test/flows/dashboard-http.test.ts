// The jobseeker's dashboard over HTTP: ownership (IDOR), CSRF, narrowing and revocation taking effect
// on the app's very next call, concurrent changes, expiry and the access-log retention purge.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAccessLogPartitions } from '../../src/api/access-log-queries.ts';
import { tokenHash } from '../../src/crypto/token-hash.ts';
import { purgeExpired } from '../../src/jobs/purge-expired.ts';
import { createJobseeker } from '../support/factories.ts';
import { apiGet, grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const FIELDS = [
  'competences.code',
  'competences.libelle',
  'competences.niveau',
  'statut.libelleStatutIndividu',
];

// A jobseeker who granted an app some fields, with the app's tokens, and a browser logged in to /account.
async function grantedAndSignedIn() {
  const { jobseeker, client, config, tokens } = await grantedApp(server, {
    scope: 'openid offline_access competences statut',
    fields: FIELDS,
  });
  const agent = new UserAgent();
  const login = await agent.follow(`${server.issuer}/account`);
  const loginHtml = await login.response.text();
  const signedIn = await agent.submit(login.url, loginHtml, formAction(loginHtml, '/account/login'), [
    ['login', jobseeker.login],
    ['password', jobseeker.password],
    ['retour', '/account/consents'],
  ]);
  const { rows } = await server.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [jobseeker.id]);
  return { jobseeker, client, config, tokens, agent, page: signedIn, consentId: rows[0].id as string };
}

const api = (token: string, path: string) => apiGet(server, token, path);

async function post(agent: UserAgent, path: string, fields: [string, string][]) {
  const page = await agent.follow(`${server.issuer}/account/consents`);
  const html = await page.response.text();
  return agent.submit(page.url, html, path, fields);
}

describe('/account', () => {
  it('sends a visitor without a session to the login page', async () => {
    const res = await new UserAgent().request(`${server.issuer}/account/consents`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/account\/login\?retour=/);
  });

  it('shows the granted fields and narrows them: the app loses exactly that field on its next call', async () => {
    const { agent, tokens, consentId } = await grantedAndSignedIn();
    const before = await (await api(tokens.access_token, 'competences')).json();
    expect(Object.keys(before[0]).sort()).toEqual(['code', 'libelle', 'niveau']);

    const page = await agent.follow(`${server.issuer}/account/consents`);
    const html = await page.response.text();
    expect(html).toContain(`value="competences.niveau"`);
    const keep = FIELDS.filter((f) => f !== 'competences.niveau').map(
      (f) => ['fields', f] as [string, string],
    );
    const saved = await agent.submit(page.url, html, `/account/consents/${consentId}/fields`, keep);
    expect(saved.url.pathname).toBe('/account/consents');
    expect(saved.url.searchParams.get('ok')).toBe('narrowed');

    const after = await (await api(tokens.access_token, 'competences')).json();
    expect(Object.keys(after[0]).sort()).toEqual(['code', 'libelle']);
    expect((await api(tokens.access_token, 'statut')).status).toBe(200);
  });

  it('revokes after a confirmation: access and refresh tokens stop working at once', async () => {
    const { agent, tokens, config, consentId } = await grantedAndSignedIn();
    const confirm = await post(agent, `/account/consents/${consentId}/revoke`, []);
    const confirmHtml = await confirm.response.text();
    expect(confirmHtml).toContain('Confirmer');
    expect((await api(tokens.access_token, 'competences')).status).toBe(200);

    const done = await agent.submit(confirm.url, confirmHtml, `/account/consents/${consentId}/revoke`, [
      ['confirm', 'yes'],
    ]);
    expect(done.url.searchParams.get('ok')).toBe('revoked');
    expect((await api(tokens.access_token, 'competences')).status).toBe(401);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const events = await server.pool.query(
      'SELECT kind FROM consent_events WHERE consent_id = $1 ORDER BY id',
      [consentId],
    );
    expect(events.rows.map((r) => r.kind)).toEqual(['granted', 'revoked']);
  });

  it("never shows or changes another jobseeker's consent (404)", async () => {
    const a = await grantedAndSignedIn();
    const b = await grantedAndSignedIn();
    for (const path of [`/account/consents/${b.consentId}/history`]) {
      expect((await a.agent.request(`${server.issuer}${path}`)).status).toBe(404);
    }
    for (const path of [
      `/account/consents/${b.consentId}/fields`,
      `/account/consents/${b.consentId}/revoke`,
      `/account/consents/${b.consentId}/renew`,
    ]) {
      const res = await post(a.agent, path, [['confirm', 'yes']]);
      expect(res.response.status).toBe(404);
    }
    const { rows } = await server.pool.query('SELECT status, fields FROM consents WHERE id = $1', [
      b.consentId,
    ]);
    expect(rows[0].status).toBe('active');
    expect(rows[0].fields).toContain('competences.niveau');
    expect((await api(b.tokens.access_token, 'competences')).status).toBe(200);
  });

  it('refuses a form post without the CSRF token, and a cross-site one', async () => {
    const { agent, consentId } = await grantedAndSignedIn();
    const url = `${server.issuer}/account/consents/${consentId}/revoke`;
    const body = new URLSearchParams({ confirm: 'yes' });
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await agent.request(url, { method: 'POST', body, headers })).status).toBe(403);
    const page = await agent.follow(`${server.issuer}/account/consents`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.response.text())?.[1] as string;
    const crossSite = await agent.request(url, {
      method: 'POST',
      body: new URLSearchParams({ confirm: 'yes', _csrf: csrf }),
      headers: { ...headers, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const { rows } = await server.pool.query('SELECT status FROM consents WHERE id = $1', [consentId]);
    expect(rows[0].status).toBe('active');
  });

  it('ends concurrent narrow and revoke requests in one consistent state, each event recorded once', async () => {
    const { jobseeker, consentId } = await grantedAndSignedIn();
    const { consentChanges } = server.app.services;
    const results = await Promise.allSettled([
      consentChanges.narrow(jobseeker.id, consentId, ['competences.code']),
      consentChanges.revoke(jobseeker.id, consentId),
      consentChanges.narrow(jobseeker.id, consentId, ['competences.libelle']),
      consentChanges.revoke(jobseeker.id, consentId),
    ]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const { rows } = await server.pool.query('SELECT status, fields FROM consents WHERE id = $1', [
      consentId,
    ]);
    expect(rows[0]).toEqual({ status: 'revoked', fields: [] });
    const events = await server.pool.query(
      'SELECT kind FROM consent_events WHERE consent_id = $1 ORDER BY id',
      [consentId],
    );
    const kinds = events.rows.map((r) => r.kind);
    expect(kinds.filter((k) => k === 'revoked')).toHaveLength(1);
    expect(kinds.at(-1)).toBe('revoked');
    expect(kinds[0]).toBe('granted');
  });

  it('records the expiry of a consent, refuses reads under it, and purges reads past retention', async () => {
    const { jobseeker, tokens, consentId, client } = await grantedAndSignedIn();
    expect((await api(tokens.access_token, 'competences')).status).toBe(200);
    await server.app.services.accessLog.flush();
    await server.pool.query("UPDATE consents SET expires_at = now() - interval '1 second' WHERE id = $1", [
      consentId,
    ]);
    expect((await api(tokens.access_token, 'competences')).status).toBe(401);

    // A read in a month wholly past the retention (its partition created for the test: migration 082).
    await ensureAccessLogPartitions(server.pool, 0, 15);
    await server.pool.query(
      `INSERT INTO access_log (jobseeker_id, client_id, scope, fields, read_at)
       VALUES ($1, $2, 'competences', '{code}', now() - interval '430 days')`,
      [jobseeker.id, client.client_id],
    );
    const counts = await purgeExpired({
      pool: server.pool,
      consentChanges: server.app.services.consentChanges,
      accessLogRetentionDays: 396,
    });
    expect(counts.consentsExpired).toBeGreaterThanOrEqual(1);
    const consent = await server.pool.query('SELECT status FROM consents WHERE id = $1', [consentId]);
    expect(consent.rows[0].status).toBe('expired');
    const expired = await server.pool.query(
      "SELECT count(*)::int AS n FROM consent_events WHERE consent_id = $1 AND kind = 'expired'",
      [consentId],
    );
    expect(expired.rows[0].n).toBe(1);
    const reads = await server.pool.query(
      "SELECT read_at > now() - interval '1 day' AS recent FROM access_log WHERE jobseeker_id = $1",
      [jobseeker.id],
    );
    expect(reads.rows.length).toBeGreaterThanOrEqual(1);
    expect(reads.rows.every((r) => r.recent)).toBe(true);
  });
});

describe('/account session', () => {
  // A browser's row of web_sessions (the hash of its session cookie): its row version (xmin changes
  // on every write) and data. (The browser that went through the flow has a session of its own.)
  const sessionKey = (agent: UserAgent) =>
    tokenHash(/pec\.sid=([^;]+)/.exec(agent.cookieHeader(new URL(server.issuer)))?.[1] as string);
  async function storedSession(agent: UserAgent) {
    const { rows } = await server.pool.query<{ version: string; data: Record<string, number> }>(
      'SELECT xmin::text AS version, data FROM web_sessions WHERE id_hash = $1',
      [sessionKey(agent)],
    );
    expect(rows).toHaveLength(1);
    return rows[0] as { version: string; data: Record<string, number> };
  }
  const setSessionTime = (agent: UserAgent, key: string, at: number) =>
    server.pool.query(
      `UPDATE web_sessions SET data = jsonb_set(data, '{${key}}', to_jsonb($2::bigint)) WHERE id_hash = $1`,
      [sessionKey(agent), at],
    );
  const consentsPage = (agent: UserAgent) => agent.request(`${server.issuer}/account/consents`);

  it('changes the session id at login', async () => {
    const agent = new UserAgent();
    const sessionId = (url: URL) => /pec\.sid=([^;]+)/.exec(agent.cookieHeader(url))?.[1];
    const logIn = async () => {
      const login = await agent.follow(`${server.issuer}/account/login`);
      // Looking at the login page gives no session (nothing to keep yet, nothing to fix).
      const jobseeker = await createJobseeker(server);
      const html = await login.response.text();
      await agent.submit(login.url, html, formAction(html, '/account/login'), [
        ['login', jobseeker.login],
        ['password', jobseeker.password],
      ]);
      return login.url;
    };
    expect(sessionId(new URL(server.issuer))).toBeUndefined();
    const url = await logIn();
    const before = sessionId(url);
    expect(before).toBeTruthy();
    // A session the browser already had (here a sign-in; for an attacker, one they fixed) is
    // replaced at the next login.
    await logIn();
    const after = sessionId(url);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
  });

  it('does not write the session back on every page view, only once a minute', async () => {
    const { agent } = await grantedAndSignedIn();
    const signedIn = await storedSession(agent);
    for (let i = 0; i < 3; i++) expect((await consentsPage(agent)).status).toBe(200);
    expect((await storedSession(agent)).version).toBe(signedIn.version);

    // A minute after the last write, a page view records that the jobseeker is still there.
    const minuteAgo = Date.now() - 61_000;
    await setSessionTime(agent, 'lastSeenAt', minuteAgo);
    const moved = await storedSession(agent);
    expect((await consentsPage(agent)).status).toBe(200);
    const seen = await storedSession(agent);
    expect(seen.version).not.toBe(moved.version);
    expect(seen.data.lastSeenAt).toBeGreaterThan(minuteAgo + 60_000);
  });

  it('ends the session after 30 minutes idle, or at the end of its lifetime, on the server', async () => {
    for (const [key, ago] of [
      ['lastSeenAt', 30 * 60_000 + 1_000],
      ['authenticatedAt', server.config.sessionTtlHours * 3_600_000 + 1_000],
    ] as const) {
      const { agent } = await grantedAndSignedIn();
      // Still in: 29 minutes idle, or just within its lifetime.
      await setSessionTime(agent, key, Date.now() - ago + 60_000);
      expect((await consentsPage(agent)).status, key).toBe(200);
      await setSessionTime(agent, key, Date.now() - ago);
      const res = await consentsPage(agent);
      expect(res.status, key).toBe(302);
      expect(res.headers.get('location'), key).toMatch(/^\/account\/login\?retour=/);
    }
  });
});
