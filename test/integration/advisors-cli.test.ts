import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWithServer } from '../support/cli.ts';
import { createJobseeker } from '../support/factories.ts';

const PASSWORD = 'un mot de passe de conseiller';

const cli = cliWithServer('pec-advisors-cli-test-');

const assignmentsOf = async (advisorEmail: string) =>
  (
    await cli.db.pool.query<{ login: string }>(
      `SELECT j.login FROM advisor_assignments s JOIN advisors a ON a.id = s.advisor_id
         JOIN jobseekers j ON j.id = s.jobseeker_id WHERE a.email = $1 ORDER BY j.login`,
      [advisorEmail],
    )
  ).rows.map((r) => r.login);

describe('cli: advisors create and assign', () => {
  it('creates an advisor with an agency and an enrolment code, audited, apart from admins', async () => {
    const { code, stdout, stderr } = await cli.runCli(
      [
        'advisors',
        'create',
        '--email',
        'Julie.Martin@pole-emploi.example',
        '--name',
        'Julie Martin',
        '--agency',
        'Lyon Part-Dieu',
      ],
      `${PASSWORD}\n`,
    );
    expect(stderr).not.toMatch(/^Error/m);
    expect(code).toBe(0);
    const created = JSON.parse(stdout.trim());
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'julie.martin@pole-emploi.example',
      display_name: 'Julie Martin',
      agency: 'Lyon Part-Dieu',
      enrolment_code: expect.stringMatching(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/),
      enrolment_code_expires_at: expect.any(String),
    });
    const row = (await cli.db.pool.query('SELECT password_hash FROM advisors WHERE id = $1', [created.id]))
      .rows[0];
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect((await cli.db.pool.query('SELECT 1 FROM admins WHERE email = $1', [created.email])).rowCount).toBe(
      0,
    );
    const audit = await cli.db.pool.query(
      "SELECT actor, after FROM admin_audit WHERE action = 'advisor.create'",
    );
    expect(audit.rows).toEqual([
      { actor: 'cli', after: expect.objectContaining({ agency: 'Lyon Part-Dieu' }) },
    ]);
    expect(JSON.stringify(audit.rows)).not.toContain(created.enrolment_code);
  });

  it('imports a portfolio: errors by line number, idempotent, a reassignment ends the old mandate', async () => {
    await cli.runCli(
      ['advisors', 'create', '--email', 'paul@pole-emploi.example', '--name', 'Paul', '--agency', 'Lyon Sud'],
      `${PASSWORD}\n`,
    );
    const a = await createJobseeker(cli.server);
    const b = await createJobseeker(cli.server);
    const file = path.join(cli.dir, 'portfolio.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ advisor: 'julie.martin@pole-emploi.example', jobseeker: a.login }),
        '{not json',
        JSON.stringify({ advisor: 'nobody@pole-emploi.example', jobseeker: a.login }),
        JSON.stringify({ advisor: 'julie.martin@pole-emploi.example', jobseeker: 'unknown-login' }),
        '',
        JSON.stringify({
          advisor: 'julie.martin@pole-emploi.example',
          jobseeker: ` ${b.login.toUpperCase()} `,
        }),
        JSON.stringify({ advisor: 'julie.martin@pole-emploi.example', jobseeker: b.login, extra: 1 }),
      ].join('\n'),
    );
    const first = await cli.runCli(['advisors', 'assign', file]);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout.trim())).toEqual({
      assigned: 2,
      reassigned: 0,
      unchanged: 0,
      rejected: 4,
    });
    expect(first.stderr).toMatch(/^line 2: JSON invalide$/m);
    expect(first.stderr).toMatch(/^line 3: conseiller inconnu/m);
    expect(first.stderr).toMatch(/^line 4: demandeur d’emploi inconnu/m);
    expect(first.stderr).toMatch(/^line 7: /m);
    expect(await assignmentsOf('julie.martin@pole-emploi.example')).toEqual([a.login, b.login].sort());

    const again = await cli.runCli(['advisors', 'assign', file]);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ assigned: 0, reassigned: 0, unchanged: 2 });

    // A live mandate to Julie, then b is reassigned to Paul: the mandate ends, with its event.
    await cli.server.app.services.mandates.give(b.id, ['competences.libelle'], 3);
    const move = path.join(cli.dir, 'move.jsonl');
    writeFileSync(move, `${JSON.stringify({ advisor: 'paul@pole-emploi.example', jobseeker: b.login })}\n`);
    const moved = await cli.runCli(['advisors', 'assign', move]);
    expect(JSON.parse(moved.stdout.trim())).toMatchObject({ reassigned: 1, rejected: 0 });
    expect(await assignmentsOf('paul@pole-emploi.example')).toEqual([b.login]);
    const consents = await cli.db.pool.query(
      `SELECT a.email, c.status, c.fields FROM consents c JOIN advisors a ON a.id = c.advisor_id WHERE c.jobseeker_id = $1`,
      [b.id],
    );
    expect(consents.rows).toEqual([
      { email: 'julie.martin@pole-emploi.example', status: 'revoked', fields: [] },
    ]);
    const events = await cli.db.pool.query(
      'SELECT kind, actor, advisor_id IS NOT NULL AS to_advisor, client_id FROM consent_events WHERE jobseeker_id = $1 ORDER BY id',
      [b.id],
    );
    expect(events.rows).toEqual([
      { kind: 'granted', actor: 'jobseeker', to_advisor: true, client_id: null },
      { kind: 'revoked', actor: 'system:reassignment', to_advisor: true, client_id: null },
    ]);
    // The hash chain still verifies with advisor events in it.
    const verify = await cli.runCli(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
  });
});

describe('admin API: advisors', () => {
  it('creates, lists, edits and disables advisors with an admin token; validates with zod; audits', async () => {
    const admin = await cli.server.app.services.admins.create(
      'ops-advisors@pole-emploi.example',
      'correct horse battery staple',
      { actor: 'test' },
    );
    const { token } = await cli.server.app.services.admins.createToken(admin.id, 'test', null, {
      actor: 'test',
    });
    const call = (method: string, pathname: string, body?: unknown) =>
      fetch(`${cli.server.issuer}/admin/api${pathname}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await fetch(`${cli.server.issuer}/admin/api/advisors`)).status).toBe(401);
    const bad = await call('POST', '/advisors', {
      email: 'x@example.fr',
      display_name: 'X',
      agency: 'A',
      password: 'short',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error_description).toMatch(/password/);
    const created = await call('POST', '/advisors', {
      email: 'api-advisor@pole-emploi.example',
      display_name: 'Nadia Conseil',
      agency: 'Villeurbanne',
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    const advisor = await created.json();
    expect(advisor).toMatchObject({
      agency: 'Villeurbanne',
      enrolment_code: expect.any(String),
      portfolio_size: 0,
    });
    expect(advisor).not.toHaveProperty('password_hash');
    expect(
      (
        await call('POST', '/advisors', {
          email: 'API-advisor@pole-emploi.example',
          display_name: 'N',
          agency: 'V',
          password: PASSWORD,
        })
      ).status,
    ).toBe(409);
    const listed = await (await call('GET', '/advisors')).json();
    expect(listed.map((a: { email: string }) => a.email)).toContain('api-advisor@pole-emploi.example');
    expect(JSON.stringify(listed)).not.toContain('enrolment_code');
    const patched = await call('PATCH', `/advisors/${advisor.id}`, {
      agency: 'Villeurbanne Centre',
      disabled: true,
    });
    expect(await patched.json()).toMatchObject({
      agency: 'Villeurbanne Centre',
      disabled_at: expect.any(String),
    });
    expect((await call('PATCH', `/advisors/${advisor.id}`, { nope: 1 })).status).toBe(400);
    expect((await call('GET', '/advisors/not-a-uuid')).status).toBe(404);
    const reset = await (await call('POST', `/advisors/${advisor.id}/enrolment-code`)).json();
    expect(reset.enrolment_code).toMatch(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/);
    const actions = (
      await cli.db.pool.query(
        "SELECT action FROM admin_audit WHERE target_type = 'advisor' AND target_id = $1 ORDER BY id",
        [advisor.id],
      )
    ).rows.map((r) => r.action);
    expect(actions).toEqual(['advisor.create', 'advisor.update', 'advisor.totp.reset']);
    const openapi = await (await fetch(`${cli.server.issuer}/admin/api/openapi.json`)).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/advisors', '/advisors/{id}']));
  });
});
