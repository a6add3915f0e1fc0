// The benchmark's jobseeker generator: deterministic by seed and line, and every line valid for the
// import (the catalog's zod schema), with a clear password or a precomputed argon2id hash.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateJobseeker } from '../../bench/generator.ts';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { importLineSchema } from '../../src/profiles/jobseeker-line.ts';

const catalog = loadCatalog(path.resolve('scopes'));
const schema = importLineSchema(catalog);
const HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$3EmKpQ3HPFQTGyO4cDkPBg$23jeg0+5Kk9YIStXyzBQUOlm6NuXA5fd2/pkcOSzvSo';

describe('bench generator', () => {
  it('produces import lines valid for the catalog', () => {
    for (let i = 0; i < 500; i++) {
      const line = generateJobseeker(7, i);
      const parsed = schema.safeParse(line);
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });

  it('is deterministic by seed and index, and differs across seeds', () => {
    expect(generateJobseeker(3, 12)).toEqual(generateJobseeker(3, 12));
    expect(generateJobseeker(3, 12)).not.toEqual(generateJobseeker(4, 12));
    const logins = new Set(Array.from({ length: 1000 }, (_, i) => generateJobseeker(3, i).login));
    expect(logins.size).toBe(1000);
  });

  it('carries a precomputed hash instead of a password when asked', () => {
    const line = generateJobseeker(1, 0, { hash: HASH });
    expect(line).toMatchObject({ password_hash: HASH });
    expect(line).not.toHaveProperty('password');
    expect(schema.parse(line).password_hash).toBe(HASH);
  });
});

describe('import line: password or password_hash', () => {
  const base = () => generateJobseeker(1, 1, { clear: 'un mot de passe' });

  it('accepts exactly one of the two', () => {
    expect(schema.safeParse(base()).success).toBe(true);
    expect(schema.safeParse({ ...base(), password: undefined, password_hash: HASH }).success).toBe(true);
  });

  it('refuses both, or neither', () => {
    const both = schema.safeParse({ ...base(), password_hash: HASH });
    expect(both.error?.issues.map((i) => i.message)).toContain(
      'exactly one of password and password_hash is required',
    );
    expect(schema.safeParse({ ...base(), password: undefined }).success).toBe(false);
  });

  it.each([
    '$argon2i$v=19$m=19456,t=2,p=1$3EmKpQ3HPFQTGyO4cDkPBg$23jeg0+5Kk9YIStXyzBQUOlm6NuXA5fd2/pkcOSzvSo',
    '$2b$12$abcdefghijklmnopqrstuv',
    'plain text',
    `${HASH}$extra`,
  ])('refuses %s as a password_hash', (hash) => {
    expect(schema.safeParse({ ...base(), password: undefined, password_hash: hash }).success).toBe(false);
  });
});
