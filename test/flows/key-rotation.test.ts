// Signing key rotation across two instances on one database, behind one issuer (test/support/balancer.ts):
// `npm run cli -- keys rotate` (as a child process) → both instances publish the new keys at their next
// check while ID tokens are still signed with the old ones; once the new keys are active, new ID tokens
// carry the new kid while one signed by the old key still verifies against the JWKS; once the old key
// retires it leaves the JWKS. Neither instance is restarted.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID_TOKEN_TTL_SECONDS, listSigningKeys } from '../../src/oidc/signing-keys.ts';
import { authorize, discover } from '../support/authorize.ts';
import { type Balancer, startBalancer } from '../support/balancer.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { SECRET, startTestServer, type TestServer } from '../support/test-server.ts';

const POLL_SECONDS = 1;
let db: TestDatabase;
let balancer: Balancer;
let instances: TestServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  balancer = await startBalancer();
  instances = await Promise.all(
    [0, 1].map(() =>
      startTestServer(
        { ISSUER: balancer.url, KEY_POLL_INTERVAL_SECONDS: String(POLL_SECONDS) },
        undefined,
        db,
      ),
    ),
  );
  balancer.targets = instances.map((s) => Number(new URL(s.url).port));
});
afterAll(async () => {
  await Promise.all(instances.map((s) => s.close()));
  await balancer?.close();
  await db?.drop();
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules/.bin/node'), [path.resolve('src/cli/main.ts'), ...args], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        KEYS_ENCRYPTION_KEY: SECRET,
        COOKIE_SECRETS: SECRET,
        PAIRWISE_SALT: SECRET,
        KEY_ACTIVATION_DELAY_SECONDS: '3600',
        KEY_POLL_INTERVAL_SECONDS: String(POLL_SECONDS),
      },
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const jwksOf = async (instance: TestServer) =>
  (await (await fetch(`${instance.url}/jwks`)).json()) as JSONWebKeySet & {
    keys: { kid: string; alg: string }[];
  };
const kidsOf = async (instance: TestServer) => (await jwksOf(instance)).keys.map((k) => k.kid);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A full code flow with every request on one instance; returns the ID token it issued.
async function idTokenFrom(instance: number): Promise<string> {
  balancer.pin = instance;
  try {
    const jobseeker = await createJobseeker(instances[0] as TestServer);
    const client = await createClient(instances[0] as TestServer, { scopes: ['openid', 'competences'] });
    const config = await discover(balancer.url, client.client_id, client.client_secret);
    const flow = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: 'openid competences',
      login: jobseeker,
      fields: ['competences.code'],
    });
    const tokens = await exchange(instances[0] as TestServer, config, flow);
    return tokens.id_token as string;
  } finally {
    balancer.pin = undefined;
  }
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid as string;
const stateOf = async (kid: string) => (await listSigningKeys(db.pool)).find((k) => k.kid === kid)?.state;

describe('signing key rotation across two instances', () => {
  it('publishes first, signs after the activation, keeps verifying old tokens until retirement', async () => {
    const [a, b] = instances as [TestServer, TestServer];
    // One key set for both, generated once although they started together.
    const initial = await kidsOf(a);
    expect(initial).toHaveLength(3);
    expect(await kidsOf(b)).toEqual(initial);
    const oldToken = await idTokenFrom(0);
    const oldKid = kidOf(oldToken);
    expect(initial).toContain(oldKid);

    // Rotate with the operator CLI, in its own process.
    const rotated = await runCli(['keys', 'rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const result = JSON.parse(rotated.stdout) as {
      created: { kid: string; alg: string; activates_at: string }[];
      retiring: { kid: string; alg: string; retires_at: string }[];
    };
    expect(result.created.map((k) => k.alg).sort()).toEqual(['ES256', 'PS256', 'RS256']);
    const newKid = result.created.find((k) => k.alg === 'RS256')?.kid as string;
    const activation = Date.parse(result.created.find((k) => k.alg === 'RS256')?.activates_at as string);
    expect(activation - Date.now()).toBeGreaterThan(3_500_000);
    const retiring = result.retiring.find((k) => k.kid === oldKid);
    // Retires once the longest-lived token it could sign (the ID token, 1 h; access tokens 10 min)
    // has expired, counted from the new key's activation plus one poll interval.
    expect(Date.parse(retiring?.retires_at as string) - activation).toBe(
      (ID_TOKEN_TTL_SECONDS + POLL_SECONDS) * 1000,
    );
    // Sealed at rest with KEYS_ENCRYPTION_KEY: no key material in clear in the database.
    const stored = await db.pool.query('SELECT encrypted_jwk FROM signing_keys WHERE kid = $1', [newKid]);
    expect(stored.rows[0].encrypted_jwk).toMatch(/^v1\./);
    expect(stored.rows[0].encrypted_jwk).not.toContain('"d"');
    expect(await stateOf(newKid)).toBe('pending');

    // Both instances publish the new keys at their next check, without a restart.
    for (const instance of [a, b]) {
      const waited = await until('the new kid in the JWKS', async () =>
        (await kidsOf(instance)).includes(newKid),
      );
      expect(waited).toBeLessThan((POLL_SECONDS + 2) * 1000);
      expect(await kidsOf(instance)).toEqual(expect.arrayContaining([...initial, newKid]));
    }
    // …but still sign with the old one.
    for (const instance of [0, 1]) expect(kidOf(await idTokenFrom(instance))).toBe(oldKid);

    // The activation time comes (brought forward here rather than waited for).
    await db.pool.query('UPDATE signing_keys SET activates_at = now() WHERE kid = ANY($1)', [
      result.created.map((k) => k.kid),
    ]);
    for (const instance of [a, b]) {
      await until('the new key to be active', async () =>
        instance.app.providers.fingerprint.includes(`${newKid}:active`),
      );
    }
    expect(await stateOf(newKid)).toBe('active');
    expect(await stateOf(oldKid)).toBe('superseded');
    const newTokens = await Promise.all([idTokenFrom(0), idTokenFrom(1)]);
    for (const token of newTokens) expect(kidOf(token)).toBe(newKid);

    // A token signed by the old key still verifies against either instance's JWKS, as do new ones.
    for (const instance of [a, b]) {
      const keys = createLocalJWKSet(await jwksOf(instance));
      const verified = await jwtVerify(oldToken, keys, { issuer: balancer.url });
      expect(verified.protectedHeader.kid).toBe(oldKid);
      expect((verified.payload.exp as number) - (verified.payload.iat as number)).toBeLessThanOrEqual(
        ID_TOKEN_TTL_SECONDS,
      );
      for (const token of newTokens) await jwtVerify(token, keys, { issuer: balancer.url });
    }

    // Retirement time comes: the old keys leave both JWKS, and the old token no longer verifies.
    await db.pool.query('UPDATE signing_keys SET retires_at = now() WHERE kid = ANY($1)', [
      result.retiring.map((k) => k.kid),
    ]);
    for (const instance of [a, b]) {
      await until('the old kid to leave the JWKS', async () => !(await kidsOf(instance)).includes(oldKid));
      expect(await kidsOf(instance)).toHaveLength(3);
      await expect(
        jwtVerify(oldToken, createLocalJWKSet(await jwksOf(instance)), { issuer: balancer.url }),
      ).rejects.toThrow(/no applicable key found|matching/i);
    }
    expect(await stateOf(oldKid)).toBe('retired');
    expect(kidOf(await idTokenFrom(1))).toBe(newKid);

    const listed = await runCli(['keys', 'list']);
    expect(listed.code).toBe(0);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.find((r) => r.kid === oldKid)?.state).toBe('retired');
    expect(rows.find((r) => r.kid === newKid)?.state).toBe('active');
    expect(listed.stdout).not.toMatch(/"d"|encrypted/);
  }, 60_000);

  it('withdraws a rotated key that has not signed yet when rotating again, keeping the signer', async () => {
    const before = (await listSigningKeys(db.pool)).filter((k) => k.alg === 'ES256' && k.state === 'active');
    expect(before).toHaveLength(1);
    const signer = before[0]?.kid as string;
    const first = await runCli(['keys', 'rotate', '--activate-in', '600']);
    const second = await runCli(['keys', 'rotate', '--activate-in', '900']);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const pending = JSON.parse(first.stdout).created.find((k: { alg: string }) => k.alg === 'ES256');
    const next = JSON.parse(second.stdout).created.find((k: { alg: string }) => k.alg === 'ES256');
    expect(JSON.parse(second.stdout).withdrawn).toContain(pending.kid);
    expect(await stateOf(pending.kid)).toBe('retired');
    expect(await stateOf(signer)).toBe('active');
    // The signer now signs until the second rotation's key activates, then lives out the tokens' TTL.
    const { rows } = await db.pool.query(
      'SELECT extract(epoch FROM retires_at - $2::timestamptz)::int AS after FROM signing_keys WHERE kid = $1',
      [signer, next.activates_at],
    );
    expect(rows[0].after).toBe(ID_TOKEN_TTL_SECONDS + POLL_SECONDS);
    await expect(runCli(['keys', 'rotate', '--activate-in', 'soon'])).resolves.toMatchObject({ code: 2 });
  }, 30_000);
});
