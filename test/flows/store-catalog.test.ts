// The Emploi Store over HTTP: the public catalog (every active app, alphabetical, search and category
// filter, one page per app, no script), and the recommendations of a signed-in jobseeker — with why
// each app is shown, the switch to turn them off, hiding one app — computed without anything leaving:
// no request to any app, no entry in the access log, nothing stored beyond the jobseeker's choices.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToAccount } from '../support/account.ts';
import { decode } from '../support/admin-console.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
// Every app's own addresses point here: any request the provider (or a page) made to an app would land.
let appHost: http.Server;
let appRequests = 0;
let appOrigin: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  appHost = http.createServer((_req, res) => {
    appRequests++;
    res.end('app');
  });
  await new Promise<void>((resolve) => appHost.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://127.0.0.1:${(appHost.address() as AddressInfo).port}`;
  server = await startTestServer();
  const app = async (key: string, overrides: Parameters<typeof createClient>[1]) => {
    ids[key] = (
      await createClient(server, {
        redirect_uris: [`${appOrigin}/cb-${key}`],
        website: `${appOrigin}/`,
        policy_uri: `${appOrigin}/confidentialite`,
        logo_uri: `${appOrigin}/logo.png`,
        ...overrides,
      })
    ).client_id;
  };
  await app('vente', {
    name: 'Vendeur Pro',
    description: 'Des offres de vente en magasin près de chez vous.',
    operator_name: 'Commerce Emploi SAS',
    category: 'offres',
    start_url: `${appOrigin}/start-vente`,
    scopes: ['openid', 'profile', 'projet', 'competences'],
    purposes: {
      projet: 'Chercher des offres pour vos métiers.',
      competences: 'Mettre en avant vos compétences.',
    },
    audience: { rome: ['D11'], regions: ['84'] },
    audience_vetted: true,
  });
  await app('creation', {
    name: 'Créer sa boîte',
    description: 'Accompagnement à la création d’entreprise.',
    category: 'creation_entreprise',
    start_url: `${appOrigin}/start-creation`,
    scopes: ['openid', 'statut'],
    purposes: { statut: 'Vérifier votre droit à l’accompagnement.' },
    audience: { statuses: ['A', 'B'] },
    audience_vetted: true,
  });
  await app('unvetted', {
    name: 'Appli non vérifiée',
    category: 'cv',
    audience: { statuses: ['A'] },
    audience_vetted: false,
  });
  await app('elsewhere', {
    name: 'Bretagne Emploi',
    category: 'mobilite',
    audience: { regions: ['53'] },
    audience_vetted: true,
  });
  await app('pending', { name: 'Appli en attente', category: 'cv', status: 'pending' });
});
afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => appHost?.close(resolve));
});

const get = async (path: string, agent?: UserAgent) => {
  const res = agent
    ? (await agent.follow(`${server.issuer}${path}`)).response
    : await fetch(`${server.issuer}${path}`);
  return { status: res.status, headers: res.headers, html: await res.text() };
};
const titles = (html: string) =>
  [...html.matchAll(/<h[23] id="app-[^"]+-titre" class="card-title"><a [^>]*>([^<]+)<\/a>/g)].map((m) =>
    decode(m[1] as string),
  );

describe('the catalog', () => {
  it('lists every active app, in alphabetical order, without a script', async () => {
    const page = await get('/applications');
    expect(page.status).toBe(200);
    expect(titles(page.html)).toEqual([
      'Appli non vérifiée',
      'Bretagne Emploi',
      'Créer sa boîte',
      'Vendeur Pro',
    ]);
    expect(page.html).not.toContain('Appli en attente');
    expect(page.html).not.toMatch(/<script/i);
    // No image from an app's host: showing the catalog tells no app who looks at it.
    expect(page.html).not.toContain('/logo.png');
    const text = decode(page.html);
    expect(text).toContain('Gratuit pour les demandeurs d’emploi');
    expect(text).toContain('Proposée par Commerce Emploi SAS');
    expect(page.html).toContain(`href="${appOrigin}/start-vente" rel="noopener noreferrer"`);
    expect(text).toContain('Comment les applications sont choisies et classées');
    expect(text).toContain('aucune application ne peut payer pour être mieux placée');
  });

  it('searches name, description, operator and category, ignoring accents and case', async () => {
    expect(titles((await get('/applications?q=CREATION')).html)).toEqual(['Créer sa boîte']);
    expect(titles((await get('/applications?q=magasin%20vente')).html)).toEqual(['Vendeur Pro']);
    expect(titles((await get('/applications?q=commerce')).html)).toEqual(['Vendeur Pro']);
    const none = await get('/applications?q=astronaute');
    expect(titles(none.html)).toEqual([]);
    expect(decode(none.html)).toContain('Aucune application sur 4 pour « astronaute »');
  });

  it('filters by category, with counts and the current one marked', async () => {
    const page = await get('/applications?categorie=mobilite');
    expect(titles(page.html)).toEqual(['Bretagne Emploi']);
    expect(page.html).toContain(
      'href="/applications?categorie=mobilite" aria-current="page">Mobilité <span class="count">(1)</span>',
    );
    expect(page.html).toContain('<option value="mobilite" selected>');
    expect(titles((await get('/applications?categorie=formation')).html)).toEqual([]);
  });

  it('pages the catalog 24 apps at a time, keeping the search and the category', async () => {
    const extra: string[] = [];
    for (let i = 0; i < 22; i++) {
      const created = await createClient(server, {
        name: `Zeta ${String(i).padStart(2, '0')}`,
        category: 'cv',
        redirect_uris: [`${appOrigin}/cb-z${i}`],
      });
      extra.push(created.client_id);
    }
    try {
      const first = await get('/applications');
      expect(titles(first.html)).toHaveLength(24);
      expect(decode(first.html)).toContain('26 applications (page 1 sur 2)');
      expect(first.html).toContain('href="/applications?page=2#catalogue-titre">Page suivante</a>');
      const second = await get('/applications?page=2');
      expect(titles(second.html)).toEqual(['Zeta 20', 'Zeta 21']);
      expect(titles((await get('/applications?page=9')).html)).toEqual(['Zeta 20', 'Zeta 21']);
      const filtered = await get('/applications?q=zeta&categorie=cv');
      expect(decode(filtered.html)).toContain('22 applications sur 26');
      expect(titles(filtered.html)).toHaveLength(22);
      expect((await get('/applications?page=0')).status).toBe(400);
      expect((await get('/applications?page=deux')).status).toBe(400);
    } finally {
      await server.pool.query("UPDATE clients SET status = 'suspended' WHERE id = ANY($1)", [extra]);
    }
  });

  it('answers 400 to a category outside the list or an overlong search', async () => {
    expect((await get('/applications?categorie=casino')).status).toBe(400);
    expect((await get(`/applications?q=${'a'.repeat(101)}`)).status).toBe(400);
    expect((await get('/applications?categorie=cv&categorie=offres')).status).toBe(400);
  });

  it('has a page per app: what it may ask and why, its privacy notice, its vetted audience', async () => {
    const page = await get(`/applications/${ids.vente}`);
    expect(page.status).toBe(200);
    const text = decode(page.html);
    expect(text).toContain('Les données qu’elle peut vous demander');
    expect(text).toContain("Votre projet de recherche d'emploi");
    expect(text).toContain('Pourquoi : Chercher des offres pour vos métiers.');
    expect(text).toContain('Métiers recherchés');
    expect(text).toContain('rien n’y est coché d’avance');
    expect(text).toContain('Région de recherche : Auvergne-Rhône-Alpes');
    expect(page.html).toContain(`href="${appOrigin}/confidentialite"`);
    expect(page.html).toContain(`href="${appOrigin}/start-vente"`);
    // An audience not yet vetted is not shown as the app's.
    expect(decode((await get(`/applications/${ids.unvetted}`)).html)).not.toContain('À qui elle s’adresse');
    expect((await get(`/applications/${ids.pending}`)).status).toBe(404);
    expect((await get('/applications/inconnue')).status).toBe(404);
  });
});

describe('recommendations for a signed-in jobseeker', () => {
  it('shows the vetted apps whose whole audience the jobseeker matches, each with why', async () => {
    // The factories' jobseeker: D1502 and D1106 in Lyon (69003), category A.
    const agent = await signInToAccount(server, await createJobseeker(server));
    const page = await get('/account/recommandations', agent);
    expect(page.status).toBe(200);
    const text = decode(page.html);
    const shown = [...page.html.matchAll(/id="recommandee-([^"]+)-titre"/g)].map((m) => m[1]);
    // Vendeur Pro matches two criteria, Créer sa boîte one: the more specific first.
    expect(shown).toEqual([ids.vente, ids.creation]);
    expect(text).toContain('Parce que vous recherchez un emploi « Vente en alimentation » (D1106)');
    expect(text).toContain('Parce que vous cherchez un emploi dans la région Auvergne-Rhône-Alpes');
    expect(text).toContain(
      'Parce que votre situation est : Catégorie A : sans emploi, vous cherchez un emploi',
    );
    expect(text).toContain('Aucune donnée n’est envoyée aux applications pour cela');
    expect(text).toContain(
      "Elle peut vous demander : Votre identité ; Vos compétences ; Votre projet de recherche d'emploi",
    );
    // The catalog shows the same, and the app's page says why.
    expect((await get('/applications', agent)).html).toContain(`id="recommandee-${ids.vente}-titre"`);
    expect(decode((await get(`/applications/${ids.vente}`, agent)).html)).toContain(
      'Pourquoi elle vous est recommandée',
    );
  });

  it('can be switched off and on, and one app hidden then shown again', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = await signInToAccount(server, jobseeker);
    const submit = async (action: string, fields: [string, string][]) => {
      const page = await agent.follow(`${server.issuer}/account/recommandations`);
      return agent.submit(page.url, await page.response.text(), action, [
        ['retour', '/account/recommandations'],
        ...fields,
      ]);
    };
    const shown = async () =>
      [
        ...(await get('/account/recommandations', agent)).html.matchAll(/id="recommandee-([^"]+)-titre"/g),
      ].map((m) => m[1]);

    const off = await submit('/applications/recommandations', [['recommandations', 'non']]);
    expect(off.url.pathname).toBe('/account/recommandations');
    const offText = decode(await off.response.text());
    expect(offText).toContain('plus aucune application ne vous est recommandée');
    expect(offText).toContain('Vous avez désactivé les recommandations');
    expect(await shown()).toEqual([]);
    expect(decode((await get('/applications', agent)).html)).toContain(
      'Vous avez désactivé les recommandations',
    );

    await submit('/applications/recommandations', [['recommandations', 'oui']]);
    expect(await shown()).toEqual([ids.vente, ids.creation]);

    await submit(`/applications/${ids.vente}/masquer`, []);
    expect(await shown()).toEqual([ids.creation]);
    const { rows } = await server.pool.query(
      'SELECT hidden_client_ids FROM store_preferences WHERE jobseeker_id = $1',
      [jobseeker.id],
    );
    expect(rows[0].hidden_client_ids).toEqual([ids.vente]);
    // The jobseeker's own choices are in their export (GDPR Art. 15).
    const exported = (await (await agent.follow(`${server.issuer}/account/export`)).response.json()) as {
      recommendation_choices: unknown;
    };
    expect(exported.recommendation_choices).toEqual({
      recommendations_off: false,
      hidden_client_ids: [ids.vente],
    });
    await submit('/applications/recommandations/reafficher', []);
    expect(await shown()).toEqual([ids.vente, ids.creation]);
  });

  it('refuses choices without a sign-in, with a bad form, or for an app not listed', async () => {
    const anonymous = await fetch(`${server.issuer}/applications/recommandations`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(anonymous.status).toBeGreaterThanOrEqual(300);
    expect(anonymous.status).toBeLessThan(500);
    const agent = await signInToAccount(server, await createJobseeker(server));
    const page = await agent.follow(`${server.issuer}/account/recommandations`);
    const html = await page.response.text();
    const bad = await agent.submit(page.url, html, '/applications/recommandations', [
      ['recommandations', 'peut-être'],
    ]);
    expect(bad.response.status).toBe(400);
    const hidePending = await agent.submit(page.url, html, `/applications/${ids.pending}/masquer`, []);
    expect(hidePending.response.status).toBe(404);
    const openRedirect = await agent.submit(page.url, html, '/applications/recommandations', [
      ['recommandations', 'non'],
      ['retour', 'https://evil.example/'],
    ]);
    expect(openRedirect.response.status).toBe(400);
  });

  it('shows the first six on the catalog, with a link to all of them in Mon espace', async () => {
    const { pool } = server;
    const extra: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await createClient(server, {
        name: `Pour la catégorie A ${i}`,
        redirect_uris: [`${appOrigin}/cb-a${i}`],
        audience: { statuses: ['A'] },
        audience_vetted: true,
      });
      extra.push(created.client_id);
    }
    try {
      const agent = await signInToAccount(server, await createJobseeker(server));
      const catalog = await get('/applications', agent);
      expect([...catalog.html.matchAll(/id="recommandee-[^"]+-titre"/g)]).toHaveLength(6);
      expect(decode(catalog.html)).toContain('Voir vos 8 applications recommandées');
      const all = await get('/account/recommandations', agent);
      expect([...all.html.matchAll(/id="recommandee-[^"]+-titre"/g)]).toHaveLength(8);
    } finally {
      await pool.query("UPDATE clients SET status = 'suspended' WHERE id = ANY($1)", [extra]);
    }
  });

  it('pages Mon espace’s list ten at a time, with an accessible pager of plain links, and a hidden app keeps the page', async () => {
    const extra: string[] = [];
    for (let i = 0; i < 12; i++) {
      const created = await createClient(server, {
        name: `Pour la catégorie A ${String(i).padStart(2, '0')}`,
        redirect_uris: [`${appOrigin}/cb-p${i}`],
        audience: { statuses: ['A'] },
        audience_vetted: true,
      });
      extra.push(created.client_id);
    }
    try {
      const agent = await signInToAccount(server, await createJobseeker(server));
      const shownOn = (html: string) =>
        [...html.matchAll(/id="recommandee-([^"]+)-titre"/g)].map((m) => m[1]);
      const pager = (html: string) =>
        /<nav class="store-pages" aria-label="Pages des applications recommandées">([\s\S]*?)<\/nav>/.exec(
          html,
        )?.[1];

      const first = await get('/account/recommandations', agent);
      expect(first.status).toBe(200);
      expect(first.html).not.toMatch(/<script/i);
      // Vendeur Pro, Créer sa boîte and the twelve: fourteen, ten on the first page.
      expect(shownOn(first.html)).toHaveLength(10);
      expect(decode(first.html)).toContain('14 applications recommandées (page 1 sur 2)');
      expect(first.html).toContain('<title>Applications recommandées pour vous (page 1 sur 2)');
      expect(decode(first.html)).not.toContain('Voir vos 14 applications recommandées');
      const firstPager = pager(first.html);
      expect(firstPager).toContain(
        'href="/account/recommandations?page=1#recommandations-titre" aria-current="page"><span class="visually-hidden">Page </span>1</a>',
      );
      expect(firstPager).toContain(
        'href="/account/recommandations?page=2#recommandations-titre">Page suivante</a>',
      );
      expect(firstPager).not.toContain('Page précédente');

      const second = await get('/account/recommandations?page=2', agent);
      expect(shownOn(second.html)).toHaveLength(4);
      // The numbering goes on from the first page, and together the pages hold each app once.
      expect(second.html).toContain(
        '<ol class="store-list" aria-labelledby="recommandations-titre" start="11">',
      );
      expect(new Set([...shownOn(first.html), ...shownOn(second.html)]).size).toBe(14);
      const secondPager = pager(second.html);
      expect(secondPager).toContain('aria-current="page"><span class="visually-hidden">Page </span>2</a>');
      expect(secondPager).not.toMatch(/aria-current="page"><span class="visually-hidden">Page <\/span>1</);
      expect(secondPager).toContain(
        'href="/account/recommandations?page=1#recommandations-titre">Page précédente</a>',
      );
      // Past the last page: the last; not a page number: 400.
      expect(shownOn((await get('/account/recommandations?page=9', agent)).html)).toEqual(
        shownOn(second.html),
      );
      expect((await get('/account/recommandations?page=0', agent)).status).toBe(400);
      expect((await get('/account/recommandations?page=deux', agent)).status).toBe(400);

      // Hiding an app of page 2, with the fields its form carries, comes back to page 2.
      const target = shownOn(second.html)[0] as string;
      const form = new RegExp(
        `<form method="post" action="/applications/${target}/masquer">([\\s\\S]*?)</form>`,
      ).exec(second.html)?.[1] as string;
      const fields = [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)]
        .map((m) => [m[1], m[2]] as [string, string])
        .filter(([name]) => name !== '_csrf');
      expect(fields).toEqual([
        ['retour', '/account/recommandations'],
        ['page', '2'],
      ]);
      const url = new URL(`${server.issuer}/account/recommandations?page=2`);
      const after = await agent.submit(url, second.html, `/applications/${target}/masquer`, fields);
      expect(after.url.pathname).toBe('/account/recommandations');
      expect(after.url.searchParams.get('page')).toBe('2');
      const afterHtml = await after.response.text();
      expect(shownOn(afterHtml)).toHaveLength(3);
      expect(shownOn(afterHtml)).not.toContain(target);
    } finally {
      await server.pool.query("UPDATE clients SET status = 'suspended' WHERE id = ANY($1)", [extra]);
    }
  });

  it('sends nothing to any app and records nothing about what was shown', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = await signInToAccount(server, jobseeker);
    const before = appRequests;
    for (const path of ['/account/recommandations', '/applications', `/applications/${ids.vente}`]) {
      expect((await get(path, agent)).status).toBe(200);
    }
    await server.app.services.accessLog.flush();
    expect(appRequests).toBe(before);
    const reads = await server.pool.query(
      'SELECT count(*)::int AS n FROM access_log WHERE jobseeker_id = $1',
      [jobseeker.id],
    );
    expect(reads.rows[0].n).toBe(0);
    // Viewing stores nothing: there is no row until the jobseeker makes a choice.
    const prefs = await server.pool.query('SELECT 1 FROM store_preferences WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    expect(prefs.rowCount).toBe(0);
  });
});

describe('hostile input', () => {
  it('never answers 500 to any search, category or app id, and escapes what it shows', async () => {
    const agent = await signInToAccount(server, await createJobseeker(server));
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.string({ maxLength: 30 }),
        fc.boolean(),
        async (q, id, signedIn) => {
          const query = new URLSearchParams({ q, categorie: id }).toString();
          for (const path of [
            `/applications?${query}`,
            `/applications?q=${encodeURIComponent(q)}`,
            `/applications/${encodeURIComponent(id)}`,
          ]) {
            const page = await get(path, signedIn ? agent : undefined);
            expect(page.status, path).toBeLessThan(500);
            expect(page.html).not.toContain('<script');
          }
        },
      ),
      { numRuns: 60 },
    );
    const shown = await get(`/applications?q=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    expect(shown.status).toBe(200);
    expect(shown.html).not.toContain('<img src=x');
  });
});
