// The real entry point (`node src/main.ts`) with NODE_ENV=production, on its own database: it refuses
// to start on the demo seed or on an active app with a redirect URI production refuses (naming what
// to fix), starts on a clean database, and — with TRUST_PROXY left off behind a TLS-terminating
// proxy — answers pages with a clear 400 and one log line naming TRUST_PROXY, never a 500.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { createClientService } from '../../src/clients/client-service.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { DEMO_ADVISOR_EMAIL } from '../../src/demo/demo-advisor.ts';
import { DEMO_SPA_CLIENT_ID } from '../../src/demo/demo-seed.ts';
import { freePort } from '../support/demo-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { OPERATOR, PRODUCTION_SECRETS } from '../support/test-server.ts';

const NODE = path.resolve('node_modules/.bin/node');
const SECRETS = PRODUCTION_SECRETS;

let db: TestDatabase;
const children: ChildProcess[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await db?.drop();
});

/** Starts the provider in production; resolves once it listens, or when it exits. */
async function start(env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(NODE, ['src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      ISSUER: 'https://connect.example.test',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
      ...SECRETS,
      ...OPERATOR,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => (out.stdout += d));
  child.stderr?.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve) => {
    const check = () => (out.stdout.includes('is listening') ? resolve() : setTimeout(check, 50));
    check();
  });
  const code = await Promise.race([exited, listening.then(() => 'listening' as const)]);
  return { child, port, out, code, exited, base: `http://127.0.0.1:${port}` };
}

/** The client service as outside production, where such apps could be registered. */
function devClientService() {
  return createClientService({
    pool: db.pool,
    catalog: loadCatalog(path.resolve('scopes')),
    box: createSecretBox(SECRETS.KEYS_ENCRYPTION_KEY),
    production: false,
  });
}

async function stop(child: ChildProcess) {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
}

describe('production start', () => {
  it('refuses the demo seed in the database, naming it', async () => {
    await db.pool.query("INSERT INTO jobseekers (login, password_hash) VALUES ('marie.dupont', 'x')");
    try {
      const { code, out } = await start();
      expect(code).not.toBe(0);
      expect(code).not.toBe('listening');
      expect(out.stderr).toContain('DATABASE_URL: the database holds the demo jobseekers marie.dupont');
      expect(out.stderr).not.toContain(SECRETS.KEYS_ENCRYPTION_KEY);
    } finally {
      await db.pool.query("DELETE FROM jobseekers WHERE login = 'marie.dupont'");
    }
  });

  it('refuses the demo advisor in the database (their password is public), naming them', async () => {
    await db.pool.query(
      "INSERT INTO advisors (email, display_name, agency, password_hash) VALUES ($1, 'Démo', 'Démo', 'x')",
      [DEMO_ADVISOR_EMAIL],
    );
    try {
      const { code, out } = await start();
      expect(code).not.toBe('listening');
      expect(out.stderr).toContain(`the demo advisor ${DEMO_ADVISOR_EMAIL}`);
    } finally {
      await db.pool.query('DELETE FROM advisors WHERE email = $1', [DEMO_ADVISOR_EMAIL]);
    }
  });

  it('refuses the demo single-page app in the database, even pending, naming it', async () => {
    const clients = devClientService();
    await clients.create({
      client_id: DEMO_SPA_CLIENT_ID,
      name: 'CV Express Web (démo)',
      redirect_uris: ['https://demo.example.test/spa/callback'],
      scopes: ['openid'],
      status: 'pending',
    });
    try {
      const { code, out } = await start();
      expect(code).not.toBe('listening');
      expect(out.stderr).toContain(`the demo app ${DEMO_SPA_CLIENT_ID}`);
    } finally {
      await db.pool.query('DELETE FROM clients WHERE id = $1', [DEMO_SPA_CLIENT_ID]);
    }
  });

  it('refuses an active app whose redirect URI production rules refuse, naming the app and the URI', async () => {
    const clients = devClientService();
    const { client_id } = await clients.create({
      name: 'Appli de dev',
      redirect_uris: ['http://localhost:8080/callback'],
      scopes: ['openid'],
      free_for_jobseekers: true,
      policy_uri: 'http://localhost:8080/confidentialite',
      contact_email: 'dpo@localhost.example',
      status: 'active',
    });
    try {
      const { code, out } = await start();
      expect(code).not.toBe('listening');
      expect(out.stderr).toContain(
        `the active app ${client_id} (Appli de dev) has the redirect URI http://localhost:8080/callback`,
      );
    } finally {
      await clients.update(client_id, { status: 'suspended' }, { actor: 'test' });
    }
  });

  it('with TRUST_PROXY off behind a TLS proxy: a clear 400 and one log line naming TRUST_PROXY, never a 500', async () => {
    const { code, child, out, base } = await start();
    expect(code, out.stderr).toBe('listening');
    try {
      const behindProxy = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.1' };
      for (const pagePath of ['/account/login', '/admin/login', '/account/consents', '/interaction/abc']) {
        const res = await fetch(`${base}${pagePath}`, {
          headers: { ...behindProxy, accept: 'text/html' },
          redirect: 'manual',
        });
        expect(res.status, pagePath).toBe(400);
        expect(await res.text(), pagePath).toContain('TRUST_PROXY');
        expect(res.headers.get('set-cookie'), pagePath).toBeNull();
      }
      const login = await fetch(`${base}/account/login`, {
        method: 'POST',
        headers: { ...behindProxy, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'login=a&password=b',
      });
      expect(login.status).toBe(400);
      // Health checks come straight from the platform, over http: they keep answering.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the log stream writes once a second
      const lines = out.stdout.split('\n').filter((l) => l.includes('TRUST_PROXY'));
      expect(lines).toHaveLength(1);
      expect(out.stdout).not.toMatch(/"status":500|Cannot send secure cookie/);
    } finally {
      await stop(child);
    }
  });

  it('serves pages with Secure cookies once TRUST_PROXY is on', async () => {
    const { code, child, base } = await start({ TRUST_PROXY: 'true' });
    expect(code).toBe('listening');
    try {
      const res = await fetch(`${base}/account/login`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/; secure/i);
    } finally {
      await stop(child);
    }
  });
});
