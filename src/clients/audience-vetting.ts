// Who may vouch for an app's declared audience, and when a change needs vetting again. Emploi Store
// recommendations use only a vetted audience (src/store/), so the vetting is the client service's
// one privileged field: its rules live here, beside none of the registration's.

// An admin, the operator's CLI, or the system itself (the demo seed). An app's own registration (RFC
// 7591, the developer portal) may declare an audience, never vet it.
export const mayVetAudience = (actor: string) =>
  actor.startsWith('admin:') || actor === 'cli' || actor === 'system';

// jsonb keeps keys in its own order: compare with sorted keys (the lists are sorted by the rules).
const canonical = (a: object | null | undefined) =>
  JSON.stringify(a ? Object.entries(a).sort(([x], [y]) => x.localeCompare(y)) : null);

/** The same declared audience, whatever order jsonb gave its keys. */
export const sameAudience = (a: object | null | undefined, b: object | null | undefined) =>
  canonical(a) === canonical(b);
