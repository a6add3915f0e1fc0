// How a scope's fields are offered to a person: one choice per field, except that a field which
// travels with another (a code with its label, as the catalog says) is folded into that field's
// choice, so a person never decides about a code alone. Marks say which choices hold data that calls
// for more care (financial or special-category data), each with the one sentence that explains it.
import type { FieldDef, ScopeDef, Sensitivity } from './catalog-schema.ts';

export interface FieldChoice {
  /** the field the person decides about; its key is what the form posts */
  field: FieldDef;
  key: string;
  /** the fields that go with it */
  travellers: FieldDef[];
  mark: Mark | undefined;
}

export interface Mark {
  kind: Exclude<Sensitivity, false>;
  label: string;
  /** one sentence, shown once on the page */
  explanation: string;
}

export const MARKS: Record<Exclude<Sensitivity, false>, Mark> = {
  financial: {
    kind: 'financial',
    label: 'Donnée financière',
    explanation:
      'Une donnée financière dit quelles aides ou quels revenus vous recevez : ne la partagez que si l’application en a vraiment besoin.',
  },
  special_category: {
    kind: 'special_category',
    label: 'Donnée sensible',
    explanation:
      'Une donnée sensible touche à votre santé, à vos origines ou à vos convictions : la loi la protège davantage, ne la partagez que si l’application en a vraiment besoin.',
  },
};

/**
 * The choices of a scope, in catalog order. With `present`, only the fields whose key it holds: a
 * travelling field whose partner is absent (an older consent) then stands as its own choice, as do
 * the travelling fields whose key `apart` holds (granted alone before, so shown as they stand).
 */
export function fieldChoices(
  scope: ScopeDef,
  present?: ReadonlySet<string>,
  apart?: ReadonlySet<string>,
): FieldChoice[] {
  const has = (f: FieldDef) => !present || present.has(`${scope.id}.${f.id}`);
  const fields = scope.fields.filter(has);
  const folded = (f: FieldDef) =>
    f.travelsWith !== undefined &&
    !apart?.has(`${scope.id}.${f.id}`) &&
    fields.some((p) => p.id === f.travelsWith);
  return fields
    .filter((f) => !folded(f))
    .map((field) => {
      const travellers = fields.filter((f) => f.travelsWith === field.id && folded(f));
      const kinds = [field, ...travellers].map((f) => f.sensitive).filter((s) => s !== false);
      return {
        field,
        key: `${scope.id}.${field.id}`,
        travellers,
        mark: kinds.includes('special_category')
          ? MARKS.special_category
          : kinds.includes('financial')
            ? MARKS.financial
            : undefined,
      };
    });
}

/** The marks a set of choices carries, each once, strongest first. */
export function marksOf(choices: readonly FieldChoice[]): Mark[] {
  const kinds = new Set(choices.map((c) => c.mark?.kind).filter((k) => k !== undefined));
  return (['special_category', 'financial'] as const).filter((k) => kinds.has(k)).map((k) => MARKS[k]);
}
