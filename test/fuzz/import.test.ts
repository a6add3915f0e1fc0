// Fuzzing the JSON Lines import of jobseekers (importJobseekers, behind `npm run cli -- jobseekers
// import`): files mixing good lines, near-good lines with one value replaced, random JSON, broken
// JSON, blank lines, CRLF and huge lines, streamed in random chunks (cut inside UTF-8 characters too).
// It never throws; every non-blank line is either imported or reported by number with a reason that
// leaks nothing; every good line is imported, every bad one reported.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, loadCatalog } from '../../src/catalog/load-catalog.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import { importJobseekers } from '../../src/profiles/jobseeker-import.ts';
import { hashPassword } from '../../src/profiles/password-hasher.ts';
import { assertSafe, hostileJson, hostileKey, hostileString, inputsOf, runs } from '../support/fuzz.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let catalog: Catalog;
let passwordHash: string;

beforeAll(async () => {
  db = await createTestDatabase();
  catalog = loadCatalog(path.resolve('scopes'));
  // Good lines carry a ready hash (as a migration would): hashing each would make runs slow.
  passwordHash = await hashPassword('un mot de passe');
});
afterAll(() => db?.drop());

const base = demoJobseekers[0] as (typeof demoJobseekers)[number];
const unique = () => `fuzz-${randomBytes(6).toString('hex')}`;

type Kind = 'good' | 'good-password' | 'mutated' | 'bad' | 'blank';
interface Line {
  kind: Kind;
  text: string;
  login?: string;
}

function goodLine(withPassword = false): Line {
  const login = unique();
  const { password: _, ...rest } = base;
  const value = withPassword ? { ...base, login } : { ...rest, login, password_hash: passwordHash };
  return { kind: withPassword ? 'good-password' : 'good', text: JSON.stringify(value), login };
}

// Replaces one value, at any depth, of a good line.
function mutate(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[Number(head) % Math.max(copy.length, 1)] = mutate(
      copy[Number(head) % Math.max(copy.length, 1)],
      rest,
      replacement,
    );
    return copy;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    const key = typeof head === 'number' && keys.length ? (keys[head % keys.length] as string) : String(head);
    return { ...obj, [key]: mutate(obj[key], rest, replacement) };
  }
  return replacement;
}

const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null).map(() => goodLine()) },
  { weight: 1, arbitrary: fc.constant(null).map(() => goodLine(true)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.array(fc.oneof(fc.nat(30), hostileKey), { minLength: 1, maxLength: 4 }), hostileJson)
      .map(([at, replacement]) => {
        const good = goodLine();
        return {
          kind: 'mutated' as const,
          text: JSON.stringify(mutate(JSON.parse(good.text), at, replacement)),
        };
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        // Not JSON, or JSON that is not a jobseeker.
        hostileString.filter((s) => s.trim() !== '' && !/[\r\n\u2028\u2029\u0085]/.test(s)),
        hostileJson.map((v) => JSON.stringify(v)),
        fc.constantFrom(
          '{',
          '{"login":"x"}',
          `{"login":"${unique()}","password":"court"}`,
          `{"login":"${unique()}","password":"assez long","password_hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"}`,
          `{"login":"${unique()}","password_hash":"$2b$10$abcdefghijklmnopqrstuv"}`,
          `{"login":"a\\u0000b","password":"assez long"}`,
          `{"login":"${'x'.repeat(300)}","password":"assez long"}`,
          `{"login":"${unique()}","password":"${'p'.repeat(2_000)}"}`,
          `{"login":"${unique()}","password":"assez long","data":{"inconnu":{}}}`,
          `{"login":"${unique()}","password":"assez long","__proto__":{"admin":true}}`,
          `[${'['.repeat(3_000)}${']'.repeat(3_000)}]`,
          `"${'x'.repeat(200_000)}"`,
        ),
      )
      .map((text) => ({ kind: 'bad' as const, text })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '\t', '  \t ').map((text) => ({ kind: 'blank' as const, text })),
  },
);

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The file's bytes in random chunks, cut anywhere (inside a UTF-8 character too). */
function chunked(text: string, cuts: number[]): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) chunks.push(bytes.subarray(at, p));
    at = p;
  }
  return Readable.from(chunks);
}

describe('fuzz: JSON Lines import', () => {
  it('never throws; reports every bad line by number; imports every good line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        // Small batches too: a line the database refuses then fails a batch of good ones.
        fc.integer({ min: 1, max: 4 }),
        async (lines, eol, trailing, cuts, batchSize) => {
          const text = lines.map((l) => l.text).join(eol) + (trailing ? eol : '');
          const report = await importJobseekers(db.pool, catalog, chunked(text, cuts), {
            concurrency: 3,
            batchSize,
          });

          const numbered = lines.map((l, i) => ({ ...l, number: i + 1 }));
          const nonBlank = numbered.filter((l) => l.text.trim() !== '');
          const rejected = new Map(report.rejected.map((r) => [r.line, r.reason]));
          expect(rejected.size, 'a line reported twice').toBe(report.rejected.length);
          expect(report.imported + report.rejected.length).toBe(nonBlank.length);
          for (const l of numbered) {
            const reason = rejected.get(l.number);
            if (l.kind === 'blank') expect(reason, `blank line ${l.number} reported`).toBeUndefined();
            if (l.kind === 'good' || l.kind === 'good-password')
              expect(reason, `good line ${l.number} refused: ${reason}`).toBeUndefined();
            if (l.kind === 'bad')
              expect(reason, `bad line ${l.number} not reported: ${l.text.slice(0, 200)}`).toBeDefined();
            // A reason names the problem, never internals.
            if (reason)
              assertSafe(
                `reason for line ${l.number}: ${l.text.slice(0, 200)}`,
                { status: 400, headers: new Headers(), text: reason },
                inputsOf(l.text, parsed(l.text)),
              );
          }
          const logins = numbered.filter((l) => l.login).map((l) => l.login as string);
          if (logins.length) {
            const { rows } = await db.pool.query<{ login: string; password_hash: string }>(
              'SELECT login, password_hash FROM jobseekers WHERE login = ANY($1)',
              [logins],
            );
            expect(rows.map((r) => r.login).sort()).toEqual([...logins].sort());
            for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$/);
          }
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it('a file that is not text at all (random bytes, NULs, invalid UTF-8): no throw, lines reported', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => {
        const report = await importJobseekers(db.pool, catalog, Readable.from([Buffer.from(bytes)]));
        expect(report.imported).toBe(0);
        for (const r of report.rejected)
          assertSafe(`reason for line ${r.line}`, { status: 400, headers: new Headers(), text: r.reason });
      }),
      { numRuns: runs(100) },
    );
  });
});
