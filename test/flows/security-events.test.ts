// Security events to apps (SSF 1.0, CAEP 1.0, RFC 8417/8935/8936), end to end: an app registers a
// push stream with its own credentials; a real receiver (test/support/set-receiver.ts) verifies every
// SET against the JWKS and gets, once each and in order, a token-claims-change for a narrowing and a
// session-revoked for a withdrawal, « Retirer tous mes accords », an expiry, the app's suspension and
// its deletion — naming the pairwise sub of the app's ID tokens and the fields no longer shared. A
// failing endpoint is retried with backoff; a poll stream gets the same SETs by polling; a consent
// change that rolls back sends nothing; bad stream requests get a 4xx.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertConsentEvent } from '../../src/consents/consent-queries.ts';
import { withTransaction } from '../../src/db/transaction.ts';
import { decode, getPage, newEmail, PASSWORD, passwordStep } from '../support/admin-console.ts';
import { authorize, discover } from '../support/authorize.ts';
import { eventually } from '../support/eventually.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { consentTo } from '../support/grant.ts';
import { type ReceivedSet, type SetReceiver, startSetReceiver } from '../support/set-receiver.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const FIELDS = ['profile.given_name', 'competences.code', 'competences.libelle'];
const SCOPE = 'openid profile offline_access competences';

let server: TestServer;
const receivers: SetReceiver[] = [];
beforeAll(async () => {
  server = await startTestServer({
    SSF_DELIVERY_INTERVAL_MS: '100',
    SSF_MAX_BACKOFF_SECONDS: '1',
    ADMIN_TOTP_REQUIRED: 'false',
  });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server?.close();
});

const basic = (c: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

function ssf(
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; raw?: string } = {},
): Promise<Response> {
  return fetch(`${server.issuer}${path}`, {
    method,
    headers: {
      ...(options.auth ? { authorization: options.auth } : {}),
      ...(options.body !== undefined || options.raw ? { 'content-type': 'application/json' } : {}),
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
}

async function pushStream(client: { client_id: string; client_secret: string }) {
  const receiver = await startSetReceiver({ issuer: server.issuer, audience: client.client_id });
  receivers.push(receiver);
  const response = await ssf('POST', '/ssf/streams', {
    auth: basic(client),
    body: {
      delivery: { method: PUSH, endpoint_url: receiver.url, authorization_header: 'Bearer receiver-secret' },
      events_requested: [TOKEN_CLAIMS_CHANGE, SESSION_REVOKED],
    },
  });
  expect(response.status).toBe(201);
  return { receiver, stream: await response.json() };
}

const _consentOf = async (jobseekerId: string, clientId: string) =>
  (
    await server.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1 AND client_id = $2', [
      jobseekerId,
      clientId,
    ])
  ).rows[0].id as string;

const pending = async (clientId: string) =>
  Number(
    (
      await server.pool.query("SELECT count(*) FROM ssf_outbox WHERE client_id = $1 AND state = 'pending'", [
        clientId,
      ])
    ).rows[0].count,
  );

describe('/.well-known/ssf-configuration', () => {
  it('describes the transmitter (SSF 1.0 §7)', async () => {
    const response = await fetch(`${server.issuer}/.well-known/ssf-configuration`);
    expect(response.status).toBe(200);
    const metadata = await response.json();
    expect(metadata).toMatchObject({
      spec_version: '1_0',
      issuer: server.issuer,
      jwks_uri: `${server.issuer}/jwks`,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: `${server.issuer}/ssf/streams`,
      status_endpoint: `${server.issuer}/ssf/status`,
      verification_endpoint: `${server.issuer}/ssf/verify`,
    });
  });
});

async function grantTo(client: { client_id: string; client_secret: string; redirectUri: string }) {
  const granted = await consentTo(server, client, { scope: SCOPE, fields: FIELDS });
  const fieldsNow = async () =>
    (await server.pool.query('SELECT fields FROM consents WHERE id = $1', [granted.consentId])).rows[0]
      .fields as string[];
  return { ...granted, fieldsNow };
}

const summary = (received: ReceivedSet[]) =>
  received.map((r) => {
    const [type, event] = Object.entries(r.payload.events)[0] as [string, Record<string, unknown>];
    return { type, sub: r.payload.sub_id.sub, reason: event.pec_reason, fields: event.pec_withdrawn_fields };
  });

describe('push delivery', () => {
  it('sends each change exactly once, in order, signed, naming the pairwise sub and the fields withdrawn', async () => {
    const client = await createClient(server);
    const { receiver, stream } = await pushStream(client);
    expect(stream).toMatchObject({
      iss: server.issuer,
      aud: client.client_id,
      delivery: { method: PUSH, endpoint_url: receiver.url },
      events_delivered: [TOKEN_CLAIMS_CHANGE, SESSION_REVOKED],
    });
    const changes = server.app.services.consentChanges;
    const clients = server.app.services.clients;

    // A narrowing, then the withdrawal of what is left.
    const one = await grantTo(client);
    const granted = await one.fieldsNow();
    await changes.narrow(one.jobseeker.id, one.consentId, ['competences.libelle']);
    const kept = await one.fieldsNow();
    await changes.revoke(one.jobseeker.id, one.consentId);
    // « Retirer tous mes accords ».
    const two = await grantTo(client);
    const twoFields = await two.fieldsNow();
    await changes.revokeAll(two.jobseeker.id);
    // An expiry, by the housekeeping job.
    const three = await grantTo(client);
    const threeFields = await three.fieldsNow();
    await server.pool.query("UPDATE consents SET expires_at = now() - interval '1 second' WHERE id = $1", [
      three.consentId,
    ]);
    await changes.expireDue();
    // The app's suspension (the consent stays), then its deletion (the consent ends).
    const four = await grantTo(client);
    const fourFields = await four.fieldsNow();
    await clients.update(client.client_id, { status: 'suspended' }, { actor: 'test' });
    await clients.update(client.client_id, { status: 'active' }, { actor: 'test' });
    await clients.remove(client.client_id, { actor: 'admin:test@example.fr' });

    const received = await receiver.waitFor(6);
    // Every event settled on our side (its 202 is in): no seventh can still be on its way.
    await eventually(async () => expect(await pending(client.client_id)).toBe(0));
    expect(receiver.refused).toEqual([]);
    expect(receiver.received).toHaveLength(6);
    expect(new Set(received.map((r) => r.jti)).size).toBe(6);
    expect(received.every((r) => r.authorization === 'Bearer receiver-secret')).toBe(true);
    const withdrawnByNarrowing = granted.filter((f) => !kept.includes(f));
    expect(withdrawnByNarrowing.sort()).toEqual(['competences.code', 'profile.given_name']);
    expect(summary(received)).toEqual([
      { type: TOKEN_CLAIMS_CHANGE, sub: one.sub, reason: 'consent_narrowed', fields: withdrawnByNarrowing },
      { type: SESSION_REVOKED, sub: one.sub, reason: 'consent_withdrawn', fields: kept },
      { type: SESSION_REVOKED, sub: two.sub, reason: 'consent_withdrawn', fields: twoFields },
      { type: SESSION_REVOKED, sub: three.sub, reason: 'consent_expired', fields: threeFields },
      { type: SESSION_REVOKED, sub: four.sub, reason: 'app_suspended', fields: [] },
      { type: SESSION_REVOKED, sub: four.sub, reason: 'app_deleted', fields: fourFields },
    ]);
    // The claims the narrowed tokens still carry, and who did what, as CAEP 1.0 names them.
    const narrowing = received[0]?.payload.events[TOKEN_CLAIMS_CHANGE] as Record<string, unknown>;
    expect(narrowing.claims).toEqual({ pec_shared_fields: kept });
    expect(narrowing.initiating_entity).toBe('user');
    expect(narrowing.event_timestamp).toEqual(expect.any(Number));
    const initiators = received.map((r) => Object.values(r.payload.events)[0]?.initiating_entity);
    expect(initiators).toEqual(['user', 'user', 'user', 'policy', 'admin', 'admin']);
    for (const r of received) {
      expect(r.payload.sub_id).toEqual({ format: 'iss_sub', iss: server.issuer, sub: r.payload.sub_id.sub });
      expect(r.payload.iat).toEqual(expect.any(Number));
    }
    expect(await pending(client.client_id)).toBe(0);
  });

  it('retries a failing endpoint with backoff, then delivers the same SET (same jti), and shows the state', async () => {
    const client = await createClient(server);
    const { receiver } = await pushStream(client);
    receiver.failNext = 3;
    const one = await grantTo(client);
    await server.app.services.consentChanges.revoke(one.jobseeker.id, one.consentId);

    // Failing: the state the admin console shows, once the transmitter has recorded the 503.
    const failing = await eventually(async () => {
      const [state] = await server.app.services.ssfStates(client.client_id);
      expect(state?.failures).toBeTruthy();
      return state;
    });
    expect(failing).toMatchObject({ pending: 1, delivered: 0, last_error: 'HTTP 503' });
    expect(failing?.failures).toBeGreaterThanOrEqual(1);
    expect(failing?.next_attempt_at).toBeInstanceOf(Date);
    // The admin console's page of the app says so.
    const email = newEmail();
    await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
    const { agent } = await passwordStep(server, email);
    const failingPage = decode((await getPage(agent, server, `/admin/clients/${client.client_id}`)).html);
    expect(failingPage).toMatch(/Distribution\s*En échec/);
    expect(failingPage).toMatch(/En attente\s*1/);
    expect(failingPage).toMatch(/Dernière erreur\s*HTTP 503/);
    expect(failingPage).toContain('Prochain essai');

    const [set] = await receiver.waitFor(1);
    expect(receiver.failed).toBe(3);
    // The receiver has it; the transmitter records it once the 202 is in.
    await eventually(async () => expect(await pending(client.client_id)).toBe(0));
    const { rows } = await server.pool.query(
      'SELECT jti, attempts, state FROM ssf_outbox WHERE client_id = $1',
      [client.client_id],
    );
    expect(rows).toEqual([{ jti: set?.jti, attempts: 4, state: 'delivered' }]);
    const delivered = (await server.app.services.ssfStates(client.client_id))[0];
    const deliveredPage = decode((await getPage(agent, server, `/admin/clients/${client.client_id}`)).html);
    expect(deliveredPage).toMatch(/Distribution\s*À jour/);
    expect(deliveredPage).toMatch(/Distribués\s*1/);
    expect(deliveredPage).not.toContain('Dernière erreur');
    expect(delivered).toMatchObject({
      pending: 0,
      delivered: 1,
      failures: 0,
      last_error: null,
      next_attempt_at: null,
    });
  });

  it('sends nothing for a consent change that rolled back', async () => {
    const client = await createClient(server);
    const { receiver } = await pushStream(client);
    const one = await grantTo(client);
    await expect(
      withTransaction(server.pool, async (db) => {
        await db.query("UPDATE consents SET status = 'revoked', fields = '{}' WHERE id = $1", [
          one.consentId,
        ]);
        await insertConsentEvent(db, {
          consentId: one.consentId,
          jobseekerId: one.jobseeker.id,
          clientId: client.client_id,
          kind: 'revoked',
          fieldsAdded: [],
          fieldsRemoved: [],
          fieldsAfter: [],
          textsHash: null,
          actor: 'jobseeker',
        });
        expect(await pending(client.client_id)).toBe(0); // another connection: not visible yet
        throw new Error('the change fails after its event');
      }),
    ).rejects.toThrow('the change fails');
    await server.app.services.delivery.runOnce();
    await eventually(async () => expect(await pending(client.client_id)).toBe(0));
    expect(receiver.received).toEqual([]);
    // The change made for real is sent.
    await server.app.services.consentChanges.revoke(one.jobseeker.id, one.consentId);
    expect(summary(await receiver.waitFor(1))[0]?.reason).toBe('consent_withdrawn');
  });
});

describe('« données supprimées »', () => {
  it('lets the app confirm a deletion by the SET’s jti, once, and refuses what is not its own', async () => {
    const client = await createClient(server);
    const other = await createClient(server);
    const { receiver } = await pushStream(client);
    const one = await grantTo(client);
    await server.app.services.consentChanges.revoke(one.jobseeker.id, one.consentId);
    const [set] = await receiver.waitFor(1);
    const confirm = (who: { client_id: string; client_secret: string }, jti: unknown) =>
      ssf('POST', '/ssf/deletion-confirmations', { auth: basic(who), body: { jti } });
    const first = await confirm(client, set?.jti);
    expect(first.status).toBe(200);
    const body = await first.json();
    expect(body).toEqual({ jti: set?.jti, txn: set?.payload.txn, confirmed_at: expect.any(String) });
    // Again: the first confirmation stands.
    expect(await (await confirm(client, set?.jti)).json()).toEqual(body);
    expect((await confirm(other, set?.jti)).status).toBe(404);
    expect((await confirm(client, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await confirm(client, 'not-a-jti')).status).toBe(400);
    const { rows } = await server.pool.query(
      'SELECT count(*)::int AS n FROM deletion_confirmations WHERE client_id = $1',
      [client.client_id],
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('poll delivery (RFC 8936)', () => {
  it('returns the pending SETs, signed, until they are acknowledged', async () => {
    const client = await createClient(server);
    const created = await ssf('POST', '/ssf/streams', {
      auth: basic(client),
      body: { delivery: { method: POLL }, events_requested: [SESSION_REVOKED] },
    });
    expect(created.status).toBe(201);
    const stream = await created.json();
    expect(stream.delivery).toEqual({
      method: POLL,
      endpoint_url: `${server.issuer}/ssf/poll/${stream.stream_id}`,
    });
    expect(stream.events_delivered).toEqual([SESSION_REVOKED]);

    const one = await grantTo(client);
    await server.app.services.consentChanges.narrow(one.jobseeker.id, one.consentId, ['competences.code']);
    await server.app.services.consentChanges.revoke(one.jobseeker.id, one.consentId);
    const pollPath = new URL(stream.delivery.endpoint_url).pathname;
    const poll = async (body: object) => {
      const response = await ssf('POST', pollPath, {
        auth: basic(client),
        body: { returnImmediately: true, ...body },
      });
      expect(response.status).toBe(200);
      return response.json() as Promise<{ sets: Record<string, string>; moreAvailable: boolean }>;
    };
    // Only the event type the stream asked for: the narrowing is not in it.
    const firstPoll = await poll({});
    const [jti, token] = Object.entries(firstPoll.sets)[0] as [string, string];
    expect(Object.keys(firstPoll.sets)).toHaveLength(1);
    expect(firstPoll.moreAvailable).toBe(false);
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${server.issuer}/jwks`)),
      {
        issuer: server.issuer,
        audience: client.client_id,
        typ: 'secevent+jwt',
      },
    );
    expect(protectedHeader.typ).toBe('secevent+jwt');
    expect(payload.jti).toBe(jti);
    expect(payload.sub_id).toEqual({ format: 'iss_sub', iss: server.issuer, sub: one.sub });
    // Not acknowledged: the same SET again; acknowledged: gone.
    expect(Object.keys((await poll({})).sets)).toEqual([jti]);
    expect((await poll({ ack: [jti] })).sets).toEqual({});
    expect(await pending(client.client_id)).toBe(0);
  });
});

describe('stream management', () => {
  it('answers bad requests with a 4xx naming the problem', async () => {
    const client = await createClient(server);
    const other = await createClient(server);
    const publicApp = await createClient(server, { token_endpoint_auth_method: 'none' });
    const body = { delivery: { method: POLL }, events_requested: [SESSION_REVOKED] };

    const anonymous = await ssf('POST', '/ssf/streams', { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
    expect((await anonymous.json()).error).toBe('invalid_client');
    const wrong = await ssf('POST', '/ssf/streams', {
      auth: basic({ ...client, client_secret: 'nope' }),
      body,
    });
    expect(wrong.status).toBe(401);
    const publicClient = await ssf('POST', '/ssf/streams', {
      body: { ...body, client_id: publicApp.client_id },
    });
    expect(publicClient.status).toBe(401);

    const auth = basic(client);
    const badJson = await ssf('POST', '/ssf/streams', { auth, raw: '{"delivery":' });
    expect(badJson.status).toBe(400);
    const badMethod = await ssf('POST', '/ssf/streams', {
      auth,
      body: { ...body, delivery: { method: 'urn:example:smoke-signals' } },
    });
    expect(badMethod.status).toBe(400);
    expect((await badMethod.json()).error_description).toContain('delivery.method');
    const badEndpoint = await ssf('POST', '/ssf/streams', {
      auth,
      body: { ...body, delivery: { method: PUSH, endpoint_url: 'javascript:alert(1)' } },
    });
    expect(badEndpoint.status).toBe(400);
    const noEndpoint = await ssf('POST', '/ssf/streams', {
      auth,
      body: { ...body, delivery: { method: PUSH } },
    });
    expect(noEndpoint.status).toBe(400);

    // client_secret_post works as at the token endpoint.
    const created = await ssf('POST', '/ssf/streams', {
      body: { ...body, client_id: client.client_id, client_secret: client.client_secret },
    });
    expect(created.status).toBe(201);
    const { stream_id } = await created.json();
    expect((await ssf('POST', '/ssf/streams', { auth, body })).status).toBe(409);

    expect((await ssf('GET', `/ssf/streams?stream_id=${stream_id}`, { auth })).status).toBe(200);
    expect((await ssf('GET', '/ssf/streams?stream_id=not-a-uuid', { auth })).status).toBe(400);
    // Another app's stream is not found, whatever it tries.
    const otherAuth = basic(other);
    expect((await ssf('GET', `/ssf/streams?stream_id=${stream_id}`, { auth: otherAuth })).status).toBe(404);
    expect((await ssf('DELETE', `/ssf/streams?stream_id=${stream_id}`, { auth: otherAuth })).status).toBe(
      404,
    );
    expect((await ssf('POST', `/ssf/poll/${stream_id}`, { auth: otherAuth, body: {} })).status).toBe(404);
    expect(await (await ssf('GET', '/ssf/streams', { auth: otherAuth })).json()).toEqual([]);

    const badStatus = await ssf('POST', '/ssf/status', { auth, body: { stream_id, status: 'asleep' } });
    expect(badStatus.status).toBe(400);
    const paused = await ssf('POST', '/ssf/status', {
      auth,
      body: { stream_id, status: 'paused', reason: 'maintenance' },
    });
    expect(await paused.json()).toEqual({ stream_id, status: 'paused', reason: 'maintenance' });
    expect(await (await ssf('GET', `/ssf/status?stream_id=${stream_id}`, { auth })).json()).toMatchObject({
      status: 'paused',
    });
    expect((await ssf('POST', '/ssf/verify', { auth, body: { stream_id } })).status).toBe(409);
    const badPoll = await ssf('POST', `/ssf/poll/${stream_id}`, { auth, body: { ack: ['x'] } });
    expect(badPoll.status).toBe(400);

    const patched = await ssf('PATCH', '/ssf/streams', {
      auth,
      body: { stream_id, events_requested: [SESSION_REVOKED, TOKEN_CLAIMS_CHANGE, 'urn:example:unknown'] },
    });
    expect(patched.status).toBe(200);
    expect((await patched.json()).events_delivered).toEqual([TOKEN_CLAIMS_CHANGE, SESSION_REVOKED]);
    expect((await ssf('DELETE', `/ssf/streams?stream_id=${stream_id}`, { auth })).status).toBe(204);
    expect((await ssf('GET', `/ssf/streams?stream_id=${stream_id}`, { auth })).status).toBe(404);
  });

  it('sends a verification event on request', async () => {
    const client = await createClient(server);
    const { receiver, stream } = await pushStream(client);
    const response = await ssf('POST', '/ssf/verify', {
      auth: basic(client),
      body: { stream_id: stream.stream_id, state: 'VGhpcyBpcyBhbiBleGFtcGxl' },
    });
    expect(response.status).toBe(204);
    const [set] = await receiver.waitFor(1);
    expect(set?.payload.events).toEqual({
      'https://schemas.openid.net/secevent/ssf/event-type/verification': {
        state: 'VGhpcyBpcyBhbiBleGFtcGxl',
      },
    });
    expect(set?.payload.sub_id).toEqual({ format: 'opaque', id: stream.stream_id });
  });
});

describe('wake-up on commit (LISTEN/NOTIFY)', () => {
  it('pushes a withdrawal at once, long before the next periodic pass', async () => {
    const slow = await startTestServer({ SSF_DELIVERY_INTERVAL_MS: '60000' });
    try {
      const client = await createClient(slow, { scopes: ['openid', 'competences'] });
      const receiver = await startSetReceiver({ issuer: slow.issuer, audience: client.client_id });
      receivers.push(receiver);
      const created = await fetch(`${slow.issuer}/ssf/streams`, {
        method: 'POST',
        headers: { authorization: basic(client), 'content-type': 'application/json' },
        body: JSON.stringify({
          delivery: { method: PUSH, endpoint_url: receiver.url },
          events_requested: [SESSION_REVOKED],
        }),
      });
      expect(created.status).toBe(201);
      const jobseeker = await createJobseeker(slow);
      const config = await discover(slow.issuer, client.client_id, client.client_secret);
      await authorize({
        config,
        redirectUri: client.redirectUri,
        scope: 'openid competences',
        login: jobseeker,
        fields: ['competences.code'],
      });
      const { rows } = await slow.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [
        jobseeker.id,
      ]);
      const started = performance.now();
      await slow.app.services.consentChanges.revoke(jobseeker.id, rows[0].id);
      await receiver.waitFor(1, 5_000);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await slow.close();
    }
  });
});
