// The admin second factor cannot be guessed (issue 10): wrong codes count per admin account in the
// database, across sessions, addresses and instances, and a correct password does not reset them; a
// growing wait, then a lock that only a correct code after the wait, another admin (console, API) or
// the CLI lifts; every failure and the lock in the audit trail with who, from where and when; codes
// accepted within one step of drift and no more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_AT, WAITS_SECONDS } from '../../src/security/second-factor-guard.ts';
import {
  alertOf,
  decode,
  enrolledAdmin,
  getPage,
  nextCode,
  passwordStep,
  post,
  totp,
} from '../support/admin-console.ts';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let one: TestServer;
let two: TestServer;
beforeAll(async () => {
  // Two instances on one database, trusting X-Forwarded-For so that each attempt can come from
  // another address.
  one = await startTestServer({ TRUST_PROXY: 'true' });
  two = await startTestServer({ TRUST_PROXY: 'true' }, undefined, one.db);
});
afterAll(async () => {
  await two?.close();
  await one?.close();
});

let address = 0;
const elsewhere = () => ({ 'x-forwarded-for': `198.51.100.${++address % 250}` });

/** A fresh session on one of the two instances, from a new address, past the password. */
async function codeStep(email: string, server: TestServer) {
  const headers = elsewhere();
  const { agent, location } = await passwordStep(server, email, undefined, undefined, headers);
  expect(location).toBe('/admin/login/code');
  return (code: string) =>
    post(agent, server, '/admin/login/code', '/admin/login/code', [['code', code]], headers);
}

const failuresOf = async (adminId: string) =>
  (
    await one.pool.query<{ failures: number }>(
      'SELECT failures FROM admin_second_factor_failures WHERE admin_id = $1',
      [adminId],
    )
  ).rows[0]?.failures ?? 0;

const endWait = (adminId: string) =>
  one.pool.query(
    "UPDATE admin_second_factor_failures SET blocked_until = now() - interval '1 second' WHERE admin_id = $1",
    [adminId],
  );

describe('admin second factor', () => {
  it('counts wrong codes per account across sessions, addresses and instances; a correct password does not reset them', async () => {
    const { email, id } = await enrolledAdmin(one);
    const free = WAITS_SECONDS.findIndex((s) => s > 0) + 1; // the failure that starts the first wait
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Each try: a new session, on the other instance, from another address, after a correct password.
      const submit = await codeStep(email, i % 2 ? two : one);
      const answer = await submit('000000');
      statuses.push(answer.response.status);
      if (answer.response.status === 429) {
        expect(Number(answer.response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(alertOf(answer.html)).toContain('Trop de codes incorrects pour ce compte');
      }
    }
    expect(statuses).toEqual([...Array(free).fill(401), ...Array(12 - free).fill(429)]);
    expect(await failuresOf(id)).toBe(free);
  });

  it('checks no code during the wait, not even a correct one; after it, a correct code clears the count', async () => {
    const { email, secret, id } = await enrolledAdmin(one);
    const submit = await codeStep(email, one);
    for (let i = 0; i < 3; i++) await submit('000000');
    const refused = await submit(nextCode(secret));
    expect(refused.response.status).toBe(429);
    expect(refused.location).toBeNull();

    await endWait(id);
    const accepted = await submit(nextCode(secret));
    expect(accepted.response.status).toBe(303);
    expect(accepted.location).toBe('/admin');
    expect(await failuresOf(id)).toBe(0);
  });

  it('accepts a code one step away, and none further (RFC 6238 §5.2)', async () => {
    const { email, secret } = await enrolledAdmin(one);
    const submit = await codeStep(email, one);
    // Two steps back and three ahead are outside the ±1 window whatever the moment within a step.
    expect((await submit(totp(secret).generate({ timestamp: Date.now() - 60_000 }))).response.status).toBe(
      401,
    );
    expect((await submit(totp(secret).generate({ timestamp: Date.now() + 90_000 }))).response.status).toBe(
      401,
    );
    expect((await submit(nextCode(secret))).response.status).toBe(303);
  });

  it('locks the account after repeated failures, audits every failure and the lock, and lets another admin unlock it', async () => {
    const locked = await enrolledAdmin(one);
    const ips: string[] = [];
    for (let i = 0; i < LOCK_AT; i++) {
      await endWait(locked.id); // the waits are long: the test skips them
      const headers = elsewhere();
      ips.push(headers['x-forwarded-for']);
      const again = await post(
        (await passwordStep(one, locked.email, undefined, undefined, headers)).agent,
        one,
        '/admin/login/code',
        '/admin/login/code',
        [['code', '000000']],
        headers,
      );
      expect(again.response.status).toBe(401);
    }
    const lockedAnswer = await (await codeStep(locked.email, two))(nextCode(locked.secret));
    expect(lockedAnswer.response.status).toBe(429);
    expect(alertOf(lockedAnswer.html)).toContain('Ce compte est verrouillé');

    const { rows } = await one.pool.query<{
      action: string;
      actor: string;
      after: { ip: string };
      created_at: Date;
    }>(
      `SELECT action, actor, after, created_at FROM admin_audit
        WHERE target_id = $1 AND action LIKE 'admin.second_factor.%' ORDER BY id`,
      [locked.id],
    );
    expect(rows.map((r) => r.action)).toEqual([
      ...Array(LOCK_AT).fill('admin.second_factor.failure'),
      'admin.second_factor.lock',
    ]);
    expect(rows.slice(0, LOCK_AT).map((r) => r.after.ip)).toEqual(ips);
    expect(rows.every((r) => r.actor === `admin:${locked.email}` && r.created_at instanceof Date)).toBe(true);

    // Visible in the console's audit log, to any admin.
    const other = await enrolledAdmin(one);
    const audit = decode((await getPage(other.agent, one, '/admin/audit')).html);
    expect(audit).toContain('Compte verrouillé (codes incorrects)');
    expect(audit).toContain('Code de double authentification incorrect');
    expect(audit).toContain(`adresse IP : ${ips.at(-1)}`);

    // The locked admin cannot unlock themselves through the API; another admin can, in the console.
    const list = decode((await getPage(other.agent, one, '/admin/admins')).html);
    expect(list).toContain('Verrouillé depuis le');
    const unlocked = await post(other.agent, one, '/admin/admins', `/admin/admins/${locked.id}/unlock`, []);
    expect(unlocked.response.status).toBe(303);
    expect(unlocked.location).toBe('/admin/admins?ok=unlocked');
    expect(await failuresOf(locked.id)).toBe(0);
    const back = await (await codeStep(locked.email, two))(nextCode(locked.secret));
    expect(back.response.status).toBe(303);
    const { rows: unlocks } = await one.pool.query<{ actor: string }>(
      "SELECT actor FROM admin_audit WHERE target_id = $1 AND action = 'admin.second_factor.unlock'",
      [locked.id],
    );
    expect(unlocks.map((r) => r.actor)).toEqual([`admin:${other.email}`]);
  });

  it('unlocks through the admin API (another admin only) and the CLI', async () => {
    const locked = await enrolledAdmin(one);
    const admins = one.app.services.admins;
    const token = async (adminId: string) =>
      (await admins.createToken(adminId, 'test', null, { actor: 'test' })).token;
    const lock = async () => {
      for (let i = 0; i < LOCK_AT; i++) {
        await endWait(locked.id);
        await admins.verifyCode(locked.id, '000000', '203.0.113.7');
      }
      expect(await failuresOf(locked.id)).toBe(LOCK_AT);
    };
    await lock();
    const unlock = (bearer: string) =>
      fetch(`${one.issuer}/admin/api/admins/${locked.id}/unlock`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}` },
      });
    const self = await unlock(await token(locked.id));
    expect(self.status).toBe(403);
    expect(await failuresOf(locked.id)).toBe(LOCK_AT);
    const other = await admins.create(`api-${Date.now()}@example.test`, 'un mot de passe solide', {
      actor: 'test',
    });
    const listed = await fetch(`${one.issuer}/admin/api/admins`, {
      headers: { authorization: `Bearer ${await token(other.id)}` },
    });
    const entry = (
      (await listed.json()) as { id: string; second_factor_failures: number; locked_at: string }[]
    ).find((a) => a.id === locked.id);
    expect(entry?.second_factor_failures).toBe(LOCK_AT);
    expect(entry?.locked_at).toBeTruthy();
    const byOther = await unlock(await token(other.id));
    expect(byOther.status).toBe(200);
    expect(await byOther.json()).toEqual({ email: locked.email, failures: LOCK_AT });
    expect(await failuresOf(locked.id)).toBe(0);

    await lock();
    const cli = await runCli(['admins', 'unlock', '--email', locked.email], { databaseUrl: one.db.url });
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual({ email: locked.email, failures: LOCK_AT });
    expect(await failuresOf(locked.id)).toBe(0);
  });
});
