// Two provider instances on one database behind a round-robin balancer: an advisor's views alternate
// instances, and a mandate withdrawn through one instance stops the very next view on the other (the
// mandate is read from PostgreSQL at every view, never cached in an instance).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToAccount } from '../support/account.ts';
import { getPage } from '../support/admin-console.ts';
import { assign, createAdvisor, signedInAdvisor } from '../support/advisors.ts';
import { type Balancer, startBalancer } from '../support/balancer.ts';
import { createJobseeker } from '../support/factories.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let db: TestDatabase;
let balancer: Balancer;
let instances: TestServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  balancer = await startBalancer();
  instances = await Promise.all([0, 1].map(() => startTestServer({ ISSUER: balancer.url }, undefined, db)));
  balancer.targets = instances.map((s) => Number(new URL(s.url).port));
});
afterAll(async () => {
  await Promise.all(instances.map((s) => s.close()));
  await balancer?.close();
  await db?.drop();
});

describe('MAP on two instances', () => {
  it('a withdrawal through one instance stops the next view on either', async () => {
    const first = instances[0] as TestServer;
    const front = { ...first, issuer: balancer.url, url: balancer.url } as TestServer;
    const jobseeker = await createJobseeker(first);
    const advisor = await createAdvisor(first);
    await assign(first, advisor.id, jobseeker.id);
    await first.app.services.mandates.give(jobseeker.id, ['competences.libelle'], 3);
    const { agent } = await signedInAdvisor(front, advisor);
    const path = `/conseiller/personnes/${jobseeker.id}`;
    for (let i = 0; i < 2; i++)
      expect((await getPage(agent, front, path)).html).toContain('Accueillir une clientèle');
    const js = await signInToAccount(front, jobseeker);
    const page = await js.follow(`${balancer.url}/account/conseiller`);
    await js.submit(page.url, await page.response.text(), '/account/conseiller/retrait', []);
    for (let i = 0; i < 2; i++) {
      const view = await getPage(agent, front, path);
      expect(view.html).not.toContain('Accueillir une clientèle');
      expect(view.html).toContain('ne vous a pas donné de mandat');
    }
  });
});
