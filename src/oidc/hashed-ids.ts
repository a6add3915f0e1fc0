// Which oidc-provider models are stored under a hash of their id, and what of their payload is left
// out so that the row does not hold the value either (SECURITY.md, "Tokens and codes"). Guarantees:
// - A row of a hashed model is keyed by tokenHash(id) (src/crypto/token-hash.ts). The id is dropped
//   from the payload too (oidc-provider puts it in every payload as `jti`) and given back on a lookup
//   by id, which knows it; a lookup by another key (a session by its uid) returns no jti, which is
//   all oidc-provider's read-only checks there need.
// - An Interaction keeps neither the session cookie's value oidc-provider copies into it
//   (`session.cookie`, never read back) nor its own id inside `returnTo` (put back on read). It does
//   keep `parJti`, the id of the pushed request it finishes, which oidc-provider looks that request up
//   by: no credential (bound to its app, single-use, it only starts a flow that needs a login).
// - What stays in clear grants nothing by itself: Grant (its id is named by every token and session;
//   a grant is used only through a token or a session), ReplayDetection (a proof's or assertion's
//   jti, public by nature) and DeviceCode (found by its user code and then saved again by its id,
//   which a hash cannot give back; the device flow is not enabled).
import type { AdapterPayload } from 'oidc-provider';
import { tokenHash } from '../crypto/token-hash.ts';

export const HASHED_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'PushedAuthorizationRequest',
  'BackchannelAuthenticationRequest',
  'Session',
  'Interaction',
]);

/** The value a row of `model` is keyed by for the id oidc-provider knows it by. */
export const storedId = (model: string, id: string): string =>
  HASHED_MODELS.has(model) ? tokenHash(id) : id;

// Stands for the interaction's own id inside its stored returnTo (a URL never holds braces unescaped).
const UID = '{uid}';

export function payloadToStore(model: string, id: string, payload: AdapterPayload): AdapterPayload {
  if (!HASHED_MODELS.has(model)) return payload;
  const { jti: _jti, ...stored } = payload;
  if (model === 'Interaction') {
    const session = stored.session as Record<string, unknown> | undefined;
    if (session && 'cookie' in session) {
      const { cookie: _cookie, ...rest } = session;
      stored.session = rest;
    }
    if (typeof stored.returnTo === 'string') stored.returnTo = stored.returnTo.split(id).join(UID);
  }
  return stored;
}

/** The payload as oidc-provider stored it; `id` is the one it was looked up by, when it was. */
export function payloadFromStore(
  model: string,
  id: string | undefined,
  stored: AdapterPayload,
): AdapterPayload {
  if (!HASHED_MODELS.has(model) || id === undefined) return stored;
  const payload: AdapterPayload = { ...stored, jti: id };
  if (model === 'Interaction' && typeof payload.returnTo === 'string') {
    payload.returnTo = payload.returnTo.split(UID).join(id);
  }
  return payload;
}
