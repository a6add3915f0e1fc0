// The demo seed fills the Emploi Store: its apps are listed with their categories, the two demo
// jobseekers get different recommendations with their reasons, and production refuses a database
// that holds any of the fictional apps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STORE_CLIENT_IDS, seedDemoData } from '../../src/demo/demo-seed.ts';
import { findJobseekerByLogin } from '../../src/profiles/jobseeker-queries.ts';
import { productionDatabaseProblems } from '../../src/security/production-database-checks.ts';
import { createStoreService } from '../../src/store/store-service.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const deps = {
    config: server.config,
    pool: server.pool,
    catalog: server.app.catalog,
    clients: server.app.services.clients,
  };
  await seedDemoData(deps);
  await seedDemoData(deps); // idempotent
});
afterAll(() => server?.close());

describe('the demo seed in the Emploi Store', () => {
  const store = () =>
    createStoreService({
      pool: server.pool,
      catalog: server.app.catalog,
      now: () => new Date('2026-12-08T12:00:00Z'),
    });

  it('lists the demo apps with their categories', async () => {
    const { apps, categories } = await store().listing({});
    expect(apps.map((a) => a.name)).toEqual([
      'Bouger pour l’emploi (démo fictive)',
      'Code pour l’emploi (démo fictive)',
      'Créer sa boîte (démo fictive)',
      'CV Express (démo)',
      'CV Express Web (démo)',
      'Vendeur Pro (démo fictive)',
    ]);
    expect(categories.filter((c) => c.count).map((c) => [c.id, c.count])).toEqual([
      ['cv', 2],
      ['offres', 1],
      ['formation', 1],
      ['mobilite', 1],
      ['creation_entreprise', 1],
    ]);
    expect(apps.find((a) => a.id === 'cv-express-demo')?.startUrl).toBe(`${server.config.demoApp.url}/`);
  });

  it('recommends different apps to marie.dupont and karim.benali, each with why', async () => {
    const names = async (login: string) => {
      const jobseeker = await findJobseekerByLogin(server.pool, login);
      const { items } = await store().recommendationsFor(jobseeker?.id as string);
      return items.map((i) => [i.card.name, i.reasons]);
    };
    const marie = await names('marie.dupont');
    expect(marie[0]).toEqual([
      'Vendeur Pro (démo fictive)',
      [
        'Parce que vous recherchez un emploi « Management/gestion de rayon produits alimentaires » (D1502)',
        'Parce que vous cherchez un emploi dans la région Auvergne-Rhône-Alpes',
      ],
    ]);
    expect(
      marie
        .map((m) => m[0])
        .slice(1)
        .sort(),
    ).toEqual(['CV Express (démo)', 'Créer sa boîte (démo fictive)']);
    const karim = await names('karim.benali');
    expect(karim.map((k) => k[0]).sort()).toEqual([
      'CV Express (démo)',
      'Code pour l’emploi (démo fictive)',
      'Créer sa boîte (démo fictive)',
    ]);
  });

  it('is refused in production, each fictional app named', async () => {
    const problems = (await productionDatabaseProblems(server.pool)).join('\n');
    for (const id of DEMO_STORE_CLIENT_IDS) expect(problems).toContain(`the demo app ${id}`);
  });
});
