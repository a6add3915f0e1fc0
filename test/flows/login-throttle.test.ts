// Login throttling: per account and per address, held in PostgreSQL, not bypassed by parallel
// requests, the same for unknown and known logins — and no lockout handed to whoever guesses: a
// browser that signed in before keeps its own allowance (device cookie), and others are slowed to
// one attempt per interval, never blocked for a whole window. Jobseeker logins (consent flow and
// /account) and admin logins alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/security/login-throttle.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  // Attempts come from many addresses (X-Forwarded-For), as from a botnet.
  server = await startTestServer({ TRUST_PROXY: 'true' });
});
afterAll(() => server?.close());

let address = 0;
const nextAddress = () => `203.0.113.${++address % 250}`;

/** A browser on a login page (/account or /admin), able to post its form many times. */
async function loginForm(agent = new UserAgent(), realm: 'account' | 'admin' = 'account') {
  const page = await agent.follow(`${server.issuer}/${realm}/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.response.text())?.[1] as string;
  return (login: string, password: string, ip = nextAddress()) =>
    agent.request(`${server.issuer}/${realm}/login`, {
      method: 'POST',
      body: new URLSearchParams({
        _csrf: csrf,
        [realm === 'admin' ? 'email' : 'login']: login,
        password,
        retour: '/account/consents',
      }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    });
}

const burst = DEFAULT_LIMITS.account.burst;

describe('login throttling', () => {
  it('slows an account being guessed, without locking its owner out', async () => {
    const jobseeker = await createJobseeker(server);
    // The owner signed in from this browser before: it is a known device of the account.
    const owner = new UserAgent();
    expect((await (await loginForm(owner))(jobseeker.login, jobseeker.password)).status).toBe(303);

    const attacker = await loginForm();
    for (let i = 0; i < burst; i++)
      expect((await attacker(jobseeker.login, 'wrong-password')).status).toBe(401);
    const slowed = await attacker(jobseeker.login, jobseeker.password);
    expect(slowed.status).toBe(429);
    const wait = Number(slowed.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    // Slowed, not locked for a whole window: the next attempt is at most one interval away.
    expect(wait).toBeLessThanOrEqual(DEFAULT_LIMITS.account.everySeconds);
    expect(await slowed.text()).toContain('Trop de tentatives');

    // Meanwhile the owner's browser signs in at once.
    expect((await (await loginForm(owner))(jobseeker.login, jobseeker.password)).status).toBe(303);

    // A stranger's browser waits its turn: after one interval, one attempt gets through.
    await server.pool.query(
      'UPDATE login_throttle SET tat = tat - make_interval(secs => $2) WHERE key = $1',
      [`account:${jobseeker.login}`, DEFAULT_LIMITS.account.everySeconds],
    );
    expect((await attacker(jobseeker.login, jobseeker.password)).status).toBe(303);
  });

  it('cannot be bypassed by parallel attempts', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () => post(jobseeker.login, 'wrong').then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(burst);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - burst);
  });

  it('treats an unknown login exactly like a known one', async () => {
    const post = await loginForm();
    const unknown = `nobody-${Date.now()}`;
    for (let i = 0; i < burst; i++) expect((await post(unknown, 'wrong-password')).status).toBe(401);
    expect((await post(unknown, 'wrong-password')).status).toBe(429);
  });

  it('counts look-alike spellings of a login as that login', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    const spellings = [` ${jobseeker.login}`, jobseeker.login.toUpperCase(), `${jobseeker.login}\u3000`];
    for (let i = 0; i < burst; i++)
      expect((await post(spellings[i % 3] as string, 'wrong-password')).status).toBe(401);
    expect((await post(jobseeker.login, 'wrong-password')).status).toBe(429);
  });

  it('clears the account counter on success', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    for (let i = 0; i < burst - 1; i++) await post(jobseeker.login, 'wrong-password');
    expect((await post(jobseeker.login, jobseeker.password)).status).toBe(303);
    const { rowCount } = await server.pool.query('SELECT 1 FROM login_throttle WHERE key = $1', [
      `account:${jobseeker.login}`,
    ]);
    expect(rowCount).toBe(0);
  });

  it('counts only failures against an address', async () => {
    const jobseeker = await createJobseeker(server);
    const post = await loginForm();
    const tat = async () =>
      (
        await server.pool.query<{ tat: Date }>("SELECT tat FROM login_throttle WHERE key = 'ip:192.0.2.77'")
      ).rows[0]?.tat.getTime() ?? 0;
    await post(jobseeker.login, 'wrong-password', '192.0.2.77');
    const before = await tat();
    for (let i = 0; i < 3; i++)
      expect((await post(jobseeker.login, jobseeker.password, '192.0.2.77')).status).toBe(303);
    expect(await tat()).toBe(before);
  });
});

describe('admin login throttling', () => {
  it('slows the admin console password step per email, and keeps a known browser in', async () => {
    const email = `admin-${Date.now()}@example.fr`;
    await server.app.services.admins.create(email, 'a-long-admin-password', { actor: 'test' });
    const owner = new UserAgent();
    expect((await (await loginForm(owner, 'admin'))(email, 'a-long-admin-password')).status).toBe(303);

    const attacker = await loginForm(undefined, 'admin');
    for (let i = 0; i < burst; i++) expect((await attacker(email, 'wrong-password')).status).toBe(401);
    const blocked = await attacker(email.toUpperCase(), 'a-long-admin-password');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(
      DEFAULT_LIMITS.account.everySeconds,
    );
    expect((await (await loginForm(owner, 'admin'))(email, 'a-long-admin-password')).status).toBe(303);
  });
});
