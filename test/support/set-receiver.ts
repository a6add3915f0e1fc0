// A real SET receiver (RFC 8935) for the tests: its own HTTP server, which verifies each pushed token
// with jose against the provider's published JWKS (signature, `typ: secevent+jwt`, issuer, audience)
// before it answers 202, and records what it accepted, in arrival order, duplicates included. It can
// be told to fail the next pushes (503), to see the transmitter retry.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

export interface ReceivedSet {
  jti: string;
  payload: JWTPayload & { events: Record<string, Record<string, unknown>>; sub_id: Record<string, string> };
  kid: string | undefined;
  path: string;
  authorization: string | undefined;
}

export interface SetReceiver {
  url: string;
  received: ReceivedSet[];
  /** tokens that did not verify, with the reason */
  refused: string[];
  /** answer 503 to this many pushes */
  failNext: number;
  /** pushes answered 503 so far */
  failed: number;
  /** resolves once `count` SETs were accepted (rejects after `timeoutMs`) */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedSet[]>;
  close(): Promise<void>;
}

export async function startSetReceiver(options: { issuer: string; audience: string }): Promise<SetReceiver> {
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  const receiver: SetReceiver = {
    url: '',
    received: [],
    refused: [],
    failNext: 0,
    failed: 0,
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.received.length < count) {
        if (Date.now() > deadline)
          throw new Error(
            `expected ${count} SETs, received ${receiver.received.length}: ${receiver.refused}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return receiver.received;
    },
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const answer = (status: number, body?: object) => {
        res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
        res.end(body ? JSON.stringify(body) : undefined);
      };
      if (receiver.failNext > 0) {
        receiver.failNext--;
        receiver.failed++;
        return answer(503);
      }
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/secevent+jwt') {
        receiver.refused.push(`bad request: ${req.method} ${req.headers['content-type']}`);
        return answer(400, { err: 'invalid_request', description: 'expected application/secevent+jwt' });
      }
      const token = Buffer.concat(chunks).toString('utf8');
      try {
        const { payload, protectedHeader } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          typ: 'secevent+jwt',
        });
        receiver.received.push({
          jti: payload.jti as string,
          payload: payload as ReceivedSet['payload'],
          kid: protectedHeader.kid,
          path: req.url ?? '',
          authorization: req.headers.authorization,
        });
        answer(202);
      } catch (err) {
        receiver.refused.push((err as Error).message);
        answer(400, { err: 'invalid_key', description: (err as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}

export interface LogoutReceiver {
  url: string;
  /** verified Logout Tokens' claims, in arrival order */
  received: (JWTPayload & { sid?: string })[];
  refused: string[];
  waitFor(count: number, timeoutMs?: number): Promise<LogoutReceiver['received']>;
  close(): Promise<void>;
}

/**
 * An app's back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0 §2.5-2.6): takes a
 * form-encoded `logout_token`, verifies it with jose against the JWKS (typ logout+jwt, issuer,
 * audience, the logout event, no nonce, a sub or a sid) and answers 200, or 400 when it does not verify.
 */
export async function startLogoutReceiver(options: {
  issuer: string;
  audience: string;
}): Promise<LogoutReceiver> {
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  const receiver: LogoutReceiver = {
    url: '',
    received: [],
    refused: [],
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.received.length < count) {
        if (Date.now() > deadline)
          throw new Error(
            `expected ${count} logout tokens, received ${receiver.received.length}: ${receiver.refused}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return receiver.received;
    },
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('logout_token') ?? '';
      try {
        if (req.headers['content-type'] !== 'application/x-www-form-urlencoded')
          throw new Error('not a form');
        const { payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          typ: 'logout+jwt',
          requiredClaims: ['iat', 'exp', 'jti', 'events'],
        });
        const events = payload.events as Record<string, unknown> | undefined;
        if (!events || typeof events['http://schemas.openid.net/event/backchannel-logout'] !== 'object')
          throw new Error('no backchannel-logout event');
        if ('nonce' in payload) throw new Error('a nonce in a logout token');
        if (!payload.sub && !payload.sid) throw new Error('neither sub nor sid');
        receiver.received.push(payload);
        res.writeHead(200).end();
      } catch (err) {
        receiver.refused.push((err as Error).message);
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}
