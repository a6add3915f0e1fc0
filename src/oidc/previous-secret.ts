// Secret rotation with a grace period. oidc-provider knows one client_secret per client; while the
// previous secret is still in its grace period, a request authenticated with it is accepted by
// presenting the current secret on its behalf. Only client_secret_basic (the one secret method we
// register) is concerned; the comparison is constant-time; nothing else about the request changes.
import { timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { ClientService } from '../clients/client-service.ts';

const AUTHENTICATED_ENDPOINTS = new Set(['/token', '/token/introspection', '/token/revocation', '/request']);

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

// RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
function basicCredentials(header: string): { id: string; secret: string } | undefined {
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

const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

export function previousSecretGrace(clients: ClientService): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST' && AUTHENTICATED_ENDPOINTS.has(ctx.path)) {
      const credentials = basicCredentials(ctx.get('Authorization'));
      const row = credentials ? await clients.find(credentials.id) : undefined;
      if (credentials && row?.previous_secret_ciphertext) {
        const { current, previous } = clients.secretsOf(row);
        if (current && previous && same(credentials.secret, previous)) {
          ctx.req.headers.authorization = `Basic ${Buffer.from(`${encode(credentials.id)}:${encode(current)}`).toString('base64')}`;
        }
      }
    }
    await next();
  };
}
