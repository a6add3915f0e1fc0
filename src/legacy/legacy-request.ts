// Which requests speak Pôle emploi Connect: those that came in by one of its paths, or whose scope
// used its vocabulary. Marked on the Node request, which oidc-provider's context shares with ours, so
// that a provider hook (pkce.required) can tell without reading our routing.
import type { IncomingMessage } from 'node:http';
import { LEGACY_CLIENT_ID } from '../clients/legacy-client-input.ts';

const legacyRequests = new WeakSet<IncomingMessage>();

export function markLegacyRequest(req: IncomingMessage): void {
  legacyRequests.add(req);
}

export function isLegacyRequest(ctx: { req?: IncomingMessage } | undefined): boolean {
  return Boolean(ctx?.req && legacyRequests.has(ctx.req));
}

/**
 * pkce.required: PKCE for every request (RFC 9700 §2.1.1), except a Pôle emploi Connect one by a
 * confidential, standard app registered under its Pôle emploi Connect identifier (PAR_…) that sends a
 * nonce. The apps written for it never sent PKCE; RFC 9700 §2.1.1 lets a confidential OpenID Connect
 * client use the nonce against code injection instead, and these apps compare it (in the ID token and
 * in the token response). Only apps that kept their old identifier are such apps: any other app — one
 * registered here, public, or high-assurance (FAPI 2.0) — and any request without a nonce still needs
 * PKCE, whatever path or scope words it uses.
 */
export function pkceRequired(
  ctx: { req?: IncomingMessage; oidc?: { params?: Record<string, unknown> } },
  client: { clientId: string; clientAuthMethod?: string },
  highAssurance: boolean,
): boolean {
  if (!isLegacyRequest(ctx) || highAssurance || !LEGACY_CLIENT_ID.test(client.clientId)) return true;
  if (!client.clientAuthMethod || client.clientAuthMethod === 'none') return true;
  const nonce = ctx.oidc?.params?.nonce;
  return !(typeof nonce === 'string' && nonce.length > 0);
}
