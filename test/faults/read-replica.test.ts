// The jobseeker's pages read from a real streaming replica (DATABASE_READ_URL; src/db/read-routing.ts)
// started by this test, and a jobseeker sees their own change at once however far the replica lags:
// its replay is paused with pg_wal_replay_pause(), and the page that follows a revocation still shows
// it revoked (read from the primary), while a jobseeker with no pending write is served the
// replica's older state. A replica that stops answering costs a page nothing but time.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import { grantedApp } from '../support/grant.ts';
import { type PgCluster, pgClusterAvailable, startPgCluster, startPgReplica } from '../support/pg-cluster.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let primary: PgCluster;
let replica: PgCluster;
let server: TestServer;
let primaryPool: pg.Pool;
let replicaPool: pg.Pool;

// Without PostgreSQL binaries on the machine there is no second cluster to start.
describe.skipIf(!pgClusterAvailable)('dashboard pages on a read replica', () => {
  beforeAll(async () => {
    primary = await startPgCluster();
    const url = await primary.createDatabase('pec_replica');
    await migrate(url, createLogger('silent'));
    replica = await startPgReplica(primary);
    primaryPool = new pg.Pool({ connectionString: url, max: 3 });
    primaryPool.on('error', () => undefined);
    replicaPool = new pg.Pool({ connectionString: replica.url('pec_replica'), max: 3 });
    replicaPool.on('error', () => undefined);
    server = await startTestServer(
      { DATABASE_READ_URL: replica.url('pec_replica'), DB_CONNECT_TIMEOUT_MS: '500' },
      undefined,
      { url, pool: primaryPool, drop: async () => undefined },
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await primaryPool?.end();
    await replicaPool?.end().catch(() => undefined);
    await replica?.destroy();
    await primary?.destroy();
  });

  const caughtUp = async () => {
    const { rows } = await primaryPool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    for (;;) {
      const done = await replicaPool.query<{ ok: boolean }>(
        'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
        [rows[0]?.lsn],
      );
      if (done.rows[0]?.ok) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  async function signedIn() {
    const granted = await grantedApp(server, { scope: 'openid competences', fields: ['competences.code'] });
    const agent = new UserAgent();
    const login = await agent.follow(`${server.issuer}/account`);
    const html = await login.response.text();
    await agent.submit(login.url, html, formAction(html, '/account/login'), [
      ['login', granted.jobseeker.login],
      ['password', granted.jobseeker.password],
      ['retour', '/account/consents'],
    ]);
    const { rows } = await primaryPool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [
      granted.jobseeker.id,
    ]);
    return { ...granted, agent, consentId: rows[0].id as string };
  }

  const nameOf = async (clientId: string) =>
    (await primaryPool.query('SELECT name FROM clients WHERE id = $1', [clientId])).rows[0].name as string;

  const consentsPage = async (agent: UserAgent) =>
    (await agent.follow(`${server.issuer}/account/consents`)).response.text();

  it('is a real standby, and serves the pages of a jobseeker with no pending write', async () => {
    expect((await replicaPool.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
    const { agent, client } = await signedIn();
    const appName = await nameOf(client.client_id);
    await caughtUp();
    // The login itself was a POST: once the replica has replayed it, the page reads from there.
    await consentsPage(agent);
    await replicaPool.query('SELECT pg_wal_replay_pause()');
    try {
      // A change that is not this jobseeker's: the replica, paused, does not have it yet.
      await primaryPool.query("UPDATE clients SET name = 'Nom changé sur le primaire' WHERE id = $1", [
        client.client_id,
      ]);
      const html = await consentsPage(agent);
      expect(html).toContain(appName);
      expect(html).not.toContain('Nom changé sur le primaire');
    } finally {
      await replicaPool.query('SELECT pg_wal_replay_resume()');
    }
    await caughtUp();
    expect(await consentsPage(agent)).toContain('Nom changé sur le primaire');
  });

  it('shows a jobseeker their own revocation at once while the replica lags, then reads from it again', async () => {
    const { agent, consentId, client } = await signedIn();
    const appName = await nameOf(client.client_id);
    await caughtUp();
    expect(await consentsPage(agent)).toContain(`/account/consents/${consentId}/revoke`);
    await replicaPool.query('SELECT pg_wal_replay_pause()');
    try {
      // The revocation form of the consents page (its CSRF token), confirmed.
      const page = await agent.follow(`${server.issuer}/account/consents`);
      const html = await page.response.text();
      const done = await agent.submit(page.url, html, `/account/consents/${consentId}/revoke`, [
        ['confirm', 'yes'],
      ]);
      expect(done.url.searchParams.get('ok')).toBe('revoked');
      // The replica still has the consent active…
      const stale = await replicaPool.query('SELECT status FROM consents WHERE id = $1', [consentId]);
      expect(stale.rows[0].status).toBe('active');
      // …but the jobseeker's pages read from the primary until it has replayed their write.
      const after = await consentsPage(agent);
      expect(after).not.toContain(`/account/consents/${consentId}/revoke`);
      const history = await agent.follow(`${server.issuer}/account/consents/${consentId}/history`);
      expect(await history.response.text()).toContain('Accord retiré');
    } finally {
      await replicaPool.query('SELECT pg_wal_replay_resume()');
    }
    await caughtUp();
    await consentsPage(agent);
    // Caught up: the pending position is forgotten, and the pages are the replica's again.
    await replicaPool.query('SELECT pg_wal_replay_pause()');
    try {
      await primaryPool.query("UPDATE clients SET name = 'Encore un autre nom' WHERE id = $1", [
        client.client_id,
      ]);
      const html = await consentsPage(agent);
      expect(html).toContain(appName);
      expect(html).not.toContain('Encore un autre nom');
    } finally {
      await replicaPool.query('SELECT pg_wal_replay_resume()');
    }
  });

  it('reads from the primary when the replica is down', async () => {
    const { agent, consentId } = await signedIn();
    await caughtUp();
    await replica.stop();
    try {
      const html = await consentsPage(agent);
      expect(html).toContain(`/account/consents/${consentId}/revoke`);
      const log = await agent.follow(`${server.issuer}/account/access-log`);
      expect(log.response.status).toBe(200);
    } finally {
      await replica.start();
    }
  });
});
