// Fuzzing the stream management, poll, deletion-confirmation and receipt-verification endpoints with
// hostile JSON and form bodies, query strings and credentials, authenticated and not: every answer is
// below 500 and leaks no internals.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createClient } from '../support/factories.ts';
import { assertSafe, hostileJson, hostileString, inputsOf, runs, send, uriEscape } from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let auth: string;
let streamId: string;
beforeAll(async () => {
  server = await startTestServer({ SSF_DELIVERY_INTERVAL_MS: '0' });
  const client = await createClient(server);
  auth = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
  const created = await fetch(`${server.issuer}/ssf/streams`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: [] }),
  });
  streamId = (await created.json()).stream_id;
});
afterAll(() => server?.close());

// Any value as a string (hostile objects may have no prototype, hence no toString).
const str = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

const PATHS = ['/ssf/streams', '/ssf/status', '/ssf/verify', '/ssf/deletion-confirmations', '/ssf/poll/'];

describe('security event endpoints under hostile input', () => {
  it('answer below 500 whatever the body, query, method and credentials', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
          path: fc.constantFrom(...PATHS),
          pollId: fc.oneof(fc.constant('own'), hostileString),
          query: fc.oneof(fc.constant(''), hostileString, fc.constant('own')),
          body: fc.oneof(
            hostileJson,
            fc.record({
              stream_id: fc.oneof(fc.constant('own'), hostileString),
              status: hostileString,
              delivery: hostileJson,
              events_requested: hostileJson,
              ack: hostileJson,
              setErrs: hostileJson,
              jti: hostileJson,
              maxEvents: hostileJson,
            }),
          ),
          form: fc.boolean(),
          credentials: fc.constantFrom('good', 'none', 'bad', 'body'),
        }),
        async (r) => {
          const own = (v: unknown) => (v === 'own' ? streamId : v);
          const body =
            r.body && typeof r.body === 'object' && !Array.isArray(r.body)
              ? Object.fromEntries(
                  Object.entries(r.body as Record<string, unknown>).map(([k, v]) => [k, own(v)]),
                )
              : r.body;
          const path = r.path === '/ssf/poll/' ? `/ssf/poll/${uriEscape(str(own(r.pollId)))}` : r.path;
          const query = r.query ? `?stream_id=${uriEscape(str(own(r.query)))}` : '';
          const headers: Record<string, string> = {
            'content-type': r.form ? 'application/x-www-form-urlencoded' : 'application/json',
          };
          if (r.credentials === 'good') headers.authorization = auth;
          if (r.credentials === 'bad') headers.authorization = `Basic ${uriEscape(str(r.query))}`;
          const payload =
            r.credentials === 'body' && body && typeof body === 'object' && !Array.isArray(body)
              ? { ...(body as object), client_id: str(r.pollId), client_secret: str(r.query) }
              : body;
          const text = r.form
            ? new URLSearchParams(
                Object.entries((payload as Record<string, unknown>) ?? {}).map(([k, v]) => [k, str(v)]),
              ).toString()
            : (JSON.stringify(payload) ?? '');
          const answer = await send(`${server.url}${path}${query}`, {
            method: r.method,
            headers,
            body: r.method === 'GET' ? undefined : text,
          });
          assertSafe(
            `${r.method} ${path}${query} ${text.slice(0, 300)}`,
            answer,
            inputsOf(r.body, r.query, r.pollId),
          );
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it('the receipt verification page answers below 500 whatever is pasted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileString, fc.constant('eyJ.eyJ.x'), fc.string()), async (recu) => {
        const answer = await send(`${server.url}/recus/verifier`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ recu }).toString(),
        });
        assertSafe(`POST /recus/verifier ${recu.slice(0, 200)}`, answer, inputsOf(recu));
      }),
      { numRuns: runs(80) },
    );
  });
});
