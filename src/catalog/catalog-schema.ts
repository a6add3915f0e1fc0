// The shape of one scopes/<id>.yaml file. Objects are strict so that a typo in a key ("sensitve") is an
// error at start-up rather than a silently ignored setting on the consent screen. Everything a person
// reads about a value comes from here too: enum values carry their French label, object members their
// label and, where a plain list of members would read badly (an address), a display template; a code
// names the field it always travels with, so a person never decides about a code alone.
import { z } from 'zod';

export type FieldType = 'string' | 'boolean' | 'integer' | 'number' | 'date' | 'object' | 'array';

/**
 * false for ordinary personal data; otherwise the kind of protection the data calls for: `financial`
 * (what a person receives or earns) or `special_category` (GDPR Art. 9: health, origin, beliefs…).
 * Only these two get the strong mark on the consent page.
 */
export type Sensitivity = false | 'financial' | 'special_category';

export interface FieldDef {
  id: string;
  label: string;
  description: string;
  sensitive: Sensitivity;
  type: FieldType;
  nullable?: boolean;
  enum?: string[];
  /** the French label of each enum value, as a person reads it */
  enumLabels?: Record<string, string>;
  /**
   * for an object: how its members read as text, e.g. "{postal_code} {locality}" (one line per \n).
   * It names every member that is shared: the person reads only what it shows.
   */
  display?: string;
  /** the id of a field of the same scope this one is always chosen with (a code with its label) */
  travelsWith?: string;
  /**
   * may be left out of an import line, and is then stored as null: a field added after import files
   * were written (the legacy APIs' extra values). Only for a nullable field.
   */
  optional?: boolean;
  example?: unknown;
  properties?: Record<string, unknown>;
  items?: unknown;
}

/**
 * An OIDC claim made of other claims of its scope (OIDC Core §5.1 `name` from `given_name` and
 * `family_name`). It has no checkbox: it is released exactly when every field it is made of is, since
 * it holds nothing more than they do.
 */
export interface DerivedClaimDef {
  id: string;
  /** the fields it is made of, joined with a space in this order */
  from: string[];
  description: string;
}

export interface ScopeDef {
  id: string;
  kind: 'oidc' | 'data';
  shape: 'object' | 'list' | 'claims';
  title: string;
  explanation: string;
  fields: FieldDef[];
  derived_claims?: DerivedClaimDef[];
  /** the names Pôle emploi Connect's partner apps use for this scope (legacy-scopes.ts) */
  legacy?: LegacyBlock;
  /** path it was loaded from */
  file: string;
}

/**
 * A value nested inside an object or array field. It has no label or sensitivity of its own: consent is
 * granted per top-level field, so only the field carries the texts the jobseeker reads.
 */
export interface PropertyDef {
  type: FieldType;
  /** what the member is called when shown to a person (required for the members of an object) */
  label?: string;
  description?: string;
  enum?: string[];
  enumLabels?: Record<string, string>;
  display?: string;
  nullable?: boolean;
  /** may be absent from its object (only the OIDC address members need this; data values prefer null) */
  optional?: boolean;
  properties?: Record<string, PropertyDef>;
  items?: PropertyDef;
}

export const fieldTypes = ['string', 'boolean', 'integer', 'number', 'date', 'object', 'array'] as const;

// Field ids become JSON keys and OIDC claim names, so they must be safe, stable identifiers.
const identifier = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and contain only letters, digits or _');
const text = z.string().trim().min(1, 'must not be empty');
const enumValues = z
  .array(z.string().min(1))
  .min(1)
  .refine((v) => new Set(v).size === v.length, 'enum values must be unique');

const enumLabels = z.record(z.string(), text);

interface TypeExtras {
  type: FieldType;
  enum?: string[] | undefined;
  enumLabels?: Record<string, string> | undefined;
  display?: string | undefined;
  properties?: Record<string, unknown> | undefined;
  items?: unknown;
}

// Extras that only make sense for one type are rejected elsewhere, so a misplaced `items:` cannot be ignored.
function checkTypeExtras(def: TypeExtras, ctx: z.RefinementCtx): void {
  const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  if (def.type === 'object' && !def.properties) issue('properties', 'Required for type object');
  if (def.type !== 'object' && def.properties) issue('properties', 'Only allowed for type object');
  if (def.type === 'array' && !def.items) issue('items', 'Required for type array');
  if (def.type !== 'array' && def.items) issue('items', 'Only allowed for type array');
  if (def.type !== 'string' && def.enum) issue('enum', 'Only allowed for type string');
  checkEnumLabels(def, issue);
  checkDisplay(def, issue);
  if (def.type === 'object' && def.properties) {
    for (const [name, member] of Object.entries(def.properties as Record<string, PropertyDef>)) {
      if (member && typeof member === 'object' && !member.label)
        ctx.addIssue({
          code: 'custom',
          path: ['properties', name, 'label'],
          message: 'Required for a member of an object (what a person reads)',
        });
    }
  }
}

// A person never reads a raw code: every enum value has its label, and a label names a real value.
function checkEnumLabels(def: TypeExtras, issue: (key: string, message: string) => void): void {
  if (!def.enum) {
    if (def.enumLabels) issue('enumLabels', 'Only allowed with an enum');
    return;
  }
  const labels = def.enumLabels ?? {};
  const missing = def.enum.filter((value) => !Object.hasOwn(labels, value));
  if (missing.length) issue('enumLabels', `a French label is required for ${missing.join(', ')}`);
  const unknown = Object.keys(labels).filter((value) => !def.enum?.includes(value));
  if (unknown.length) issue('enumLabels', `not an enum value: ${unknown.join(', ')}`);
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

function checkDisplay(def: TypeExtras, issue: (key: string, message: string) => void): void {
  if (def.display === undefined) return;
  if (def.type !== 'object') {
    issue('display', 'Only allowed for type object');
    return;
  }
  const names = [...def.display.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
  if (!names.length) issue('display', 'must name at least one member, e.g. {libelle}');
  const unknown = names.filter((n) => !Object.hasOwn(def.properties ?? {}, n));
  if (unknown.length) issue('display', `unknown member ${unknown.map((n) => `{${n}}`).join(', ')}`);
}

/** The members a display template names, in order: "{a} {b}" → ['a', 'b']. */
export const displayMembers = (template: string): string[] =>
  [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);

export const propertyDefSchema: z.ZodType<PropertyDef> = z
  .strictObject({
    type: z.enum(fieldTypes),
    label: text.optional(),
    description: text.optional(),
    enum: enumValues.optional(),
    enumLabels: enumLabels.optional(),
    display: text.optional(),
    nullable: z.boolean().optional(),
    optional: z.boolean().optional(),
    get properties() {
      return z.record(identifier, propertyDefSchema).optional();
    },
    get items() {
      return propertyDefSchema.optional();
    },
  })
  .superRefine(checkTypeExtras);

export const fieldDefSchema = z
  .strictObject({
    id: identifier,
    label: text,
    description: text,
    // Required, never defaulted: every field needs an explicit data-protection decision, and `true`
    // is refused so that the decision names its kind.
    sensitive: z.union([z.literal(false), z.enum(['financial', 'special_category'])], {
      error: (issue) =>
        issue.input === undefined ? 'Required' : 'must be false, financial or special_category',
    }),
    type: z.enum(fieldTypes),
    nullable: z.boolean().optional(),
    enum: enumValues.optional(),
    enumLabels: enumLabels.optional(),
    display: text.optional(),
    travelsWith: identifier.optional(),
    optional: z.boolean().optional(),
    example: z.unknown().optional(),
    properties: z.record(identifier, propertyDefSchema).optional(),
    items: propertyDefSchema.optional(),
  })
  .superRefine(checkTypeExtras)
  .superRefine((def, ctx) => {
    if (def.optional && !def.nullable)
      ctx.addIssue({ code: 'custom', path: ['optional'], message: 'Only allowed with nullable: true' });
  });

/**
 * What the Pôle emploi Connect partner apps call this file's data (docs: README « Migrer une application
 * Pôle emploi Connect », PECONNECT.md §3). Several files may name the same legacy scope: the catalog
 * unions them (`coordonnees` is the address, the phone and the email). Keys are reserved for the
 * legacy resource APIs (`apis`) next to these.
 */
export interface LegacyBlock {
  /** applicative (data) scopes whose consent covers every field of this file, e.g. pfccompetences */
  scopes?: string[];
  /** technical scopes api_<api><version>: they open an API and release nothing by themselves */
  technical_scopes?: string[];
  /** the legacy resource APIs made of this file's fields (src/legacy-api/legacy-apis.ts) */
  apis?: LegacyApiDecl[];
}

/** A legacy resource API, /partenaire/<path>, and the fields of this file it is made of. */
export interface LegacyApiDecl {
  /** under /partenaire, e.g. peconnect-competences/v2/competences */
  path: string;
  /** the technical scope legacy apps request to call it */
  technical_scope: string;
  /** ids of this file's fields the API is made of */
  fields: string[];
}

// As real apps spell them (camelCase included: demarchesW, serviceDigitauxExposition). application_<id>
// and qos_<tier>_<api> are not scopes of data: the catalog recognises them itself (legacy-scopes.ts).
const legacyScopeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be a scope name as apps send it (letters, digits, _ or -)')
  .refine((name) => !/^(application|qos)_/.test(name), 'application_* and qos_* are recognised, not declared')
  .refine((name) => !/^api_/.test(name), 'api_* names are technical: list them under technical_scopes');
const technicalScopeName = z
  .string()
  .regex(/^api_[a-z0-9-]+v[0-9]+$/, 'must be api_<api><version>, e.g. api_peconnect-statutv1');
const uniqueNames = <T extends z.ZodType<string>>(name: T) =>
  z
    .array(name)
    .min(1)
    .refine((v) => new Set(v).size === v.length, 'names must be unique');

export const legacyBlockSchema = z.strictObject({
  scopes: uniqueNames(legacyScopeName).optional(),
  technical_scopes: uniqueNames(technicalScopeName).optional(),
  apis: z
    .array(
      z.strictObject({
        path: z
          .string()
          .regex(
            /^peconnect-[a-z0-9-]+\/v[0-9]+(\/[a-z0-9-]+)+$/,
            'must be a path under /partenaire, e.g. peconnect-statut/v1/statut',
          ),
        technical_scope: technicalScopeName,
        fields: uniqueNames(identifier),
      }),
    )
    .min(1)
    .refine((apis) => new Set(apis.map((a) => a.path)).size === apis.length, 'paths must be unique')
    .optional(),
});

export const scopeFileSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits or _'),
    // Display order on the consent screen, kept in the files so that adding a scope touches no code.
    order: z.int().nonnegative(),
    kind: z.enum(['oidc', 'data']),
    shape: z.enum(['object', 'list', 'claims']),
    title: text,
    explanation: text,
    fields: z.array(fieldDefSchema).min(1),
    derived_claims: z
      .array(
        z.strictObject({
          id: identifier,
          from: z.array(identifier).min(1),
          description: text,
        }),
      )
      .optional(),
    legacy: legacyBlockSchema.optional(),
  })
  .superRefine((scope, ctx) => {
    const fieldIds = new Set(scope.fields.map((f) => f.id));
    (scope.legacy?.apis ?? []).forEach((api, i) => {
      api.fields.forEach((id, j) => {
        if (!fieldIds.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['legacy', 'apis', i, 'fields', j],
            message: `"${id}" is not a field of this scope`,
          });
        }
      });
    });
    (scope.derived_claims ?? []).forEach((claim, i) => {
      if (scope.kind !== 'oidc') {
        ctx.addIssue({ code: 'custom', path: ['derived_claims'], message: 'only OIDC scopes derive claims' });
      }
      if (fieldIds.has(claim.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['derived_claims', i, 'id'],
          message: `"${claim.id}" is a field`,
        });
      }
      claim.from.forEach((id, j) => {
        if (!fieldIds.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['derived_claims', i, 'from', j],
            message: `"${id}" is not a field of this scope`,
          });
        }
      });
    });
    const shapeOk = scope.kind === 'oidc' ? scope.shape === 'claims' : scope.shape !== 'claims';
    if (!shapeOk) {
      const expected = scope.kind === 'oidc' ? 'claims' : 'object or list';
      ctx.addIssue({
        code: 'custom',
        path: ['shape'],
        message: `must be ${expected} for kind ${scope.kind}`,
      });
    }
    const seen = new Set<string>();
    scope.fields.forEach((field, i) => {
      if (seen.has(field.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'id'],
          message: `duplicate field id "${field.id}"`,
        });
      }
      seen.add(field.id);
    });
    // A code travels with a field that is chosen on its own: one level, inside the scope.
    const byId = new Map(scope.fields.map((f) => [f.id, f]));
    scope.fields.forEach((field, i) => {
      if (field.travelsWith === undefined) return;
      const partner = byId.get(field.travelsWith);
      const problem =
        partner === undefined
          ? `no field "${field.travelsWith}" in this scope`
          : partner === field
            ? 'a field cannot travel with itself'
            : partner.travelsWith !== undefined
              ? `"${partner.id}" travels with another field itself`
              : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: ['fields', i, 'travelsWith'], message: problem });
    });
  });

export type ScopeFile = z.infer<typeof scopeFileSchema>;
