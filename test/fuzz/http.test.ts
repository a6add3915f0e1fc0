// Fuzzing below the routes: raw HTTP requests with hostile request lines, Host and other headers,
// and hostile cookies on every kind of page — unsigned, and signed with the cookie key (as if the
// attacker held it) so that the session lookups themselves see hostile ids. Every answer is below 500
// and leaks nothing; nothing changes; the server keeps answering.
import { createHmac } from 'node:crypto';
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  checkBatch,
  describeRequest,
  headerValue,
  hostileString,
  inputsOf,
  runs,
  send,
  toByteString,
  uriEscape,
} from '../support/fuzz.ts';
import { SECRET, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const PATHS = [
  '/',
  '/auth',
  '/auth/x',
  '/token',
  '/me',
  '/jwks',
  '/.well-known/openid-configuration',
  '/session/end',
  '/interaction/x',
  '/interaction/x/login',
  '/account',
  '/account/consents',
  '/account/login',
  '/admin',
  '/admin/login',
  '/admin/api/clients',
  '/api/v1/competences',
  '/api/openapi.json',
  '/assets/style.css',
  '/healthz',
  '/readyz',
  '/developpeurs',
];

/** One raw HTTP/1.1 exchange; resolves with the status and body, or undefined if the server hung up. */
function raw(request: string | Buffer, timeoutMs = 5_000): Promise<Answer | undefined> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      if (!status) return resolve(undefined);
      const [head = '', ...body] = text.split('\r\n\r\n');
      const headers = new Headers();
      for (const line of head.split('\r\n').slice(1)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      resolve({ status: Number(status), headers, text: body.join('\r\n\r\n') });
    });
    socket.end(request);
  });
}

const token = fc.string({ unit: fc.constantFrom(..."abcXYZ019-_.~!$&'()*+,;=:@%/?#[] "), maxLength: 30 });

describe('fuzz: raw HTTP', () => {
  it('hostile request lines, Host and headers: an answer below 500 (or a closed connection), no leak', async () => {
    const request = fc.record({
      method: fc.oneof(
        {
          weight: 8,
          arbitrary: fc.constantFrom('GET', 'GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'),
        },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom('CONNECT', 'PRI', 'get', 'PROPFIND'), token) },
      ),
      path: fc.oneof(
        fc.constantFrom(...PATHS),
        fc.tuple(fc.constantFrom(...PATHS), token).map(([p, t]) => p + t),
        hostileString.map((s) => `/${uriEscape(s)}`),
        fc.constantFrom(
          '*',
          'http://evil.example/auth',
          '//evil.example',
          '/%2e%2e/%2e%2e/etc/passwd',
          '/auth?%',
          '/..;/admin',
        ),
      ),
      version: fc.constantFrom(
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.1',
        'HTTP/1.0',
        'HTTP/2.0',
        'HTTP/9',
        '',
      ),
      host: fc.oneof(
        { weight: 4, arbitrary: fc.constant(new URL(server?.url ?? 'http://127.0.0.1').host) },
        { weight: 1, arbitrary: headerValue },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      headers: fc.array(
        fc.tuple(
          fc.oneof(
            {
              weight: 6,
              arbitrary: fc.constantFrom(
                'Cookie',
                'Authorization',
                'X-Forwarded-For',
                'Origin',
                'Accept',
                'Accept-Language',
                'DPoP',
              ),
            },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                'Content-Type',
                'Content-Length',
                'Transfer-Encoding',
                'Cookie',
                'Authorization',
                'X-Forwarded-For',
                'X-Forwarded-Proto',
                'X-Forwarded-Host',
                'Origin',
                'Sec-Fetch-Site',
                'Accept',
                'Accept-Language',
                'Range',
                'If-None-Match',
                'DPoP',
                'Expect',
              ),
            },
            { weight: 1, arbitrary: token },
          ),
          headerValue,
        ),
        { maxLength: 4 },
      ),
      body: fc.oneof(fc.constant(''), hostileString),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const lines = [`${r.method} ${r.path} ${r.version}`.trim()];
        if (r.host !== undefined) lines.push(`Host: ${r.host}`);
        for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
        lines.push('Connection: close');
        const text = `${lines.join('\r\n')}\r\n\r\n${r.body}`;
        await checkBatch(server.pool, [
          async () => {
            const answer = await raw(Buffer.from(text, 'latin1'));
            // A request the HTTP parser refuses may be answered 400 or simply closed.
            return {
              what: text.slice(0, 600),
              answer: answer ?? { status: 400, headers: new Headers(), text: '' },
              inputs: inputsOf(r),
            };
          },
        ]);
      }),
      { numRuns: runs(300) },
    );
    // And the server still answers.
    expect((await send(`${server.url}/healthz`)).status).toBe(200);
  });
});

// koa's and oidc-provider's cookie signature (keygrip: HMAC-SHA1, base64url without padding).
const sign = (name: string, value: string) =>
  createHmac('sha1', SECRET)
    .update(`${name}=${value}`)
    .digest('base64')
    .replace(/[/+=]/g, (c) => ({ '/': '_', '+': '-', '=': '' })[c] as string);

describe('fuzz: cookies', () => {
  it('hostile, unsigned and validly signed session cookies on every kind of page: < 500, no leak, no state change', async () => {
    const COOKIES = [
      'pec.sid',
      '_session',
      '_session.legacy',
      '_interaction',
      '_interaction_resume',
      'koa.sess',
      'csrf',
    ];
    const cookie = fc.record({
      name: fc.oneof(fc.constantFrom(...COOKIES), token),
      value: fc.oneof(hostileString, fc.constant('')).map((v) => toByteString(v).replace(/[;,\s"\\]/g, '')),
      signed: fc.boolean(),
      badSignature: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.array(cookie, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('GET', 'POST'),
        async (path, cookies, method) => {
          const header = cookies
            .flatMap(({ name, value, signed, badSignature }) => [
              `${name}=${value}`,
              ...(signed ? [`${name}.sig=${badSignature ? 'AAAA' : sign(name, value)}`] : []),
            ])
            .join('; ');
          const headers = { cookie: header, 'content-type': 'application/x-www-form-urlencoded' };
          await checkBatch(server.pool, [
            async () => ({
              what: describeRequest(method, path, undefined, headers),
              answer: await send(`${server.url}${path}`, {
                method,
                headers,
                body: method === 'POST' ? 'a=b' : undefined,
              }),
              inputs: inputsOf(cookies),
            }),
          ]);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
