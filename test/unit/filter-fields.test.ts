// Property tests of the resource API's field filter, on the real catalog's data scopes: whatever the
// stored value looks like, only consented keys come out, with their values untouched.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterScopeValue, grantedFieldIds } from '../../src/api/filter-fields.ts';
import type { ScopeDef } from '../../src/catalog/catalog-schema.ts';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
const RUNS = { numRuns: 200 };
const ids = (scope: ScopeDef) => scope.fields.map((f) => f.id);

// A data scope with a subset of its fields granted.
const scopeAndGranted = fc
  .constantFrom(...catalog.dataScopes)
  .chain((scope) => fc.record({ scope: fc.constant(scope), granted: fc.subarray(ids(scope)) }));

// Stored items: mostly the scope's own keys, plus keys the catalog does not know.
const itemOf = (scope: ScopeDef) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...ids(scope)), fc.string({ maxLength: 8 })), fc.jsonValue(), {
    maxKeys: 8,
  });

function expectFiltered(item: Record<string, unknown>, source: Record<string, unknown>, granted: string[]) {
  const expectedKeys = Object.keys(source).filter((k) => granted.includes(k));
  expect(Object.keys(item).sort()).toEqual(expectedKeys.sort());
  for (const key of expectedKeys) expect(item[key]).toBe(source[key]);
}

describe('grantedFieldIds', () => {
  // The granted keys of one scope, shuffled among keys of other scopes, near misses and noise.
  const consentKeys = fc
    .tuple(scopeAndGranted, fc.subarray([...catalog.fieldKeys]), fc.array(fc.string({ maxLength: 12 })))
    .chain(([{ scope, granted }, others, noise]) => {
      const first = ids(scope)[0];
      const nearMisses = [scope.id, `${scope.id}x.${first}`, `x${scope.id}.${first}`];
      const foreign = [...others, ...noise, ...nearMisses].filter((k) => !k.startsWith(`${scope.id}.`));
      const all = [...granted.map((id) => `${scope.id}.${id}`), ...foreign];
      return fc.record({
        scope: fc.constant(scope),
        granted: fc.constant(granted),
        keys: fc.shuffledSubarray(all, { minLength: all.length }),
      });
    });

  it('returns exactly the granted field ids of that scope, ignoring every other key', () => {
    fc.assert(
      fc.property(consentKeys, ({ scope, granted, keys }) => {
        expect(grantedFieldIds(scope.id, keys)).toEqual(new Set(granted));
      }),
      RUNS,
    );
  });
});

describe('filterScopeValue', () => {
  it('keeps in each list item only the granted keys, with their values', () => {
    const lists = catalog.dataScopes.filter((s) => s.shape === 'list');
    fc.assert(
      fc.property(
        fc.constantFrom(...lists).chain((scope) =>
          fc.record({
            scope: fc.constant(scope),
            granted: fc.subarray(ids(scope)),
            value: fc.array(itemOf(scope)),
          }),
        ),
        ({ scope, granted, value }) => {
          const out = filterScopeValue(scope, value, new Set(granted));
          expect(Array.isArray(out)).toBe(true);
          const items = out as Record<string, unknown>[];
          expect(items).toHaveLength(value.length);
          for (const [i, item] of items.entries()) {
            expectFiltered(item, value[i] as Record<string, unknown>, granted);
          }
        },
      ),
      RUNS,
    );
  });

  it('keeps in an object value only the granted keys, with their values', () => {
    const objects = catalog.dataScopes.filter((s) => s.shape === 'object');
    fc.assert(
      fc.property(
        fc
          .constantFrom(...objects)
          .chain((scope) =>
            fc.record({ scope: fc.constant(scope), granted: fc.subarray(ids(scope)), value: itemOf(scope) }),
          ),
        ({ scope, granted, value }) => {
          const out = filterScopeValue(scope, value, new Set(granted));
          expect(Array.isArray(out)).toBe(false);
          expectFiltered(out as Record<string, unknown>, value, granted);
        },
      ),
      RUNS,
    );
  });

  it('never fails and never leaks on values of the wrong shape', () => {
    fc.assert(
      fc.property(
        scopeAndGranted,
        fc.oneof(fc.constant(null), fc.constant(undefined), fc.jsonValue()),
        ({ scope, granted }, value) => {
          const out = filterScopeValue(scope, value, new Set(granted));
          if (scope.shape === 'list') {
            if (!Array.isArray(value)) expect(out).toEqual([]);
            else expect(out).toHaveLength(value.length);
          }
          const keys = (Array.isArray(out) ? out : [out]).flatMap((item) => Object.keys(item));
          for (const key of keys) expect(granted).toContain(key);
        },
      ),
      RUNS,
    );
  });

  it('grants nothing from an empty consent', () => {
    for (const scope of catalog.dataScopes) {
      const value = Object.fromEntries(ids(scope).map((id) => [id, 'x']));
      const out = filterScopeValue(scope, scope.shape === 'list' ? [value, value] : value, new Set());
      expect(out, scope.id).toEqual(scope.shape === 'list' ? [{}, {}] : {});
    }
  });
});
