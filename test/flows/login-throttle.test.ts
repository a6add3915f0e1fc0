// Login throttling: per account and per address, held in PostgreSQL, not bypassed by parallel
// requests, the same for unknown and known logins, and never a lockout for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/security/login-throttle.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

// A browser on the dashboard's login page, able to post its form many times.
async function loginForm() {
  const agent = new UserAgent();
  const page = await agent.follow(`${server.issuer}/account/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.response.text())?.[1] as string;
  return (login: string, password: string, ip?: string) =>
    agent.request(`${server.issuer}/account/login`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf, login, password, retour: '/account/consents' }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(ip ? { 'x-forwarded-for': ip } : {}),
      },
    });
}

const limit = DEFAULT_LIMITS.perAccount;

describe('login throttling', () => {
  it('refuses an account after too many attempts, even with the right password, then lets it in again', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    for (let i = 0; i < limit; i++) expect((await post(jobseeker.login, 'wrong-password')).status).toBe(401);
    const blocked = await post(jobseeker.login, jobseeker.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('Trop de tentatives');

    // Not for good: once the window is over, the right password works.
    await server.pool.query(
      "UPDATE login_throttle SET window_start = now() - interval '16 minutes' WHERE key = $1",
      [`account:${jobseeker.login}`],
    );
    expect((await post(jobseeker.login, jobseeker.password)).status).toBe(303);
  });

  it('cannot be bypassed by parallel attempts', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () => post(jobseeker.login, 'wrong').then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - limit);
  });

  it('treats an unknown login exactly like a known one', async () => {
    const post = await loginForm();
    const unknown = `nobody-${Date.now()}`;
    for (let i = 0; i < limit; i++) expect((await post(unknown, 'wrong-password')).status).toBe(401);
    expect((await post(unknown, 'wrong-password')).status).toBe(429);
  });

  it('clears the account counter on success', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    for (let i = 0; i < limit - 1; i++) await post(jobseeker.login, 'wrong-password');
    expect((await post(jobseeker.login, jobseeker.password)).status).toBe(303);
    const { rowCount } = await server.pool.query('SELECT 1 FROM login_throttle WHERE key = $1', [
      `account:${jobseeker.login}`,
    ]);
    expect(rowCount).toBe(0);
  });

  it('counts only failures against an address', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    const before = await server.pool.query<{ attempts: number }>(
      "SELECT attempts FROM login_throttle WHERE key = 'ip:127.0.0.1'",
    );
    for (let i = 0; i < 3; i++) expect((await post(jobseeker.login, jobseeker.password)).status).toBe(303);
    const after = await server.pool.query<{ attempts: number }>(
      "SELECT attempts FROM login_throttle WHERE key = 'ip:127.0.0.1'",
    );
    expect(after.rows[0]?.attempts).toBe(before.rows[0]?.attempts ?? 0);
  });
});

describe('admin login throttling', () => {
  it('throttles the admin console password step per email', async () => {
    const email = `admin-${Date.now()}@example.fr`;
    await server.app.services.admins.create(email, 'a-long-admin-password', { actor: 'test' });
    const agent = new UserAgent();
    const page = await agent.follow(`${server.issuer}/admin/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.response.text())?.[1] as string;
    const post = (password: string) =>
      agent.request(`${server.issuer}/admin/login`, {
        method: 'POST',
        body: new URLSearchParams({ _csrf: csrf, email, password }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    for (let i = 0; i < limit; i++) expect((await post('wrong-password')).status).toBe(401);
    const blocked = await post('a-long-admin-password');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
  });
});
