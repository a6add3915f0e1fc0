// The Emploi Store's categories: a fixed, vetted list (an app cannot invent its own). Adding one is a
// code change reviewed like any other, so that the catalog's filters stay few and plain.
export const STORE_CATEGORIES = [
  { id: 'cv', label: 'CV et candidatures' },
  { id: 'offres', label: 'Offres d’emploi' },
  { id: 'formation', label: 'Formation' },
  { id: 'orientation', label: 'Orientation et métiers' },
  { id: 'mobilite', label: 'Mobilité' },
  { id: 'creation_entreprise', label: 'Création d’entreprise' },
  { id: 'accompagnement', label: 'Accompagnement' },
  { id: 'vie_quotidienne', label: 'Vie quotidienne' },
] as const;

export type StoreCategory = (typeof STORE_CATEGORIES)[number]['id'];

export const STORE_CATEGORY_IDS = STORE_CATEGORIES.map((c) => c.id) as [StoreCategory, ...StoreCategory[]];

export const categoryLabel = (id: string | null | undefined): string | undefined =>
  STORE_CATEGORIES.find((c) => c.id === id)?.label;
