// The printable French page of a receipt, and the verification page's account of one.
import type { Catalog } from '../catalog/load-catalog.ts';
import { sharedDataFields } from '../consents/consent-fields.ts';
import type { ReceiptPayload } from './consent-receipt.ts';

const EVENT_TYPES: Record<string, string> = {
  given: 'Accord donné',
  widened: 'Accord élargi',
  narrowed: 'Accord réduit',
  renewed: 'Accord prolongé',
  withdrawn: 'Accord retiré',
  expired: 'Accord arrivé à échéance',
};
const STATES: Record<string, string> = { active: 'actif', withdrawn: 'retiré', expired: 'arrivé à échéance' };
const ACTORS: Record<string, string> = {
  'pii-principal': 'vous',
  system: 'automatiquement',
  controller: 'l’administration',
};

const moment = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});
const at = (iso: string) => moment.format(new Date(iso));

export function receiptView(payload: ReceiptPayload, catalog: Catalog) {
  const r = payload.consent_receipt;
  const label = (key: string) => {
    const found = catalog.field(key);
    return found ? `${found.field.label} (${found.scope.title})` : key;
  };
  const controller = r.piiControllers[0];
  return {
    title: EVENT_TYPES[r.event.type] ?? r.event.type,
    at: at(r.event.time),
    by: ACTORS[r.event.actor] ?? r.event.actor,
    state: STATES[r.event.consentState] ?? r.event.consentState,
    expiry: r.event.expiry ? at(r.event.expiry) : undefined,
    controller,
    recordKeeper: r.recordKeeper,
    purposes: r.purposes.map((p) => ({
      title: catalog.byId.get(p.scope)?.title ?? p.scope,
      purpose: p.purpose,
      legalBasis: 'Votre consentement (RGPD, article 6, paragraphe 1, a)',
      fields: sharedDataFields(p.piiCategories).map(label),
    })),
    shared: sharedDataFields(r.dataCategories).map(label),
    added: sharedDataFields(r.fieldsAdded).map(label),
    removed: sharedDataFields(r.fieldsRemoved).map(label),
    textsHash: r.notice?.textsHash,
    recordId: r.recordId,
    eventId: r.eventId,
    signedAt: moment.format(new Date(payload.iat * 1000)),
  };
}
