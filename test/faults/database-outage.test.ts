// PostgreSQL stopped under load, then started again, on a cluster of the test's own (pg_ctl on a
// spare port; the shared server is never touched). While it is down every request answers within 3 s
// with a 503, a Retry-After header and a generic body; liveness stays 200 and readiness turns 503; the
// process does not crash. Once it is back, the same provider serves again, without a restart.
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { isDatabaseUnavailable } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { apiGet, grantedApp } from '../support/grant.ts';
import { type PgCluster, pgClusterAvailable, startPgCluster } from '../support/pg-cluster.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let cluster: PgCluster;
let server: TestServer;
let db: TestDatabase;

beforeAll(async () => {
  cluster = await startPgCluster();
  const url = await cluster.createDatabase('pec_outage');
  await migrate(url, createLogger('silent'));
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined); // the test's own idle clients die with the server too
  db = { url, pool, drop: () => pool.end() };
  server = await startTestServer({}, undefined, db);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await db?.drop();
  await cluster?.destroy();
});

interface Sample {
  kind: string;
  start: number;
  end: number;
  status: number;
  retryAfter: string | null;
  body: string;
}

// What must never reach a body: SQL, driver messages, stack frames, file paths.
const LEAK =
  /\b(select|insert|update|delete)\b.*\b(from|into|set)\b|ECONNREFUSED|terminat|57P0|postgres|\bat .*\(|\.ts:\d+|node_modules/i;

describe('database outage', () => {
  it.runIf(pgClusterAvailable)(
    'answers 503 with Retry-After within 3 s while PostgreSQL is down, and recovers without a restart',
    async () => {
      const { config, client, tokens, jobseeker } = await grantedApp(server, {
        scope: 'openid competences',
        fields: ['competences.code'],
        client: { scopes: ['openid', 'profile', 'competences'] },
      });
      const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
      const authUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: client.redirectUri,
        scope: 'openid competences',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state: 'outage-state',
      });

      const requests: Record<string, () => Promise<Response>> = {
        api: () => apiGet(server, tokens.access_token, 'competences'),
        token: () =>
          fetch(`${server.issuer}/token`, {
            method: 'POST',
            headers: {
              authorization: `Basic ${basic}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code: 'not-a-real-code-0123456789abcdef0123456789a',
              redirect_uri: client.redirectUri,
              code_verifier: oidc.randomPKCECodeVerifier(),
            }),
          }),
        auth: () => fetch(authUrl, { redirect: 'manual', headers: { accept: 'text/html' } }),
      };
      const healthy: Record<string, number> = { api: 200, token: 400, auth: 303 };

      const samples: Sample[] = [];
      let running = true;
      const worker = async (kind: string) => {
        while (running) {
          const start = performance.now();
          const response = await (requests[kind] as () => Promise<Response>)();
          const body = await response.text();
          samples.push({
            kind,
            start,
            end: performance.now(),
            status: response.status,
            retryAfter: response.headers.get('retry-after'),
            body,
          });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      // Consent changes in a loop too, so that transactions are open on checked-out connections when
      // the server goes away: their failure must be an error to the caller, never a crash.
      const transactions = { committed: 0, unavailable: 0, other: [] as string[] };
      const grantLoop = async () => {
        for (let i = 0; running; i++) {
          try {
            await server.app.services.consents.grant({
              jobseekerId: jobseeker.id,
              clientId: client.client_id,
              requested: ['competences.code', 'competences.libelle'],
              ticked: i % 2 ? ['competences.code'] : ['competences.code', 'competences.libelle'],
              purposes: {},
              durationDays: 30,
              interactionUid: randomUUID(),
            });
            transactions.committed++;
          } catch (err) {
            if (isDatabaseUnavailable(err)) transactions.unavailable++;
            else transactions.other.push(String(err));
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      const workers = [...['api', 'api', 'token', 'token', 'auth'].map(worker), grantLoop(), grantLoop()];
      const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      // Under load while healthy.
      await wait(800);
      const stopAsked = performance.now();
      await cluster.stop();
      const stopped = performance.now();

      // Down for a while, under the same load; probes as an orchestrator would send them.
      await wait(3_500);
      const [live, ready] = await Promise.all([
        fetch(`${server.issuer}/healthz`),
        fetch(`${server.issuer}/readyz`),
      ]);
      expect(live.status).toBe(200);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBeTruthy();

      const startAsked = performance.now();
      await cluster.start();
      const started = performance.now();
      let readyAt = 0;
      while (!readyAt && performance.now() - started < 15_000) {
        if ((await fetch(`${server.issuer}/readyz`)).status === 200) readyAt = performance.now();
        else await wait(100);
      }
      expect(readyAt).toBeGreaterThan(0);
      let servedAt = 0;
      while (!servedAt && performance.now() - started < 15_000) {
        if ((await requests.api?.())?.status === 200) servedAt = performance.now();
        else await wait(100);
      }
      expect(servedAt).toBeGreaterThan(0);
      await wait(500);
      running = false;
      await Promise.all(workers);

      // Every request, before, during or after the outage, answered within 3 s.
      const slowest = Math.max(...samples.map((s) => s.end - s.start));
      expect(slowest).toBeLessThan(3_000);
      // Nothing ever answered 500 or leaked internals.
      for (const s of samples) {
        expect(s.status, `${s.kind} ${s.body}`).not.toBe(500);
        expect(s.body, s.kind).not.toMatch(LEAK);
      }
      // Once the server is down, every kind of request is a 503 with Retry-After and a generic body.
      const during = samples.filter((s) => s.start > stopped && s.end < startAsked);
      for (const kind of Object.keys(requests)) {
        expect(during.filter((s) => s.kind === kind).length, kind).toBeGreaterThan(3);
      }
      for (const s of during) {
        expect(s.status, `${s.kind} ${s.body}`).toBe(503);
        expect(s.retryAfter, s.kind).toMatch(/^\d+$/);
        if (s.kind === 'auth') expect(s.body).toContain('temporarily_unavailable');
        else expect(JSON.parse(s.body).error).toBe('temporarily_unavailable');
      }
      // Before the stop, and once recovered, the normal answers.
      for (const s of samples.filter((x) => x.end < stopAsked || x.start > servedAt)) {
        expect(s.status, `${s.kind} ${s.body}`).toBe(healthy[s.kind]);
      }
      const afterRecovery = samples.filter((s) => s.start > servedAt);
      expect(afterRecovery.length).toBeGreaterThan(0);
      expect(transactions.other).toEqual([]);
      expect(transactions.unavailable).toBeGreaterThan(0);
      expect(transactions.committed).toBeGreaterThan(0);

      const first503 = Math.min(...samples.filter((s) => s.status === 503).map((s) => s.end));
      console.info(
        `outage figures: pg_ctl stop took ${Math.round(stopped - stopAsked)} ms; first 503 ${Math.round(
          first503 - stopAsked,
        )} ms after the stop was asked; slowest answer ${Math.round(slowest)} ms; ${during.length} requests answered while down; pg_ctl start took ${Math.round(
          started - startAsked,
        )} ms; ready ${Math.round(readyAt - started)} ms and serving ${Math.round(
          servedAt - started,
        )} ms after PostgreSQL was up; ${samples.length} requests in all; consent transactions: ${transactions.committed} committed, ${transactions.unavailable} failed as unavailable`,
      );
    },
    60_000,
  );
});
