// The shape of one scopes/<id>.yaml file. Objects are strict so that a typo in a key ("sensitve") is an
// error at start-up rather than a silently ignored setting on the consent screen.
import { z } from 'zod';

export type FieldType = 'string' | 'boolean' | 'integer' | 'number' | 'date' | 'object' | 'array';

export interface FieldDef {
  id: string;
  label: string;
  description: string;
  sensitive: boolean;
  type: FieldType;
  nullable?: boolean;
  enum?: string[];
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
  /** path it was loaded from */
  file: string;
}

/**
 * A value nested inside an object or array field. It has no label or sensitivity of its own: consent is
 * granted per top-level field, so only the field carries the texts the jobseeker reads.
 */
export interface PropertyDef {
  type: FieldType;
  description?: string;
  enum?: string[];
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

interface TypeExtras {
  type: FieldType;
  enum?: string[] | undefined;
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
}

export const propertyDefSchema: z.ZodType<PropertyDef> = z
  .strictObject({
    type: z.enum(fieldTypes),
    description: text.optional(),
    enum: enumValues.optional(),
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
    // Required, never defaulted: every field needs an explicit data-protection decision.
    sensitive: z.boolean(),
    type: z.enum(fieldTypes),
    nullable: z.boolean().optional(),
    enum: enumValues.optional(),
    example: z.unknown().optional(),
    properties: z.record(identifier, propertyDefSchema).optional(),
    items: propertyDefSchema.optional(),
  })
  .superRefine(checkTypeExtras);

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
  })
  .superRefine((scope, ctx) => {
    const fieldIds = new Set(scope.fields.map((f) => f.id));
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
  });

export type ScopeFile = z.infer<typeof scopeFileSchema>;
