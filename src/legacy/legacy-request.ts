// Which requests speak Pôle emploi Connect: those that came in by one of its paths, or whose scope
// used its vocabulary. Marked on the Node request, which oidc-provider's context shares with ours, so
// that a provider hook (pkce.required) can tell without reading our routing.
import type { IncomingMessage } from 'node:http';

const legacyRequests = new WeakSet<IncomingMessage>();

export function markLegacyRequest(req: IncomingMessage): void {
  legacyRequests.add(req);
}

export function isLegacyRequest(ctx: { req?: IncomingMessage } | undefined): boolean {
  return Boolean(ctx?.req && legacyRequests.has(ctx.req));
}

/**
 * pkce.required: PKCE for every request (RFC 9700 §2.1.1), except a Pôle emploi Connect one by a
 * confidential, standard app that sends a nonce. The apps written for it never sent PKCE; RFC 9700
 * §2.1.1 lets a confidential OpenID Connect client use the nonce against code injection instead,
 * and these apps compare it (in the ID token and in the token response). A public client, a
 * high-assurance app (FAPI 2.0), or such a request without a nonce still needs PKCE.
 */
export function pkceRequired(
  ctx: { req?: IncomingMessage; oidc?: { params?: Record<string, unknown> } },
  client: { clientAuthMethod?: string },
  highAssurance: boolean,
): boolean {
  if (!isLegacyRequest(ctx) || highAssurance) return true;
  if (!client.clientAuthMethod || client.clientAuthMethod === 'none') return true;
  const nonce = ctx.oidc?.params?.nonce;
  return !(typeof nonce === 'string' && nonce.length > 0);
}
