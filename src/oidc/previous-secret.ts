// Secret rotation with a grace period. oidc-provider knows one client_secret per client; while the
// previous secret is still in its grace period, a request authenticated with it is accepted: the
// client adapter, which reads the app's row for oidc-provider anyway, gives the previous secret as the
// app's secret for that request only, whether it came in the Authorization header (client_secret_basic)
// or in the body (client_secret_post); the comparison is constant-time; nothing else about the request
// changes.
import { timingSafeEqual } from 'node:crypto';
import type { ClientRow } from '../clients/client-queries.ts';
import type { ClientService } from '../clients/client-service.ts';
import { AUTHENTICATED_ENDPOINTS } from './token-request-guard.ts';

export const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

// RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
export function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at < 0) return undefined;
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, at).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(at + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}

/** The previous secret, when this request authenticates `row`'s app with it during its grace period:
 * the client adapter then presents it to oidc-provider as the app's secret for this request only. */
export function previousSecretPresented(
  ctx:
    | { method: string; path: string; get(name: string): string; oidc?: { params?: Record<string, unknown> } }
    | undefined,
  row: ClientRow,
  clients: Pick<ClientService, 'secretsOf'>,
): string | undefined {
  if (!ctx || !row.previous_secret_ciphertext) return undefined;
  if (ctx.method !== 'POST' || !AUTHENTICATED_ENDPOINTS.has(ctx.path)) return undefined;
  const params = ctx.oidc?.params;
  const credentials =
    typeof params?.client_secret === 'string'
      ? { id: params.client_id, secret: params.client_secret }
      : basicCredentials(ctx.get('Authorization'));
  if (credentials?.id !== row.id) return undefined;
  const { previous } = clients.secretsOf(row);
  return previous && same(credentials.secret, previous) ? previous : undefined;
}
