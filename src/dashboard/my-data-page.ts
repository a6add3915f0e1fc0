// « Mes données »: what Pôle emploi Connect holds of the jobseeker's profile, as a person reads it —
// each scope under its French title, each field under its label, each value written as on the consent
// page (dates in words, labels for codes, addresses as addresses, lists as lists). For reading and
// printing; the JSON download beside it keeps its documented schema.
import type { Catalog } from '../catalog/load-catalog.ts';
import { fieldRows, scopeSection } from '../catalog/scope-section.ts';

export function myDataPage(
  catalog: Catalog,
  jobseeker: { login: string; claims: Record<string, unknown> },
  data: Record<string, unknown>,
) {
  const sections = catalog.scopes
    .filter((scope) => scope.id !== 'openid')
    .map((scope) =>
      scope.kind === 'oidc'
        ? { id: scope.id, title: scope.title, rows: fieldRows(scope.fields, jobseeker.claims) }
        : scopeSection(scope, scope.fields, data[scope.id]),
    );
  return { login: jobseeker.login, sections };
}
