// What the catalog shows of an app, in the consent page's words: the data it may ask for (each
// kind's title, the app's purpose, the fields), its operator, its privacy notice, its category.
// Pure view-models; templates only loop over them.
import type { Catalog } from '../catalog/load-catalog.ts';
import { sensitiveScopes } from '../clients/client-rules.ts';
import { categoryLabel } from './categories.ts';
import type { ListedApp } from './store-queries.ts';

export interface AppCard {
  id: string;
  name: string;
  description: string;
  operator: string;
  category?: { id: string; label: string };
  href: string;
  startUrl?: string;
  policyHref?: string;
  tosHref?: string;
  contactEmail?: string;
  free: boolean;
  /** what the app may ask for, in the catalog's order */
  asks: { id: string; title: string; purpose?: string; fields: string[] }[];
  offlineAccess: boolean;
}

// Links shown to the public: the rules already refused javascript: and the like; http stays only
// for loopback outside production, where the registration rules allow it.
const link = (value: string | null) => (value && /^https?:\/\//.test(value) ? value : undefined);

export function appCard(app: ListedApp, catalog: Catalog): AppCard {
  const reserved = sensitiveScopes(catalog);
  const asked = new Set(app.scopes);
  const label = categoryLabel(app.category);
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    operator: app.operator_name,
    category: label && app.category ? { id: app.category, label } : undefined,
    href: `/applications/${encodeURIComponent(app.id)}`,
    startUrl: link(app.start_url) ?? link(app.website),
    policyHref: link(app.policy_uri),
    tosHref: link(app.tos_uri),
    contactEmail: app.contact_email ?? undefined,
    free: app.free_for_jobseekers,
    // The same scopes the provider serves it (client-service.ts): a sensitive scope only to a
    // high-assurance app.
    asks: catalog.scopes
      .filter((s) => s.id !== 'openid' && asked.has(s.id) && (app.high_assurance || !reserved.has(s.id)))
      .map((s) => ({
        id: s.id,
        title: s.title,
        purpose: s.kind === 'data' ? app.purposes[s.id] : undefined,
        fields: s.fields.filter((f) => !f.travelsWith).map((f) => f.label),
      })),
    offlineAccess: asked.has('offline_access'),
  };
}

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Every word of the query appears in the app's name, description, operator or category. */
export function matchesSearch(card: AppCard, query: string): boolean {
  const haystack = fold([card.name, card.description, card.operator, card.category?.label ?? ''].join(' '));
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

const collator = new Intl.Collator('fr', { sensitivity: 'base' });

/** The catalog's own order: alphabetical, the same for every app and every visitor. */
export const byName = (a: AppCard, b: AppCard) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1);
