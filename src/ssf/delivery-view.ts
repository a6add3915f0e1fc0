// What the admin console shows of an app's security event stream: how it is delivered, and where
// delivery stands — pending, delivered, refused by the receiver, failing (with the last error and
// when the next attempt is due).
import { formatMoment } from '../admin/french-format.ts';
import type { LogoutDeliveryState } from './backchannel-logout-queries.ts';
import { POLL } from './ssf-events.ts';
import type { DeliveryState } from './ssf-queries.ts';

const STATUS: Record<string, string> = { enabled: 'Active', paused: 'En pause', disabled: 'Désactivée' };

/** Back-Channel Logout (backchannel-logout.ts): its Logout Tokens, when the app registered a URI or has had some. */
export function logoutDeliveryView(uri: string | null, state: LogoutDeliveryState | undefined) {
  if (!state || (!uri && !state.pending && !state.delivered && !state.rejected)) return undefined;
  return {
    uri,
    pending: state.pending,
    delivered: state.delivered,
    rejected: state.rejected,
    lastError: state.last_error,
    nextAttempt: state.next_attempt_at ? formatMoment(state.next_attempt_at) : undefined,
  };
}

export function deliveryView(state: DeliveryState | undefined) {
  if (!state) return undefined;
  const failing = state.failures > 0 && state.pending > 0;
  return {
    method: state.delivery_method === POLL ? 'Relève par l’application (RFC 8936)' : 'Envoi (RFC 8935)',
    status: STATUS[state.status] ?? state.status,
    state: failing ? 'failing' : state.pending > 0 ? 'pending' : 'delivered',
    stateLabel: failing ? 'En échec' : state.pending > 0 ? 'En attente' : 'À jour',
    pending: state.pending,
    delivered: state.delivered,
    rejected: state.rejected,
    failures: state.failures,
    lastError: state.last_error,
    nextAttempt: state.next_attempt_at ? formatMoment(state.next_attempt_at) : undefined,
    lastDelivered: state.last_delivered_at ? formatMoment(state.last_delivered_at) : undefined,
    oldestPending: state.oldest_pending_at ? formatMoment(state.oldest_pending_at) : undefined,
  };
}
