// The batched JSON Lines import (importJobseekers) on the real schema: a line the database refuses
// is reported alone while the rest of its batch is stored; the lines of one login end as if applied
// in file order, inside a batch and across batches in flight; a re-import replaces claims and data
// scopes in place; clear passwords are hashed however many a batch holds.
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, loadCatalog } from '../../src/catalog/load-catalog.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import { importJobseekers } from '../../src/profiles/jobseeker-import.ts';
import { importLineSchema } from '../../src/profiles/jobseeker-line.ts';
import { hashPassword, verifyPassword } from '../../src/profiles/password-hasher.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let catalog: Catalog;
let hashes: [string, string];

beforeAll(async () => {
  db = await createTestDatabase();
  catalog = loadCatalog(path.resolve('scopes'));
  hashes = [await hashPassword('premier mot de passe'), await hashPassword('second mot de passe')];
});
afterAll(() => db?.drop());

let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}-${++counter}-${Date.now().toString(36)}`;

interface Line {
  login: string;
  password?: string;
  password_hash?: string;
  claims: Record<string, unknown>;
  data: Record<string, unknown>;
}

/** A catalog-valid line (the first demo jobseeker, every data scope) under `login`, with a hash. */
function line(login: string, tweak: (l: Line) => void = () => {}): Line {
  const { password: _, ...rest } = structuredClone(demoJobseekers[0]) as Line;
  const l: Line = { ...rest, login, password_hash: hashes[0] };
  tweak(l);
  return l;
}

const importLines = (lines: Line[], options: { batchSize?: number; concurrency?: number } = {}) =>
  importJobseekers(
    db.pool,
    catalog,
    Readable.from([lines.map((l) => JSON.stringify(l)).join('\n')]),
    options,
  );

async function stored(login: string) {
  const { rows } = await db.pool.query(
    `SELECT j.id, j.password_hash, j.claims,
            (SELECT jsonb_object_agg(d.scope, d.value) FROM jobseeker_data d WHERE d.jobseeker_id = j.id) AS data
       FROM jobseekers j WHERE login = $1`,
    [login],
  );
  return rows[0] as
    | {
        id: string;
        password_hash: string;
        claims: Record<string, unknown>;
        data: Record<string, unknown> | null;
      }
    | undefined;
}

const refused = expect.stringMatching(/^enregistrement impossible \(/);

describe('import: a line the database refuses', () => {
  // A NUL character passes zod (any string) but PostgreSQL cannot store it, in text or jsonb.
  const withNulInClaims = (l: Line) => {
    l.claims.given_name = 'Zo\u0000é';
  };
  const withNulInData = (l: Line) => {
    (l.data.statut as Record<string, unknown>).libelleStatutIndividu = 'Demandeur\u0000';
  };

  it('passes the line schema: the refusal comes from the database', () => {
    const schema = importLineSchema(catalog);
    expect(schema.safeParse(line('x-nul-claims', withNulInClaims)).success).toBe(true);
    expect(schema.safeParse(line('x-nul-data', withNulInData)).success).toBe(true);
  });

  it.each([500, 3])(
    'is reported alone by its number; the rest of its batch is stored (batches of %i)',
    async (batchSize) => {
      const logins = Array.from({ length: 7 }, () => uniqueLogin('refus'));
      const lines = logins.map((login, i) =>
        line(login, i === 2 ? withNulInClaims : i === 4 ? withNulInData : undefined),
      );

      const report = await importLines(lines, { batchSize });

      expect(report.rejected).toEqual([
        { line: 3, reason: refused },
        { line: 5, reason: refused },
      ]);
      expect(report.imported).toBe(5);
      for (const [i, login] of logins.entries()) {
        const row = await stored(login);
        if (i === 2 || i === 4) {
          // All or nothing for a line: its jobseeker row is not left behind without its data.
          expect(row, `line ${i + 1}`).toBeUndefined();
        } else {
          expect(row?.claims, `line ${i + 1}`).toEqual(demoJobseekers[0]?.claims);
          expect(row?.data, `line ${i + 1}`).toEqual(demoJobseekers[0]?.data);
        }
      }
    },
  );
});

describe('import: lines of one login', () => {
  it('end with the last line of a batch, as if applied in file order', async () => {
    const [a, b] = [uniqueLogin('double'), uniqueLogin('double')];
    const report = await importLines([
      line(a, (l) => {
        l.claims.given_name = 'Un';
      }),
      line(b),
      line(a, (l) => {
        l.claims.given_name = 'Deux';
        l.data = { permis: l.data.permis };
      }),
      line(a, (l) => {
        l.claims.given_name = 'Trois';
        l.password_hash = hashes[1];
        l.data = { statut: l.data.statut, langues: l.data.langues };
      }),
    ]);

    expect(report).toEqual({ imported: 4, rejected: [] });
    const row = await stored(a);
    expect(row?.claims.given_name).toBe('Trois');
    expect(row?.password_hash).toBe(hashes[1]);
    expect(Object.keys(row?.data ?? {}).sort()).toEqual(['langues', 'statut']);
    expect((await stored(b))?.data).toEqual(demoJobseekers[0]?.data);
  });

  it('keep the line before when the last one is refused', async () => {
    const a = uniqueLogin('double-refus');
    const report = await importLines([
      line(a, (l) => {
        l.claims.given_name = 'Gardé';
      }),
      line(uniqueLogin('voisin')),
      line(a, (l) => {
        l.claims.given_name = 'Refusé\u0000';
      }),
    ]);

    expect(report.rejected).toEqual([{ line: 3, reason: refused }]);
    expect((await stored(a))?.claims.given_name).toBe('Gardé');
  });

  it('stay in file order across batches in flight, even when an earlier batch is retried', async () => {
    // The first batch holds a refused line, so it is stored again line by line, its last line (the
    // first version of `a`) after 48 others: a later batch writing `a` must wait for it.
    const a = uniqueLogin('ordre');
    const first = [
      line(uniqueLogin('ordre-refus'), (l) => {
        l.claims.given_name = '\u0000';
      }),
      ...Array.from({ length: 48 }, () => line(uniqueLogin('ordre-voisin'))),
      line(a, (l) => {
        l.claims.given_name = 'Première';
      }),
    ];
    const second = [
      line(a, (l) => {
        l.claims.given_name = 'Dernière';
      }),
      ...Array.from({ length: 49 }, () => line(uniqueLogin('ordre-voisin'))),
    ];

    const report = await importLines([...first, ...second], { batchSize: 50, concurrency: 4 });

    expect(report.rejected).toEqual([{ line: 1, reason: refused }]);
    expect(report.imported).toBe(99);
    expect((await stored(a))?.claims.given_name).toBe('Dernière');
  });
});

describe('import: a re-import', () => {
  it('updates in place, replacing claims and data scopes with the line’s', async () => {
    const [kept, changed, added] = [
      uniqueLogin('reimport'),
      uniqueLogin('reimport'),
      uniqueLogin('reimport'),
    ];
    await importLines([line(kept), line(changed)]);
    const before = await stored(changed);
    expect(Object.keys(before?.data ?? {})).toHaveLength(9);

    // One batch mixing a jobseeker already there and a new one.
    const report = await importLines([
      line(changed, (l) => {
        l.claims = { given_name: 'Nouveau' };
        l.password_hash = hashes[1];
        l.data = { statut: { ...(l.data.statut as object), libelleStatutIndividu: 'Non demandeur' } };
      }),
      line(added, (l) => {
        l.data = { permis: l.data.permis };
      }),
    ]);

    expect(report).toEqual({ imported: 2, rejected: [] });
    const after = await stored(changed);
    expect(after?.id).toBe(before?.id);
    expect(after?.claims).toEqual({ given_name: 'Nouveau' });
    expect(after?.password_hash).toBe(hashes[1]);
    expect(after?.data).toEqual({
      statut: { ...(demoJobseekers[0]?.data.statut as object), libelleStatutIndividu: 'Non demandeur' },
    });
    expect((await stored(added))?.data).toEqual({ permis: demoJobseekers[0]?.data.permis });
    expect((await stored(kept))?.data).toEqual(demoJobseekers[0]?.data);
  });

  it('of a line without data removes every data scope', async () => {
    const login = uniqueLogin('sans-donnees');
    await importLines([line(login)]);
    await importLines([
      line(login, (l) => {
        l.data = {};
      }),
    ]);
    expect((await stored(login))?.data).toBeNull();
  });
});

describe('import: passwords', () => {
  it('hashes every clear password of a batch larger than the hasher’s queue; stores a hash as is', async () => {
    // 80 clear passwords in one batch: more than the hasher lets wait (64), so they must be fed to it
    // a few at a time.
    const lines = Array.from({ length: 80 }, (_, i) =>
      line(uniqueLogin('mot-de-passe'), (l) => {
        delete l.password_hash;
        l.password = `mot de passe ${i}`;
      }),
    );
    const withHash = line(uniqueLogin('empreinte'), (l) => {
      l.password_hash = hashes[1];
    });

    const report = await importLines([...lines, withHash]);

    expect(report).toEqual({ imported: 81, rejected: [] });
    for (const l of [lines[0], lines[79]] as Line[]) {
      const row = await stored(l.login);
      expect(await verifyPassword(row?.password_hash, l.password as string)).toBe(true);
    }
    expect((await stored(withHash.login))?.password_hash).toBe(hashes[1]);
  });
});

describe('after a bulk import', () => {
  // Statistics right after a bulk load (autovacuum may be slow or, as on some servers, off): the next
  // re-import's batched DELETE then uses the index instead of scanning every data row.
  it('analyses the jobseeker tables once 10,000 lines were imported, not after a small import', async () => {
    const lastAnalyze = async () =>
      (
        await db.pool.query<{ at: Date | null }>(
          "SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'jobseeker_data'",
        )
      ).rows[0]?.at ?? null;
    const before = await lastAnalyze();
    await importLines([line(uniqueLogin('small'))]);
    expect(await lastAnalyze()).toEqual(before);
    const report = await importLines(Array.from({ length: 10_000 }, () => line(uniqueLogin('bulk'))));
    expect(report.imported).toBe(10_000);
    const after = await lastAnalyze();
    expect(after).not.toBeNull();
    expect(after).not.toEqual(before);
  });
});
