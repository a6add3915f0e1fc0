import { beforeAll, describe, expect, it } from 'vitest';
import { alertOf, enrol, getPage, passwordStep, post, totp } from '../support/admin-console.ts';
import { cliWithServer } from '../support/cli.ts';
import type { UserAgent } from '../support/user-agent.ts';

const PASSWORD = 'un mot de passe très long';

const cli = cliWithServer('pec-admin-cli-test-');

const adminApi = (token: string, pathname = '/clients') =>
  fetch(`${cli.server.issuer}/admin/api${pathname}`, { headers: { authorization: `Bearer ${token}` } });

/** `admins create --email EMAIL`, the password (then whatever else) typed on stdin. */
const createAdmin = (email: string, stdin = `${PASSWORD}\n`) =>
  cli.runCli(['admins', 'create', '--email', email], stdin);

/** `admins token create --email EMAIL --name NAME`, then the other options given. */
const createToken = (email: string, name: string, ...options: string[]) =>
  cli.runCli(['admins', 'token', 'create', '--email', email, '--name', name, ...options]);

/** A refused command: it exits non-zero and prints nothing on stdout (no half-made token or admin). */
function expectRefused(result: { code: number | null; stdout: string }, what?: string) {
  expect(result.code, what).not.toBe(0);
  expect(result.stdout).toBe('');
}

const admins = async (email: string) =>
  (await cli.db.pool.query('SELECT * FROM admins WHERE lower(email) = lower($1)', [email])).rows;

describe('cli: admins create', () => {
  it('creates an admin with the password read from stdin, hashed with argon2id', async () => {
    const { code, stdout, stderr } = await createAdmin('ops@pole-emploi.example');
    expect(stderr).not.toMatch(/^Error/m);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0] as string);
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'ops@pole-emploi.example',
      enrolment_code: expect.stringMatching(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/),
      enrolment_code_expires_at: expect.any(String),
    });
    const validFor = Date.parse(created.enrolment_code_expires_at) - Date.now();
    expect(validFor).toBeGreaterThan(23.9 * 3_600_000);
    expect(validFor).toBeLessThanOrEqual(24 * 3_600_000);
    expect(stdout).not.toContain(PASSWORD);
    expect(stderr).not.toContain(PASSWORD);

    const [row] = await admins('ops@pole-emploi.example');
    expect(row.id).toBe(created.id);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    expect(row.disabled_at).toBeNull();
    // The same password works at the first factor; another does not.
    expect(
      await cli.server.app.services.admins.checkPassword('ops@pole-emploi.example', PASSWORD),
    ).toMatchObject({
      id: created.id,
    });
    expect(
      await cli.server.app.services.admins.checkPassword('ops@pole-emploi.example', `${PASSWORD}!`),
    ).toBeUndefined();

    const audit = await cli.db.pool.query(
      "SELECT actor, after FROM admin_audit WHERE action = 'admin.create' AND target_id = $1",
      [created.id],
    );
    expect(audit.rows).toEqual([
      {
        actor: 'cli',
        after: { email: 'ops@pole-emploi.example', enrolment_code_expires_at: expect.any(String) },
      },
    ]);
    expect(JSON.stringify(audit.rows)).not.toContain(PASSWORD);
    expect(JSON.stringify(audit.rows)).not.toContain(created.enrolment_code);
  });

  it('takes only the first line of stdin as the password', async () => {
    const { code } = await createAdmin('lines@pole-emploi.example', `${PASSWORD}\nautre\n`);
    expect(code).toBe(0);
    expect(
      await cli.server.app.services.admins.checkPassword('lines@pole-emploi.example', PASSWORD),
    ).toBeTruthy();
  });

  it('refuses a password shorter than 12 characters, with a message', async () => {
    const { code, stdout, stderr } = await createAdmin('short@pole-emploi.example', 'court\n');
    expectRefused({ code, stdout });
    expect(stderr).toMatch(/^Error: .*12 caractères/m);
    expect(await admins('short@pole-emploi.example')).toEqual([]);
  });

  it('refuses an empty stdin', async () => {
    const { code, stderr } = await createAdmin('empty@pole-emploi.example', '');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^Error: .*12 caractères/m);
    expect(await admins('empty@pole-emploi.example')).toEqual([]);
  });

  it('refuses an email that is already taken, whatever its case', async () => {
    const first = await createAdmin('twice@pole-emploi.example');
    expect(first.code).toBe(0);
    const again = await createAdmin('TWICE@pole-emploi.example');
    expectRefused(again);
    expect(again.stderr).toMatch(/^Error: .*existe déjà/m);
    expect(await admins('twice@pole-emploi.example')).toHaveLength(1);
  });

  it('refuses an invalid email', async () => {
    const { code, stderr } = await createAdmin('pas-un-email');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^Error: .*e-mail/m);
  });

  it('prints its usage with --help, and without --email', async () => {
    const help = await cli.runCli(['admins', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: .*admins create --email EMAIL/);
    expect(help.stdout).toContain('12');
    const missing = await cli.runCli(['admins', 'create']);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toMatch(/^Usage: .*admins create/);
  });
});

describe('cli: the enrolment code of admins create and admins reset-totp', () => {
  const codeOf = async (email: string) => {
    const { code, stdout, stderr } = await createAdmin(email);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout) as { id: string; enrolment_code: string };
  };
  const toEnrolment = async (email: string) => {
    const { agent, location } = await passwordStep(cli.server, email, PASSWORD);
    expect(location).toBe('/admin/enrolment');
    return agent;
  };
  const useCode = async (agent: UserAgent, code: string) =>
    post(agent, cli.server, '/admin/enrolment', '/admin/enrolment/code', [['code', code]]);

  it('is required to enrol, works once, is stored only as a hash, and expires after 24 hours', async () => {
    const email = 'enrol@pole-emploi.example';
    const created = await codeOf(email);
    const { rows } = await cli.db.pool.query('SELECT * FROM admin_enrolment_codes WHERE admin_id = $1', [
      created.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.enrolment_code);
    expect(JSON.stringify(rows)).not.toContain(created.enrolment_code.replace(/-/g, ''));

    const agent = await toEnrolment(email);
    const { secret } = await enrol(agent, cli.server, created.enrolment_code);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Used once: another browser with the password cannot use it again, nor see the secret.
    const thief = await toEnrolment(email);
    const reused = await useCode(thief, created.enrolment_code);
    expect(reused.response.status).toBe(401);
    expect(reused.html).not.toContain(secret);
    expect((await getPage(thief, cli.server, '/admin/enrolment')).html).not.toContain('id="totp-secret"');
    const done = await post(agent, cli.server, '/admin/enrolment', '/admin/enrolment', [
      ['code', totp(secret).generate()],
    ]);
    expect(done.location).toBe('/admin?ok=enrolled');

    const late = await codeOf('late@pole-emploi.example');
    await cli.db.pool.query(
      "UPDATE admin_enrolment_codes SET expires_at = now() - interval '1 second' WHERE admin_id = $1",
      [late.id],
    );
    const expired = await useCode(await toEnrolment('late@pole-emploi.example'), late.enrolment_code);
    expect(expired.response.status).toBe(401);
    expect(alertOf(expired.html)).toContain('Code d’activation incorrect, expiré ou déjà utilisé');
  });

  it('admins reset-totp forgets the authenticator and prints a new enrolment code', async () => {
    const email = 'reset@pole-emploi.example';
    const created = await codeOf(email);
    const agent = await toEnrolment(email);
    const { secret } = await enrol(agent, cli.server, created.enrolment_code);
    await post(agent, cli.server, '/admin/enrolment', '/admin/enrolment', [
      ['code', totp(secret).generate()],
    ]);

    const reset = await cli.runCli(['admins', 'reset-totp', '--email', email]);
    expect(reset.code, reset.stderr).toBe(0);
    const issued = JSON.parse(reset.stdout);
    expect(issued).toEqual({
      email,
      enrolment_code: expect.stringMatching(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/),
      enrolment_code_expires_at: expect.any(String),
    });
    expect(issued.enrolment_code).not.toBe(created.enrolment_code);
    // The old authenticator is gone: the password leads to enrolment again, with the new code only.
    const again = await toEnrolment(email);
    expect((await useCode(again, created.enrolment_code)).response.status).toBe(401);
    const { secret: next } = await enrol(again, cli.server, issued.enrolment_code);
    expect(next).not.toBe(secret);
    const audit = await cli.db.pool.query<{ actor: string }>(
      "SELECT actor FROM admin_audit WHERE action = 'admin.totp.reset' AND target_id = $1",
      [created.id],
    );
    expect(audit.rows).toEqual([{ actor: 'cli' }]);
    const unknown = await cli.runCli(['admins', 'reset-totp', '--email', 'nobody@pole-emploi.example']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/^Error: no admin/m);
  });
});

describe('cli: admins token create', () => {
  const EMAIL = 'pipeline@pole-emploi.example';
  beforeAll(async () => {
    const { code } = await createAdmin(EMAIL);
    expect(code).toBe(0);
  });

  it('prints exactly one token line, which authenticates the admin API of the server', async () => {
    const { code, stdout, stderr } = await createToken(EMAIL, 'CI');
    expect(stderr).not.toMatch(/^Error/m);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pecadm_[A-Za-z0-9_-]{40,}\n$/);
    const token = stdout.trim();

    const res = await adminApi(token);
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
    // Acting with it is audited under that admin.
    const created = await fetch(`${cli.server.issuer}/admin/api/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Créée par la CI',
        redirect_uris: ['https://ci.example.fr/cb'],
        scope: 'openid',
      }),
    });
    expect(created.status).toBe(201);
    const { client_id } = await created.json();
    const audit = await (await adminApi(token, `/audit?target_id=${client_id}`)).json();
    expect(audit.map((e: { actor: string; action: string }) => [e.action, e.actor])).toEqual([
      ['client.create', `admin:${EMAIL}`],
    ]);

    // Only its hash is stored; the listing shows its name, never its value.
    const { rows } = await cli.db.pool.query(
      'SELECT t.name, t.token_hash, t.expires_at FROM admin_tokens t JOIN admins a ON a.id = t.admin_id WHERE a.email = $1',
      [EMAIL],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'CI', expires_at: null });
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(token);
    const listing = await (await adminApi(token, '/tokens')).text();
    expect(listing).toContain('"name":"CI"');
    expect(listing).not.toContain(token);
    const tokenAudit = await cli.db.pool.query(
      `SELECT actor FROM admin_audit WHERE action = 'admin_token.create'
          AND target_id IN (SELECT id::text FROM admin_tokens WHERE name = 'CI')`,
    );
    expect(tokenAudit.rows).toEqual([{ actor: 'cli' }]);
    expect(JSON.stringify((await cli.db.pool.query('SELECT * FROM admin_audit')).rows)).not.toContain(token);
  });

  it('sets an expiry with --expires-in-days, and refuses a bad one', async () => {
    const { code, stdout } = await createToken(EMAIL, 'court', '--expires-in-days', '2');
    expect(code).toBe(0);
    expect((await adminApi(stdout.trim())).status).toBe(200);
    const { rows } = await cli.db.pool.query("SELECT expires_at FROM admin_tokens WHERE name = 'court'");
    const days = (rows[0].expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(1.99);
    expect(days).toBeLessThanOrEqual(2);

    for (const bad of ['0', '-1', '1.5', 'demain', '99999']) {
      const res = await createToken(EMAIL, 'x', '--expires-in-days', bad);
      expectRefused(res, bad);
      expect(res.stderr).toMatch(/^Error: .*expires-in-days/m);
    }
  });

  it('refuses an unknown email, and a disabled admin', async () => {
    const unknown = await createToken('personne@pole-emploi.example', 'x');
    expectRefused(unknown);
    expect(unknown.stderr).toMatch(/^Error: .*personne@pole-emploi\.example/m);

    const { code } = await createAdmin('parti@pole-emploi.example');
    expect(code).toBe(0);
    await cli.db.pool.query(
      "UPDATE admins SET disabled_at = now() WHERE email = 'parti@pole-emploi.example'",
    );
    const disabled = await createToken('parti@pole-emploi.example', 'x');
    expectRefused(disabled);
  });

  it('prints its usage with --help, and when --name is missing', async () => {
    const help = await cli.runCli(['admins', 'token', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: .*admins token create --email EMAIL --name NAME/);
    expect(help.stdout).toContain('--expires-in-days');
    const bare = await cli.runCli(['admins', 'token']);
    expect(bare.stdout).toMatch(/^Usage: .*admins token create/);
    const missing = await cli.runCli(['admins', 'token', 'create', '--email', EMAIL]);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toMatch(/^Usage: .*admins token create/);
  });
});

describe('cli: usage and clients create', () => {
  it('lists the admin commands in the general usage', async () => {
    const { code, stdout } = await cli.runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('admins create');
    expect(stdout).toContain('admins token create');
    expect(stdout).toContain('clients create');
    const unknown = await cli.runCli(['admins', 'delete']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout).toMatch(/^Usage:/);
  });

  it('creates a client through the same service, audited with actor cli', async () => {
    const { code, stdout, stderr } = await cli.runCli([
      'clients',
      'create',
      '--name',
      'Appli de la CLI',
      '--redirect-uri',
      'https://cli.example.fr/cb',
      '--scope',
      'openid competences',
      '--purpose',
      'competences=Remplir votre CV.',
      '--operator-siret',
      '73282932000074',
      '--policy-uri',
      'https://cli.example.fr/confidentialite',
      '--contact-email',
      'dpo@cli.example.fr',
      '--free-for-jobseekers',
    ]);
    expect(stderr).not.toMatch(/^Error/m);
    expect(code).toBe(0);
    const created = JSON.parse(stdout);
    expect(created).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      status: 'active',
    });

    const { rows } = await cli.db.pool.query(
      "SELECT actor, before, after FROM admin_audit WHERE action = 'client.create' AND target_id = $1",
      [created.client_id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].actor).toBe('cli');
    expect(rows[0].before).toBeNull();
    expect(rows[0].after).toMatchObject({
      id: created.client_id,
      name: 'Appli de la CLI',
      status: 'active',
      operator_siret: '73282932000074',
      purposes: { competences: 'Remplir votre CV.' },
    });
    expect(JSON.stringify(rows)).not.toContain(created.client_secret);

    // The cli.server sees it at once, through the admin API, without its secret.
    const reader = await cli.server.app.services.admins.create('lecteur@pole-emploi.example', PASSWORD, {
      actor: 'test',
    });
    const { token } = await cli.server.app.services.admins.createToken(reader.id, 'lecture', null, {
      actor: 'test',
    });
    const read = await adminApi(token, `/clients/${created.client_id}`);
    expect(read.status).toBe(200);
    const text = await read.text();
    expect(JSON.parse(text)).toMatchObject({
      client_name: 'Appli de la CLI',
      status: 'active',
      registered_via: 'admin',
    });
    expect(text).not.toContain(created.client_secret);
  });

  it('refuses an invalid client with the rules of the admin API', async () => {
    const { code, stdout, stderr } = await cli.runCli([
      'clients',
      'create',
      '--name',
      'SIRET faux',
      '--redirect-uri',
      'https://cli.example.fr/cb',
      '--scope',
      'openid',
      '--operator-siret',
      '73282932000075',
    ]);
    expectRefused({ code, stdout });
    expect(stderr).toMatch(/^Error: .*operator_siret/m);
  });
});
