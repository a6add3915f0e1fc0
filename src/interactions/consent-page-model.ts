// The view-model of the consent page: the app and its own privacy notice, then one block per requested
// scope (title, plain explanation, the app's purpose) with one choice for the whole block and, behind
// "Choisir donnée par donnée", one choice per field with the value that would be shared, in French.
// Nothing is pre-ticked on a first consent (pre-ticked boxes are not valid consent: CJEU C-673/17
// "Planet49"); on a renewal the fields already granted stay ticked, never the block choice itself.
// The form's meaning, stated on the page: a ticked block shares every field of that block; otherwise
// only the fields ticked one by one are shared.

import { fieldChoices, marksOf } from '../catalog/field-choices.ts';
import { formatScopeField } from '../catalog/format-value.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import { requestedScopes } from '../consents/consent-fields.ts';
import type { ConsentRow } from '../consents/consent-queries.ts';

export interface ConsentPageInput {
  catalog: Catalog;
  /** the recipient: an app, or an advisor presented the same way (../advisors/mandate-page-model.ts) */
  client: Pick<
    ClientRow,
    | 'name'
    | 'description'
    | 'operator_name'
    | 'website'
    | 'policy_uri'
    | 'contact_email'
    | 'scopes'
    | 'purposes'
  > &
    Partial<Pick<ClientRow, 'sandbox'>>;
  scope: string;
  /** the live consent to this app, if any */
  live: Pick<ConsentRow, 'fields'> | undefined;
  claims: Record<string, unknown>;
  data: Record<string, unknown>;
  durationDays: number;
  offlineAccess: boolean;
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

// Links shown to a person: https only (http on loopback is a development app).
const safeLink = (url: string | null) =>
  url && (url.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(url))
    ? url
    : undefined;

/** What the consent page and the /account card show of an app, its privacy notice included. */
export function clientNotice(client: {
  name: string;
  description: string;
  operator_name: string;
  website: string | null;
  policy_uri: string | null;
  contact_email: string | null;
}) {
  return {
    name: client.name,
    description: client.description,
    operator: client.operator_name,
    website: safeLink(client.website),
    policyUri: safeLink(client.policy_uri),
    contactEmail: client.contact_email ?? undefined,
  };
}

export function consentPageModel(input: ConsentPageInput) {
  const { catalog, client, live, claims, data } = input;
  const granted = new Set(live?.fields ?? []);
  // A code granted without its label (before codes travelled with labels) is shown as it stands.
  const alone = new Set(
    [...granted].filter((key) => {
      const travelsWith = catalog.field(key)?.field.travelsWith;
      return travelsWith !== undefined && !granted.has(`${key.split('.')[0]}.${travelsWith}`);
    }),
  );
  const scopes = requestedScopes(catalog, input.scope, client.scopes)
    .filter((s) => s.id !== 'openid')
    .map((scope) => {
      const value = scope.kind === 'oidc' ? claims : data[scope.id];
      const choices = fieldChoices(scope, undefined, alone).map((choice) => ({
        key: choice.key,
        inputId: `field-${scope.id}-${choice.field.id}`,
        label: choice.field.label,
        description: choice.field.description,
        travellers: choice.travellers.map((f) => ({ label: f.label, description: f.description })),
        mark: choice.mark?.label,
        checked: granted.has(choice.key),
        // A code travels in brackets after the value it goes with: "Anglais (code EN)".
        value: formatScopeField(scope.shape, value, choice.field, choice.travellers[0]),
      }));
      return {
        id: scope.id,
        title: scope.title,
        explanation: scope.explanation,
        purpose: client.purposes[scope.id],
        inputId: `scope-${scope.id}`,
        choices,
        summary: choices.map((c) => c.label).join(', '),
        marks: marksOf(fieldChoices(scope)).map((m) => m.label),
      };
    });
  const expires = new Date(Date.now() + input.durationDays * 86_400_000);
  const allChoices = requestedScopes(catalog, input.scope, client.scopes).flatMap((s) => fieldChoices(s));
  return {
    client: clientNotice(client),
    // A sandbox app of the developer portal (only personas reach it): the page says so.
    sandbox: client.sandbox === true,
    scopes,
    /** the marks used on this page, each with its one-sentence explanation */
    marks: marksOf(allChoices),
    openid: catalog.byId.get('openid'),
    offlineAccess: input.offlineAccess,
    expiresOn: dateFormat.format(expires),
    renewing: Boolean(live),
  };
}
