import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import { GENESIS, verifyChain, verifyChains } from '../../src/security/hash-chains.ts';
import { runCli } from '../support/cli.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const verifyCli = (databaseUrl: string) => runCli(['audit', 'verify'], { databaseUrl });

const COMPETENCES = ['competences.code', 'competences.libelle', 'competences.type'];

async function someHistory(count: number) {
  const client = await createClient(server, { scopes: ['openid', 'competences'] });
  const jobseekers = await Promise.all(Array.from({ length: count }, () => createJobseeker(server)));
  return { client, jobseekers };
}

const grant = (jobseekerId: string, clientId: string, ticked: string[]) =>
  server.app.services.consents.grant({
    jobseekerId,
    clientId,
    requested: COMPETENCES,
    ticked,
    purposes: { competences: 'Remplir votre CV.' },
    durationDays: 30,
    interactionUid: randomUUID(),
  });

// A superuser on this test's own database, lifting the append-only trigger for one statement.
async function tamper(table: 'consent_events' | 'admin_audit', sql: string, params: unknown[]) {
  const trigger = `${table}_no_update_delete`;
  const db = await server.pool.connect();
  try {
    await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
    await db.query(sql, params);
  } finally {
    await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
    db.release();
  }
}

describe('hash chains of the append-only logs', () => {
  it('chains events written through the services, and the CLI says OK', async () => {
    const { client, jobseekers } = await someHistory(2);
    const a = jobseekers[0] as { id: string };
    const b = jobseekers[1] as { id: string };
    const consent = await grant(a.id, client.client_id, ['competences.code', 'competences.libelle']);
    await grant(b.id, client.client_id, ['competences.code']);
    await server.app.services.consentChanges.narrow(a.id, consent.id, ['competences.code']);
    await server.app.services.consentChanges.revoke(a.id, consent.id);

    const { rows } = await server.pool.query(
      'SELECT chain_seq::int AS seq, prev_hash, hash FROM consent_events ORDER BY chain_seq',
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows[0].prev_hash).toBe(GENESIS);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].seq).toBe(i + 1);
      expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    }
    // A writer cannot choose its own link: the trigger sets it.
    await server.pool.query(
      `INSERT INTO consent_events (consent_id, jobseeker_id, client_id, kind, fields_after, actor, chain_seq, prev_hash, hash)
       VALUES ($1, $2, $3, 'extended', '{}', 'test', 999, 'forged', 'forged')`,
      [consent.id, a.id, client.client_id],
    );

    const cli = await verifyCli(server.db.url);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout);
    expect(out.ok).toBe(true);
    expect(out.chains.map((c: { chain: string }) => c.chain)).toEqual(['consent_events', 'admin_audit']);
    expect(out.chains[0].rows).toBe(rows.length + 1);
    expect(out.chains[1].rows).toBeGreaterThan(0); // the client's creation
    expect(cli.stderr).toMatch(/consent_events: OK/);
    expect(cli.stderr).toMatch(/admin_audit: OK/);
  });

  it('chains concurrent inserts one after the other', async () => {
    const { client, jobseekers } = await someHistory(30);
    // Many grants at once (each its own transaction), and admin actions at the same time.
    await Promise.all([
      ...jobseekers.map((j, i) => grant(j.id, client.client_id, COMPETENCES.slice(0, 1 + (i % 3)))),
      ...jobseekers.map((j) => grant(j.id, client.client_id, ['competences.code'])),
      ...Array.from({ length: 10 }, () => createClient(server, { scopes: ['openid', 'competences'] })),
    ]);
    const reports = await verifyChains(server.pool);
    for (const report of reports) expect(report, report.chain).toMatchObject({ ok: true });
    const events = await server.pool.query(
      'SELECT count(*)::int AS n, max(chain_seq)::int AS last FROM consent_events',
    );
    expect(events.rows[0].n).toBe(events.rows[0].last);
    expect(reports[0]?.rows).toBe(events.rows[0].n);
  });

  it('reports the first row that was changed or removed, and exits 1', async () => {
    const { client, jobseekers } = await someHistory(3);
    for (const j of jobseekers) await grant(j.id, client.client_id, ['competences.code']);
    const { rows } = await server.pool.query<{ id: string; fields_after: string[] }>(
      'SELECT id::text, fields_after FROM consent_events ORDER BY chain_seq DESC LIMIT 3',
    );
    const [last, middle] = rows as [{ id: string }, { id: string; fields_after: string[] }];

    // A superuser widens what a jobseeker agreed to, in the history.
    await tamper('consent_events', 'UPDATE consent_events SET fields_after = $2 WHERE id = $1', [
      middle.id,
      [...middle.fields_after, 'competences.niveau'],
    ]);
    const changed = await verifyCli(server.db.url);
    expect(changed.code).toBe(1);
    const out = JSON.parse(changed.stdout);
    expect(out.ok).toBe(false);
    expect(out.chains[0]).toMatchObject({ chain: 'consent_events', ok: false, brokenId: middle.id });
    expect(out.chains[1]).toMatchObject({ chain: 'admin_audit', ok: true });
    expect(changed.stderr).toContain(`consent_events: BROKEN at id ${middle.id}`);

    // Put back as it was, the chain holds again: the hash binds exactly the content.
    await tamper('consent_events', 'UPDATE consent_events SET fields_after = $2 WHERE id = $1', [
      middle.id,
      middle.fields_after,
    ]);
    expect(await verifyChain(server.pool, 'consent_events')).toMatchObject({ ok: true });

    // A row removed from the middle: the one after it no longer follows.
    await tamper('consent_events', 'DELETE FROM consent_events WHERE id = $1', [middle.id]);
    expect(await verifyChain(server.pool, 'consent_events')).toMatchObject({ ok: false, brokenId: last.id });
  });

  it('reports a changed admin audit entry', async () => {
    const fresh = await startTestServer();
    try {
      await createClient(fresh, { scopes: ['openid', 'competences'] });
      await createClient(fresh, { scopes: ['openid', 'competences'] });
      const { rows } = await fresh.pool.query('SELECT id::text FROM admin_audit ORDER BY chain_seq LIMIT 1');
      const first = rows[0].id as string;
      await fresh.pool.query('ALTER TABLE admin_audit DISABLE TRIGGER admin_audit_no_update_delete');
      await fresh.pool.query("UPDATE admin_audit SET actor = 'admin:someone-else' WHERE id = $1", [first]);
      await fresh.pool.query('ALTER TABLE admin_audit ENABLE TRIGGER admin_audit_no_update_delete');
      const cli = await verifyCli(fresh.db.url);
      expect(cli.code).toBe(1);
      expect(JSON.parse(cli.stdout).chains[1]).toMatchObject({
        chain: 'admin_audit',
        ok: false,
        brokenId: first,
      });
    } finally {
      await fresh.close();
    }
  });

  it('chains the rows written before the migration, in id order', async () => {
    const db = await createTestDatabase();
    const empty = `pec_chain_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${empty}`);
    await admin.end();
    const url = new URL(db.url);
    url.pathname = `/${empty}`;
    const logger = createLogger('silent');
    const before = new pg.Pool({ connectionString: url.href, max: 2 });
    try {
      // The schema as it was before 013, with some history in it.
      await runner({
        databaseUrl: url.href,
        dir: path.resolve('migrations'),
        direction: 'up',
        migrationsTable: 'pgmigrations',
        ignorePattern: '\\..*|0*(1[3-9]|[2-9]\\d|[1-9]\\d{2,})_.*',
        log: () => undefined,
      });
      const { rows } = await before.query(
        "INSERT INTO admin_audit (actor, action, target_type) VALUES ('cli', 'a', 't'), ('cli', 'b', 't') RETURNING id",
      );
      expect(rows).toHaveLength(2);
      await before.query(
        "INSERT INTO consent_events (consent_id, jobseeker_id, client_id, kind, fields_after, actor) VALUES ($1, $2, 'app', 'granted', '{x.y}', 'jobseeker'), ($1, $2, 'app', 'revoked', '{}', 'jobseeker')",
        [randomUUID(), randomUUID()],
      );
      await migrate(url.href, logger);
      const reports = await verifyChains(before);
      expect(reports).toMatchObject([
        { chain: 'consent_events', ok: true, rows: 2 },
        { chain: 'admin_audit', ok: true, rows: 2 },
      ]);
      // …and new rows continue the chain.
      await before.query("INSERT INTO admin_audit (actor, action, target_type) VALUES ('cli', 'c', 't')");
      expect(await verifyChain(before, 'admin_audit')).toMatchObject({ ok: true, rows: 3 });
    } finally {
      await before.end();
      const drop = new pg.Client({ connectionString: db.url });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
      await drop.end();
      await db.drop();
    }
  });
});
