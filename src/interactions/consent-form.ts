// What a consent form means, whoever sends it (the page with or without JavaScript, or a tool): every
// field of each block ticked as a whole (`scopes=<scope>`), plus each field ticked one by one
// (`fields=<scope>.<field>`), each with the fields that travel with it (a code with its label). A
// ticked block and some of its fields ticked one by one is still the whole block: the page says so.
// Fields that were not requested are dropped by the consent service, so a forged form grants nothing
// more than the page offered.
import { z } from 'zod';
import type { Catalog } from '../catalog/load-catalog.ts';

const oneOrMany = z.union([z.string().max(200), z.array(z.string().max(200)).max(500)]);

export const consentFormSchema = z.object({ fields: oneOrMany.optional(), scopes: oneOrMany.optional() });

export type ConsentForm = z.infer<typeof consentFormSchema>;

export function tickedFields(catalog: Catalog, form: ConsentForm): string[] {
  const blocks = ([] as string[]).concat(form.scopes ?? []);
  const whole = blocks.flatMap((id) => {
    const scope = catalog.byId.get(id);
    return scope ? scope.fields.map((f) => `${scope.id}.${f.id}`) : [];
  });
  return catalog.withTravellers([...whole, ...([] as string[]).concat(form.fields ?? [])]);
}
