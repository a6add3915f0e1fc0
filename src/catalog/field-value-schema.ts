// Zod schemas for the values described by the catalog, so the data we serve (and the examples in the
// scope files) can be checked against the very definitions the jobseeker consented to.
import { z } from 'zod';
import type { FieldDef, PropertyDef, ScopeDef } from './catalog-schema.ts';
import type { Catalog } from './load-catalog.ts';

/** Schema of one field's (or nested property's) value, without the absent-key question. */
export function fieldValueSchema(def: FieldDef | PropertyDef): z.ZodType {
  const base = baseSchema(def);
  return def.nullable ? base.nullable() : base;
}

function baseSchema(def: FieldDef | PropertyDef): z.ZodType {
  switch (def.type) {
    case 'string':
      return def.enum ? z.enum(def.enum) : z.string();
    case 'boolean':
      return z.boolean();
    case 'integer':
      return z.int();
    case 'number':
      return z.number();
    case 'date':
      // Calendar dates only: a birth date or contract start has no meaningful time zone.
      return z.iso.date();
    case 'object':
      // FieldDef types nested definitions loosely (a fixed public interface); loadCatalog validated them.
      return objectSchema((def.properties ?? {}) as Record<string, PropertyDef>);
    case 'array':
      return z.array(fieldValueSchema(def.items as PropertyDef));
  }
}

function objectSchema(properties: Record<string, PropertyDef>): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, prop] of Object.entries(properties)) {
    const value = fieldValueSchema(prop);
    shape[name] = prop.optional ? value.optional() : value;
  }
  return z.strictObject(shape);
}

/**
 * The full value of a data scope as the source system must provide it: every field present (null when
 * nullable and unknown), no unknown keys — except an `optional` field, which an older file may leave
 * out and which is then stored as null. Filtering down to consented fields happens after this check.
 */
export function dataScopeValueSchema(scope: ScopeDef): z.ZodType {
  if (scope.kind !== 'data') throw new Error(`scope "${scope.id}" is not a data scope`);
  const shape: Record<string, z.ZodType> = {};
  for (const field of scope.fields) {
    const value = fieldValueSchema(field);
    shape[field.id] = field.optional ? value.default(null) : value;
  }
  const item = z.strictObject(shape);
  return scope.shape === 'list' ? z.array(item) : item;
}

/**
 * The OIDC claims of a jobseeker (userinfo / ID token material). `sub` is excluded because it is computed
 * per client (pairwise), never stored with the profile; every other claim is optional.
 */
export function claimsSchema(catalog: Catalog): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const scope of catalog.oidcScopes) {
    for (const field of scope.fields) {
      if (field.id !== 'sub') shape[field.id] = fieldValueSchema(field).optional();
    }
  }
  return z.strictObject(shape);
}
