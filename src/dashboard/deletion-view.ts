// What the history says, for each withdrawal (a narrowing, a revocation, an expiry), about the
// deletion of what the app already received: whether it was asked to delete it (a signed event it
// received, src/ssf/), and whether it confirmed (« données supprimées »).
import type { DeletionState } from '../ssf/deletion-queries.ts';

export const WITHDRAWALS = new Set(['narrowed', 'revoked', 'expired']);

const moment = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

export function deletionView(state: DeletionState | undefined) {
  if (!state) return undefined;
  if (!state.queued) {
    return {
      state: 'not-linked',
      sent: 'L’application n’est pas prévenue automatiquement : pour qu’elle efface ces données, écrivez-lui.',
    };
  }
  if (!state.sent_at) {
    return { state: 'sending', sent: 'Demande de suppression en cours d’envoi à l’application.' };
  }
  return {
    state: state.confirmed_at ? 'confirmed' : 'unconfirmed',
    sent: `Demande de suppression envoyée le ${moment.format(state.sent_at)}.`,
    confirmed: state.confirmed_at
      ? `Suppression confirmée par l’application le ${moment.format(state.confirmed_at)}.`
      : 'Suppression non confirmée par l’application.',
  };
}
