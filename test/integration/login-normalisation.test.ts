// Logins are normalised once (issue 10): at import, at login (the same function), and for the rows
// already stored (migration 015, which refuses to merge accounts). An import line that only becomes
// an existing, differently written login once normalised is refused by its number and overwrites
// nothing; a password hash weaker than the server's own argon2id parameters is refused by its number.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Catalog, loadCatalog } from '../../src/catalog/load-catalog.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import { importJobseekers } from '../../src/profiles/jobseeker-import.ts';
import { normaliseLogin } from '../../src/profiles/login-normalisation.ts';
import { hashPassword } from '../../src/profiles/password-hasher.ts';
import { databaseUrl } from '../support/global-setup.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let catalog: Catalog;
let hash: string;
beforeAll(async () => {
  db = await createTestDatabase();
  catalog = loadCatalog(path.resolve('scopes'));
  hash = await hashPassword('le mot de passe importé');
});
afterAll(() => db?.drop());

const { password: _, ...base } = demoJobseekers[0] as (typeof demoJobseekers)[number];
const line = (login: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...structuredClone(base), login, password_hash: hash, ...extra });
const importText = (lines: string[]) => importJobseekers(db.pool, catalog, Readable.from([lines.join('\n')]));

const row = async (login: string) =>
  (
    await db.pool.query<{
      id: string;
      login: string;
      password_hash: string;
      claims: { given_name?: string };
    }>('SELECT id, login, password_hash, claims FROM jobseekers WHERE login = $1', [login])
  ).rows[0];

describe('normaliseLogin', () => {
  it.each([
    ['  marie.dupont  ', 'marie.dupont'],
    ['Marie.Dupont', 'marie.dupont'],
    ['ｍａｒｉｅ．ｄｕｐｏｎｔ', 'marie.dupont'],
    ['\u3000MARIE.DUPONT\t', 'marie.dupont'],
    ['Ｋａｒｉｍ', 'karim'],
    ['élodie', 'élodie'],
    ['E\u0301lodie', 'élodie'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseLogin(raw)).toEqual({ ok: true, login: expected });
  });

  it.each([
    ['marie\u200b.dupont'], // zero-width space
    ['marie\u00ad.dupont'], // soft hyphen
    ['marie\u2060dupont'], // word joiner
    ['mar\u202eie'], // right-to-left override
    ['marie dupont'],
    ['marie\u0000dupont'],
    ['\u3164marie'], // Hangul filler
    [''],
    ['   '],
  ])('refuses %j', (raw) => {
    expect(normaliseLogin(raw).ok).toBe(false);
  });

  it('gives the same result as the migration’s SQL function', async () => {
    const samples = [
      '  Marie.Dupont ',
      'ｍａｒｉｅ．ｄｕｐｏｎｔ',
      'ÉLODIE',
      'E\u0301lodie',
      'İstanbul',
      'ΣΊΣΥΦΟΣ',
      'Straße',
      'Ǆemal',
    ];
    for (const raw of samples) {
      const { rows } = await db.pool.query<{ n: string }>('SELECT normalised_login($1) AS n', [raw]);
      expect(normaliseLogin(raw), raw).toEqual({ ok: true, login: rows[0]?.n });
    }
  });
});

describe('import: normalised logins', () => {
  it('refuses, by line number, a line that becomes another existing login once normalised', async () => {
    const first = await importText([line('marie.normal')]);
    expect(first).toEqual({ imported: 1, rejected: [] });
    const before = await row('marie.normal');

    const report = await importText([
      line('  marie.normal  ', { password_hash: await hashPassword('mot de passe pirate') }),
      line('MARIE.NORMAL'),
      line('ｍａｒｉｅ．ｎｏｒｍａｌ', { claims: { given_name: 'Intrus' } }),
      line('marie\u200b.normal'),
      line('marie.normal'), // the same spelling: an update in place, as before
    ]);
    expect(report.imported).toBe(1);
    expect(report.rejected.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    for (const r of report.rejected.slice(0, 3)) expect(r.reason).toMatch(/une fois normalisé.*autre compte/);
    expect(report.rejected[3]?.reason).toContain('caractère invisible');
    // The account is the one the first import made, with its own password and data.
    const after = await row('marie.normal');
    expect(after?.id).toBe(before?.id);
    expect(after?.password_hash).toBe(before?.password_hash);
    expect(after?.claims.given_name).toBe(base.claims.given_name);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM jobseekers WHERE login LIKE '%normal%'",
    );
    expect(rows[0].n).toBe(1);
  });

  it('stores a new login normalised, re-imports its own file in place, and refuses a second spelling in one file', async () => {
    const lines = [line('  Nouveau.Compte  '), line('nouveau.COMPTE')];
    const report = await importText(lines);
    expect(report.imported).toBe(1);
    expect(report.rejected.map((r) => r.line)).toEqual([2]);
    const created = await row('nouveau.compte');
    expect(created).toBeDefined();
    // Idempotent: the same file again changes that account in place and refuses the same line.
    const again = await importText(lines);
    expect(again.imported).toBe(1);
    expect(again.rejected.map((r) => r.line)).toEqual([2]);
    expect((await row('nouveau.compte'))?.id).toBe(created?.id);
  });
});

describe('import: password hashes at least as strong as the server’s', () => {
  const phc = (m: number, t: number, p = 1) => hash.replace(/m=\d+,t=\d+,p=\d+/, `m=${m},t=${t},p=${p}`);

  it('refuses weaker argon2id parameters by line number and accepts equal or stronger ones', async () => {
    const report = await importText([
      line('hash-weak-memory', { password_hash: phc(4096, 2) }),
      line('hash-weak-time', { password_hash: phc(19_456, 1) }),
      line('hash-tiny', { password_hash: phc(8, 1) }),
      line('hash-equal', { password_hash: phc(19_456, 2) }),
      line('hash-stronger', { password_hash: phc(65_536, 3, 4) }),
    ]);
    expect(report.imported).toBe(2);
    expect(report.rejected.map((r) => r.line)).toEqual([1, 2, 3]);
    for (const r of report.rejected) expect(r.reason).toContain('m=19456 KiB, t=2');
    expect(await row('hash-weak-memory')).toBeUndefined();
    expect(await row('hash-equal')).toBeDefined();
  });
});

describe('migration 015', () => {
  async function databaseAt014() {
    const adminUrl = inject('adminUrl');
    const name = `pec_m015_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = databaseUrl(adminUrl, name);
    const migrate = (count?: number) =>
      runner({
        databaseUrl: url,
        dir: path.resolve('migrations'),
        direction: 'up',
        migrationsTable: 'pgmigrations',
        count,
        log: () => undefined,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
    // Every migration before 015, whatever other numbers exist.
    await migrate(readdirSync(path.resolve('migrations')).filter((f) => f < '015').length);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      client,
      migrate,
      async drop() {
        await client.end();
        const a = new pg.Client({ connectionString: adminUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const insert = (client: pg.Client, logins: string[]) =>
    client.query("INSERT INTO jobseekers (login, password_hash) SELECT unnest($1::text[]), 'h'", [logins]);

  it('normalises stored logins and keeps the spelling they were imported with', async () => {
    const at = await databaseAt014();
    try {
      expect(
        (
          await at.client.query(
            "SELECT 1 FROM pgmigrations WHERE name = '014_admin_second_factor_and_login_limits'",
          )
        ).rowCount,
      ).toBe(1);
      await insert(at.client, ['Marie.Dupont', '  bob  ', 'ＣＡＲＬ', 'déjà.normal']);
      await at.migrate();
      const { rows } = await at.client.query('SELECT login, imported_login FROM jobseekers ORDER BY login');
      expect(rows).toEqual([
        { login: 'bob', imported_login: '  bob  ' },
        { login: 'carl', imported_login: 'ＣＡＲＬ' },
        { login: 'déjà.normal', imported_login: null },
        { login: 'marie.dupont', imported_login: 'Marie.Dupont' },
      ]);
    } finally {
      await at.drop();
    }
  });

  it('refuses to merge two accounts, naming them, and changes nothing', async () => {
    const at = await databaseAt014();
    try {
      await insert(at.client, ['Marie.Dupont', 'marie.dupont', 'karim']);
      const ids = (
        await at.client.query("SELECT id FROM jobseekers WHERE lower(login) = 'marie.dupont' ORDER BY id")
      ).rows.map((r) => r.id);
      await expect(at.migrate()).rejects.toThrow(/migration 015 refused: .*become one login.*\(/);
      const error = await at.migrate().catch((e: Error) => e.message);
      for (const id of ids) expect(error).toContain(id);
      const { rows } = await at.client.query('SELECT login FROM jobseekers ORDER BY login');
      expect(rows.map((r) => r.login)).toEqual(['Marie.Dupont', 'karim', 'marie.dupont']);
      expect((await at.client.query("SELECT 1 FROM pgmigrations WHERE name LIKE '015%'")).rowCount).toBe(0);
    } finally {
      await at.drop();
    }
  });

  it('refuses a login with an invisible character inside, naming it', async () => {
    const at = await databaseAt014();
    try {
      await insert(at.client, ['marie\u200bdupont']);
      await expect(at.migrate()).rejects.toThrow(/migration 015 refused: .*invisible/);
    } finally {
      await at.drop();
    }
  });
});
