// The view-model of the consent page: the app, and for each requested scope its fields as
// checkboxes. Nothing is pre-ticked except what this jobseeker already granted this app (pre-ticked
// boxes are not valid consent: CJEU C-673/17 "Planet49").
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import type { ConsentRow } from '../consents/consent-queries.ts';
import { fieldValue, formatValue } from './format-value.ts';
import { requestedScopes } from './requested-fields.ts';

export interface ConsentPageInput {
  catalog: Catalog;
  client: ClientRow;
  scope: string;
  /** the live consent to this app, if any */
  live: Pick<ConsentRow, 'fields'> | undefined;
  claims: Record<string, unknown>;
  data: Record<string, unknown>;
  durationDays: number;
  offlineAccess: boolean;
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

export function consentPageModel(input: ConsentPageInput) {
  const { catalog, client, live, claims, data } = input;
  const granted = new Set(live?.fields ?? []);
  const scopes = requestedScopes(catalog, input.scope, client.scopes)
    .filter((s) => s.id !== 'openid')
    .map((scope) => ({
      id: scope.id,
      title: scope.title,
      explanation: scope.explanation,
      purpose: client.purposes[scope.id],
      fields: scope.fields.map((field) => {
        const raw =
          scope.kind === 'oidc' ? claims[field.id] : fieldValue(scope.shape, data[scope.id], field.id);
        const key = `${scope.id}.${field.id}`;
        return {
          key,
          inputId: `field-${scope.id}-${field.id}`,
          label: field.label,
          description: field.description,
          sensitive: field.sensitive,
          checked: granted.has(key),
          value: formatValue(raw),
        };
      }),
    }));
  const expires = new Date(Date.now() + input.durationDays * 86_400_000);
  return {
    client: {
      name: client.name,
      description: client.description,
      operator: client.operator_name,
      website: client.website?.startsWith('https://') ? client.website : undefined,
    },
    scopes,
    openid: catalog.byId.get('openid'),
    offlineAccess: input.offlineAccess,
    expiresOn: dateFormat.format(expires),
    renewing: Boolean(live),
  };
}
