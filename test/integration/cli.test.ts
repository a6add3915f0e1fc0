import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import type { JobseekerLine } from '../../src/profiles/jobseeker-line.ts';
import { runCli as runChild } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const _SECRET = 'cli-test-secret-0123456789abcdef0123456789';
const _NODE = path.resolve('node_modules/.bin/node');
const _CLI = path.resolve('src/cli/main.ts');

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'pec-cli-test-'));
});
afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const runCli = (args: string[], timeoutMs = 30_000) =>
  runChild(args, { databaseUrl: db.url, dataDir: path.join(dir, 'data'), timeoutMs });

const countClients = async (name: string) =>
  Number((await db.pool.query('SELECT count(*) FROM clients WHERE name = $1', [name])).rows[0].count);

describe('cli: clients create', () => {
  it('prints its usage with --help', async () => {
    const { code, stdout } = await runCli(['clients', 'create', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: .*clients create --name NAME --redirect-uri URI/);
    expect(stdout).toContain('--scope');
  });

  it('prints one JSON object with the credentials, and stores the secret sealed', async () => {
    const { code, stdout } = await runCli([
      'clients',
      'create',
      '--name',
      'Appli CLI',
      '--redirect-uri',
      'https://app.example.fr/cb',
      '--scope',
      'openid profile competences',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0] as string);
    expect(created).toMatchObject({ client_id: expect.any(String), client_secret: expect.any(String) });
    expect(created.client_secret.length).toBeGreaterThanOrEqual(32);

    const { rows } = await db.pool.query(
      'SELECT name, redirect_uris, scopes, status, secret_ciphertext FROM clients WHERE id = $1',
      [created.client_id],
    );
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row).toMatchObject({
      name: 'Appli CLI',
      redirect_uris: ['https://app.example.fr/cb'],
      scopes: ['openid', 'profile', 'competences'],
    });
    expect(row.secret_ciphertext).toBeTruthy();
    expect(row.secret_ciphertext).not.toBe(created.client_secret);
    expect(row.secret_ciphertext).not.toContain(created.client_secret);
    expect(row.secret_ciphertext).not.toContain(Buffer.from(created.client_secret).toString('base64'));
  });

  it.each([
    'http://app.example.fr/cb',
    'javascript:alert(1)',
    'JAVASCRIPT:x',
    'data:text/html,x',
    'https://app.example.fr/cb#frag',
    'https://*.example.fr/cb',
    'https://user:pw@app.example.fr/cb',
  ])('refuses the redirect URI %s with a message and inserts nothing', async (uri) => {
    const name = `Refusée ${uri}`;
    const { code, stdout, stderr } = await runCli([
      'clients',
      'create',
      '--name',
      name,
      '--redirect-uri',
      uri,
      '--scope',
      'openid profile',
    ]);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    // e.g. "Error: redirectUris.0: l’URI de redirection ne doit pas contenir de fragment (#)"
    expect(stderr).toMatch(/^Error: .*redirect.*(https|fragment|joker|identifiants)/im);
    expect(await countClients(name)).toBe(0);
  });

  it('accepts an http://localhost redirect URI outside production', async () => {
    const { code, stdout, stderr } = await runCli([
      'clients',
      'create',
      '--name',
      'Appli locale',
      '--redirect-uri',
      'http://localhost:8080/cb',
      '--scope',
      'openid',
    ]);
    expect(stderr).not.toMatch(/^Error/m);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).client_id).toBeTruthy();
    expect(await countClients('Appli locale')).toBe(1);
  });
});

describe('cli: clients create, how the app authenticates', () => {
  const create = (name: string, ...args: string[]) =>
    runCli([
      'clients',
      'create',
      '--name',
      name,
      '--redirect-uri',
      'https://auth.example.fr/cb',
      '--scope',
      'openid profile',
      ...args,
    ]);
  const storedMethod = async (id: string) =>
    (
      await db.pool.query(
        'SELECT token_endpoint_auth_method, high_assurance, secret_ciphertext FROM clients WHERE id = $1',
        [id],
      )
    ).rows[0];

  it('defaults to a secret sent with client_secret_basic or client_secret_post', async () => {
    const { code, stdout } = await create('Appli défaut');
    expect(code).toBe(0);
    const created = JSON.parse(stdout);
    expect(created.token_endpoint_auth_methods).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(created.client_secret).toEqual(expect.any(String));
    expect((await storedMethod(created.client_id)).token_endpoint_auth_method).toBeNull();
  });

  it('--token-endpoint-auth-method restricts it', async () => {
    const { code, stdout } = await create('Appli post', '--token-endpoint-auth-method', 'client_secret_post');
    expect(code).toBe(0);
    const created = JSON.parse(stdout);
    expect(created.token_endpoint_auth_methods).toEqual(['client_secret_post']);
    expect((await storedMethod(created.client_id)).token_endpoint_auth_method).toBe('client_secret_post');
    const bad = await create('Appli inconnue', '--token-endpoint-auth-method', 'client_secret_jwt');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--token-endpoint-auth-method must be one of/);
  });

  it('--public registers a public client, without a secret', async () => {
    const { code, stdout } = await runCli([
      'clients',
      'create',
      '--name',
      'Appli mobile',
      '--redirect-uri',
      'fr.example.mobile:/retour',
      '--scope',
      'openid profile',
      '--public',
    ]);
    expect(code).toBe(0);
    const created = JSON.parse(stdout);
    expect(created.client_secret).toBeUndefined();
    expect(created.token_endpoint_auth_methods).toEqual(['none']);
    const row = await storedMethod(created.client_id);
    expect(row).toMatchObject({ token_endpoint_auth_method: 'none', secret_ciphertext: null });
  });

  it('--high-assurance with --jwks FILE or --jwks-uri URL', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const file = path.join(dir, 'jwks.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'k1' }] }),
    );
    const withFile = await create('Appli FAPI', '--high-assurance', '--jwks', file);
    expect(withFile.code, withFile.stderr).toBe(0);
    const created = JSON.parse(withFile.stdout);
    expect(created.client_secret).toBeUndefined();
    expect(await storedMethod(created.client_id)).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      high_assurance: true,
    });
    const withUri = await create(
      'Appli FAPI 2',
      '--high-assurance',
      '--jwks-uri',
      'https://auth.example.fr/jwks',
    );
    expect(withUri.code, withUri.stderr).toBe(0);
    const without = await create('Appli FAPI 3', '--high-assurance');
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/--jwks FILE or --jwks-uri URL/);
    const mixed = await create('Appli FAPI 4', '--high-assurance', '--public', '--jwks', file);
    expect(mixed.code).toBe(2);
  });
});

// A catalog-valid line built from a demo jobseeker, under another login.
function jobseekerLine(base: 0 | 1, login: string, tweak: (line: JobseekerLine) => void = () => {}) {
  const line = structuredClone(demoJobseekers[base] as JobseekerLine);
  line.login = login;
  line.password = `password-of-${login}`;
  tweak(line);
  return JSON.stringify(line);
}

async function jobseekersIn(logins: string[]) {
  const { rows } = await db.pool.query(
    `SELECT j.id, j.login, j.claims, j.password_hash,
            (SELECT jsonb_object_agg(d.scope, d.value) FROM jobseeker_data d WHERE d.jobseeker_id = j.id) AS data
       FROM jobseekers j WHERE login = ANY($1) ORDER BY login`,
    [logins],
  );
  return rows;
}

describe('cli: jobseekers import', () => {
  const LOGINS = ['import.anne', 'import.bruno', 'import.chloe'];
  const fileLines = (libelle: string) => [
    jobseekerLine(0, 'import.anne', (l) => {
      (l.data.statut as { libelleStatutIndividu: string }).libelleStatutIndividu = libelle;
    }),
    '{"login": "import.cassé", "password": ',
    jobseekerLine(1, 'import.bruno'),
    jobseekerLine(1, 'import.inconnu', (l) => {
      (l.data as Record<string, unknown>).inconnu = { x: 1 };
    }),
    jobseekerLine(0, 'import.mauvais-type', (l) => {
      (l.claims as Record<string, unknown>).email_verified = 'oui';
    }),
    jobseekerLine(0, 'import.chloe'),
  ];

  it('imports the good lines, reports the bad ones by number, and is idempotent', async () => {
    const file = path.join(dir, 'jobseekers.jsonl');
    writeFileSync(file, `${fileLines("Demandeur d'emploi").join('\n')}\n`);

    const first = await runCli(['jobseekers', 'import', file]);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ imported: 3, rejected: 3 });
    expect(first.stderr).toMatch(/ligne 2 : JSON invalide/);
    expect(first.stderr).toMatch(/ligne 4 : .*inconnu/);
    expect(first.stderr).toMatch(/ligne 5 : .*email_verified/);
    expect(first.stderr).not.toMatch(/ligne [136] :/);

    const stored = await jobseekersIn([...LOGINS, 'import.inconnu', 'import.mauvais-type', 'import.cassé']);
    expect(stored.map((r) => r.login)).toEqual(LOGINS);
    const [anne, bruno] = stored;
    expect(anne.claims).toEqual(demoJobseekers[0]?.claims);
    expect(anne.data).toEqual(demoJobseekers[0]?.data);
    expect(bruno.data).toEqual(demoJobseekers[1]?.data);
    expect(anne.password_hash).toMatch(/^\$argon2id\$/);

    // The same file again, with one value changed: updated in place, no duplicates.
    writeFileSync(file, `${fileLines('Non demandeur d’emploi').join('\n')}\n`);
    const second = await runCli(['jobseekers', 'import', file]);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ imported: 3, rejected: 3 });
    const again = await jobseekersIn(LOGINS);
    expect(again.map((r) => r.id)).toEqual(stored.map((r) => r.id));
    expect(again[0].data.statut.libelleStatutIndividu).toBe('Non demandeur d’emploi');
    expect(again[1].data).toEqual(bruno.data);
    const counts = await db.pool.query(
      `SELECT (SELECT count(*) FROM jobseekers)::int AS jobseekers,
              (SELECT count(*) FROM jobseeker_data)::int AS data`,
    );
    const scopes = (n: 0 | 1) => Object.keys(demoJobseekers[n]?.data ?? {}).length;
    expect(counts.rows[0]).toEqual({ jobseekers: 3, data: 2 * scopes(0) + scopes(1) });
  });

  it('streams a large file and imports every line', { timeout: 180_000 }, async () => {
    const LINES = 2_000;
    const file = path.join(dir, 'many.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) {
      lines.push(
        JSON.stringify({
          login: `bulk-${i}`,
          password: `bulk-password-${i}`,
          claims: { given_name: `P${i}` },
        }),
      );
    }
    writeFileSync(file, `${lines.join('\n')}\n`);

    const { code, stdout, stderr } = await runCli(['jobseekers', 'import', file], 170_000);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ imported: LINES, rejected: 0 });
    expect(stderr).toContain('1000 lignes lues'); // progress while reading, not only at the end
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n, count(DISTINCT login)::int AS distinct_logins FROM jobseekers WHERE login LIKE 'bulk-%'",
    );
    expect(rows[0]).toEqual({ n: LINES, distinct_logins: LINES });
    const last = await db.pool.query("SELECT claims FROM jobseekers WHERE login = 'bulk-1999'");
    expect(last.rows[0].claims).toEqual({ given_name: 'P1999' });
  });
});
