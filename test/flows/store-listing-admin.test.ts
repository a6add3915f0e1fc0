// How an app is listed in the Emploi Store, set through the one client service by every door: the
// admin API (zod, OpenAPI), the console's « Fiche catalogue », the CLI. The vetted category list, the
// start URL on the app's own host, the declared audience's vocabulary, the admin's vetting (which any
// later change of audience undoes, and which an app's own registration can never give), all audited.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, enrolledAdmin, getPage, post } from '../support/admin-console.ts';
import { runCli } from '../support/cli.ts';
import { createClient } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  const admin = await server.app.services.admins.create(
    'store.admin@pole-emploi.example',
    'un mot de passe solide',
    {
      actor: 'test',
    },
  );
  token = (await server.app.services.admins.createToken(admin.id, 'test', null, { actor: 'test' })).token;
});
afterAll(() => server?.close());

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.issuer}/admin/api${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON of the API under test
  return { status: res.status, json: (await res.json()) as any };
}

const row = async (id: string) =>
  (
    await server.pool.query(
      'SELECT category, start_url, audience, audience_vetted FROM clients WHERE id = $1',
      [id],
    )
  ).rows[0];

describe('admin API: the catalogue fields', () => {
  it('sets category, start URL and audience; vetting is explicit, audited, and undone by a new audience', async () => {
    const { client_id, redirectUri } = await createClient(server);
    const origin = new URL(redirectUri).origin;
    const set = await api('PATCH', `/clients/${client_id}`, {
      category: 'formation',
      start_url: `${origin}/demarrer`,
      audience: { rome: ['d11', 'D1106'], regions: ['84'], statuses: ['A', 'B'] },
    });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    expect(set.json).toMatchObject({
      category: 'formation',
      start_url: `${origin}/demarrer`,
      audience: { rome: ['D11', 'D1106'], regions: ['84'], statuses: ['A', 'B'] },
      audience_vetted: false,
    });

    const vetted = await api('PATCH', `/clients/${client_id}`, { audience_vetted: true });
    expect(vetted.status).toBe(200);
    expect((await row(client_id)).audience_vetted).toBe(true);

    // The same audience written again keeps the vetting; another one needs a new one.
    await api('PATCH', `/clients/${client_id}`, {
      audience: { statuses: ['B', 'A'], regions: ['84'], rome: ['D1106', 'D11'] },
    });
    expect((await row(client_id)).audience_vetted).toBe(true);
    await api('PATCH', `/clients/${client_id}`, { audience: { rome: ['K'] } });
    expect(await row(client_id)).toMatchObject({ audience: { rome: ['K'] }, audience_vetted: false });

    const audit = await api('GET', `/audit?target_type=client&target_id=${client_id}`);
    const entries = audit.json as {
      action: string;
      actor: string;
      before: { audience_vetted: boolean };
      after: { audience_vetted: boolean; audience: unknown };
    }[];
    const vetting = entries.find((e) => !e.before?.audience_vetted && e.after?.audience_vetted);
    expect(vetting?.actor).toBe('admin:store.admin@pole-emploi.example');
    expect(entries.some((e) => e.before?.audience_vetted && !e.after?.audience_vetted)).toBe(true);
  });

  it('refuses what the rules refuse, naming the field, with a 400', async () => {
    const { client_id, redirectUri } = await createClient(server);
    const cases: [unknown, RegExp][] = [
      [{ category: 'casino' }, /category/],
      [
        { start_url: 'https://ailleurs.example.fr/' },
        /start_url: l’adresse de démarrage doit être sur l’hôte/,
      ],
      [{ start_url: 'javascript:alert(1)' }, /start_url/],
      [{ audience: { rome: ['XYZ'] } }, /audience\.rome/],
      [{ audience: { regions: ['99'] } }, /audience\.regions/],
      [{ audience: { training_levels: ['master'] } }, /audience\.training_levels/],
      [{ audience: { salaire: ['1'] } }, /audience/],
      [{ audience_vetted: true }, /audience_vetted: aucun public déclaré/],
      [{ audience: {}, audience_vetted: true }, /audience_vetted/],
    ];
    for (const [body, message] of cases) {
      const res = await api('PATCH', `/clients/${client_id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error_description, JSON.stringify(body)).toMatch(message);
    }
    expect(await row(client_id)).toMatchObject({ category: null, start_url: null, audience: null });
    expect(redirectUri).toBeTruthy();
  });

  it('describes the fields in its OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.issuer}/admin/api/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }
        >
      >;
    };
    const props =
      doc.paths['/clients/{id}']?.patch?.requestBody.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(props)).toEqual(
      expect.arrayContaining(['category', 'start_url', 'audience', 'audience_vetted']),
    );
    expect(JSON.stringify(props.category)).toContain('creation_entreprise');
  });
});

describe('client service: only an admin vets', () => {
  it('an app’s own registration may declare an audience, never vet it', async () => {
    const { clients } = server.app.services;
    const { client_id } = await createClient(server);
    await expect(
      clients.update(
        client_id,
        { audience: { rome: ['D'] }, audience_vetted: true },
        { actor: 'registration' },
      ),
    ).rejects.toMatchObject({ status: 403 });
    await clients.update(client_id, { audience: { rome: ['D'] } }, { actor: 'registration' });
    expect(await row(client_id)).toMatchObject({ audience: { rome: ['D'] }, audience_vetted: false });

    const created = await createClient(server);
    await clients.update(
      created.client_id,
      { audience: { rome: ['D'] }, audience_vetted: true },
      { actor: 'admin:x@y.fr' },
    );
    // A developer changing a vetted audience un-vets it.
    await clients.update(created.client_id, { audience: { rome: ['D', 'K'] } }, { actor: 'registration' });
    expect((await row(created.client_id)).audience_vetted).toBe(false);
  });
});

describe('admin console: « Fiche catalogue »', () => {
  it('saves category, start URL and audience, vetted by the admin who ticks the box', async () => {
    const { agent, email } = await enrolledAdmin(server);
    const { client_id, redirectUri } = await createClient(server);
    const page = `/admin/clients/${client_id}/catalogue`;
    const shown = await getPage(agent, server, page);
    expect(shown.response.status).toBe(200);
    expect(decode(shown.html)).toContain('Aucun public déclaré');
    expect((await getPage(agent, server, `/admin/clients/${client_id}`)).html).toContain(`href="${page}"`);

    const saved = await post(agent, server, page, page, [
      ['category', 'cv'],
      ['start_url', `${new URL(redirectUri).origin}/`],
      ['rome', 'D1106, D15'],
      ['regions', '84'],
      ['training_levels', 'bac_plus_2'],
      ['available_now', 'yes'],
      ['audience_vetted', 'yes'],
    ]);
    expect(saved.response.status, saved.html).toBe(303);
    expect(saved.location).toBe(`${page}?ok=updated`);
    expect(await row(client_id)).toMatchObject({
      category: 'cv',
      audience: {
        rome: ['D1106', 'D15'],
        regions: ['84'],
        training_levels: ['bac_plus_2'],
        available_now: true,
      },
      audience_vetted: true,
    });
    const after = decode((await getPage(agent, server, `${page}?ok=updated`)).html);
    expect(after).toContain('La fiche catalogue est enregistrée.');
    expect(after).toContain('Vérifié par un administrateur');
    const { rows } = await server.pool.query(
      "SELECT actor FROM admin_audit WHERE target_id = $1 AND action = 'client.update' ORDER BY id DESC LIMIT 1",
      [client_id],
    );
    expect(rows[0]?.actor).toBe(`admin:${email}`);

    const refused = await post(agent, server, page, page, [['start_url', 'https://ailleurs.example.fr/']]);
    expect(refused.response.status).toBe(400);
    expect(decode(refused.html)).toContain(
      'l’adresse de démarrage doit être sur l’hôte des URI de redirection',
    );
    expect((await row(client_id)).category).toBe('cv');
  });

  it('answers 404 for an unknown app and the sign-in page without an admin', async () => {
    const { agent } = await enrolledAdmin(server);
    expect((await getPage(agent, server, '/admin/clients/inconnue/catalogue')).response.status).toBe(404);
    const anonymous = await fetch(`${server.issuer}/admin/clients/x/catalogue`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
  });
});

describe('CLI: clients create with the catalogue flags', () => {
  it('stores category, start URL and a vetted audience; refuses a bad audience', async () => {
    const args = [
      'clients',
      'create',
      '--name',
      'Formations en ligne',
      '--redirect-uri',
      'https://formations.example.fr/cb',
      '--scope',
      'openid projet',
      '--purpose',
      'projet=Vous proposer des formations.',
      '--free-for-jobseekers',
      '--policy-uri',
      'https://formations.example.fr/confidentialite',
      '--contact-email',
      'dpo@formations.example.fr',
      '--category',
      'formation',
      '--start-url',
      'https://formations.example.fr/',
    ];
    const ok = await runCli(
      [...args, '--audience', '{"rome":["D11"],"contract_types":["CDI"]}', '--audience-vetted'],
      {
        databaseUrl: server.db.url,
        dataDir: path.join(mkdtempSync(path.join(tmpdir(), 'pec-store-cli-')), 'data'),
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const { client_id } = JSON.parse(ok.stdout) as { client_id: string };
    expect(await row(client_id)).toMatchObject({
      category: 'formation',
      start_url: 'https://formations.example.fr/',
      audience: { rome: ['D11'], contract_types: ['CDI'] },
      audience_vetted: true,
    });
    const { rows } = await server.pool.query('SELECT actor FROM admin_audit WHERE target_id = $1', [
      client_id,
    ]);
    expect(rows.map((r) => r.actor)).toEqual(['cli']);

    const bad = await runCli([...args, '--audience', '{"rome":"D11"'], {
      databaseUrl: server.db.url,
      dataDir: path.join(mkdtempSync(path.join(tmpdir(), 'pec-store-cli-')), 'data'),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--audience must be a JSON object');
  });
});
