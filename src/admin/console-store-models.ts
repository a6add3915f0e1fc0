// The catalogue form of the admin console (console-store-routes.ts): as typed, to the service input,
// and the view-model of its page.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import type { ClientValues } from '../clients/client-values.ts';
import { type Audience, audienceVocabulary } from '../store/audience.ts';
import { describeAudience } from '../store/audience-text.ts';
import { STORE_CATEGORIES } from '../store/categories.ts';

export interface ListingForm {
  category: string;
  start_url: string;
  rome: string;
  skills: string;
  regions: string[];
  statuses: string[];
  training_levels: string[];
  contract_types: string[];
  available_now: boolean;
  audience_vetted: boolean;
}

const text = (v: unknown, max = 2000) =>
  (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '').slice(0, max);
const list = (v: unknown) =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .filter((x): x is string => typeof x === 'string')
    .slice(0, 50);
const words = (v: string) => v.split(/[\s,;]+/).filter(Boolean);

export function listingForm(row: ClientRow): ListingForm {
  const a = row.audience ?? {};
  return {
    category: row.category ?? '',
    start_url: row.start_url ?? '',
    rome: (a.rome ?? []).join(', '),
    skills: (a.skills ?? []).join(', '),
    regions: a.regions ?? [],
    statuses: a.statuses ?? [],
    training_levels: a.training_levels ?? [],
    contract_types: a.contract_types ?? [],
    available_now: a.available_now === true,
    audience_vetted: row.audience_vetted,
  };
}

export function listingFormFromBody(body: unknown): ListingForm {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return {
    category: text(b.category, 50),
    start_url: text(b.start_url),
    rome: text(b.rome, 1000),
    skills: text(b.skills, 1000),
    regions: list(b.regions),
    statuses: list(b.statuses),
    training_levels: list(b.training_levels),
    contract_types: list(b.contract_types),
    available_now: text(b.available_now) === 'yes',
    audience_vetted: text(b.audience_vetted) === 'yes',
  };
}

export function listingInput(form: ListingForm): ClientValues {
  const audience: Audience = {
    rome: words(form.rome),
    regions: form.regions,
    statuses: form.statuses,
    training_levels: form.training_levels,
    contract_types: form.contract_types,
    available_now: form.available_now,
    skills: words(form.skills),
  };
  return {
    category: form.category || null,
    start_url: form.start_url.trim() || null,
    audience,
    audience_vetted: form.audience_vetted,
  };
}

const choices = (values: string[], labels: Record<string, string>, checked: string[], name: string) =>
  values.map((value) => ({
    value,
    label: labels[value] ?? value,
    id: `${name}-${value}`.replaceAll('_', '-'),
    checked: checked.includes(value),
  }));

export function listingView(row: ClientRow, form: ListingForm, errors: string[], catalog: Catalog) {
  const v = audienceVocabulary(catalog);
  return {
    client: { id: row.id, name: row.name, status: row.status },
    form,
    errors,
    categories: STORE_CATEGORIES.map((c) => ({ ...c, selected: c.id === form.category })),
    regions: choices(v.regions.values, v.regions.labels, form.regions, 'region'),
    statuses: choices(v.statuses.values, v.statuses.labels, form.statuses, 'statut'),
    trainingLevels: choices(v.trainingLevels.values, v.trainingLevels.labels, form.training_levels, 'niveau'),
    contractTypes: choices(v.contractTypes.values, v.contractTypes.labels, form.contract_types, 'contrat'),
    storedAudience: describeAudience(row.audience, v),
    vetted: row.audience_vetted,
  };
}
