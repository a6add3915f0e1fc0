// Demo data for development: the jobseekers above and the demo app's registration. Idempotent, and
// never called in production (config refuses SEED_DEMO_DATA there).
import { createHmac } from 'node:crypto';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { Config } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import { saveJobseeker } from '../profiles/jobseeker-import.ts';
import { jobseekerLineSchema } from '../profiles/jobseeker-line.ts';
import { findJobseekerByLogin } from '../profiles/jobseeker-queries.ts';
import { demoJobseekers } from './demo-jobseekers.ts';
import { seedDemoStoreApps } from './demo-store-apps.ts';

export const DEMO_CLIENT_ID = 'cv-express-demo';
/** The demo's single-page app: a public client (no secret), served by the demo process under /spa/. */
export const DEMO_SPA_CLIENT_ID = 'cv-express-web-demo';
/** Fictional apps that only fill the Emploi Store's catalog in the demo (src/demo/demo-store-apps.ts). */
export { DEMO_STORE_CLIENT_IDS } from './demo-store-apps.ts';

// The demo app's secret is derived from this machine's own secrets: stable across restarts, never
// the same on two machines, never written in the repository.
export function demoClientSecret(config: Config): string {
  return createHmac('sha256', config.secrets.pairwiseSalt).update('demo-client-secret').digest('base64url');
}

export async function seedDemoData(deps: {
  config: Config;
  pool: Pool;
  catalog: Catalog;
  clients: ClientService;
}) {
  const { config, pool, catalog, clients } = deps;
  const schema = jobseekerLineSchema(catalog);
  for (const line of demoJobseekers) {
    if (!(await findJobseekerByLogin(pool, line.login))) await saveJobseeker(pool, schema.parse(line));
  }
  const demoApp = {
    description: 'Crée un CV à partir de vos compétences, expériences et formations.',
    operator_name: 'Pôle emploi Connect — démonstration',
    scopes: [
      'openid',
      'profile',
      'email',
      'phone',
      'address',
      'offline_access',
      'statut',
      'competences',
      'langues',
      'permis',
      'formations',
      'experiences',
      'projet',
    ],
    purposes: {
      statut: 'Indiquer sur votre CV que vous êtes disponible.',
      competences: 'Remplir la rubrique « Compétences » de votre CV.',
      langues: 'Remplir la rubrique « Langues » de votre CV.',
      permis: 'Indiquer vos permis de conduire sur votre CV.',
      formations: 'Remplir la rubrique « Formations » de votre CV.',
      experiences: 'Remplir la rubrique « Expériences » de votre CV.',
      projet: 'Mettre en avant le métier que vous recherchez en tête de votre CV.',
    },
    free_for_jobseekers: true,
    // The demo app's own privacy notice, served by the demo app itself (demo-app.ts).
    policy_uri: `${config.demoApp.url}/confidentialite`,
    contact_email: 'donnees-personnelles@cv-express.example',
    status: 'active' as const,
    // The Emploi Store: listed under « CV et candidatures », for every registered jobseeker.
    category: 'cv',
    audience: { statuses: ['A', 'B', 'C', 'D', 'E'] },
    audience_vetted: true,
  };
  if (!(await clients.find(DEMO_CLIENT_ID))) {
    await clients.create({
      ...demoApp,
      client_id: DEMO_CLIENT_ID,
      client_secret: demoClientSecret(config),
      name: 'CV Express (démo)',
      redirect_uris: [`${config.demoApp.url}/callback`],
      post_logout_redirect_uris: [`${config.demoApp.url}/`],
      start_url: `${config.demoApp.url}/`,
    });
  }
  if (!(await clients.find(DEMO_SPA_CLIENT_ID))) {
    await clients.create({
      ...demoApp,
      client_id: DEMO_SPA_CLIENT_ID,
      name: 'CV Express Web (démo)',
      redirect_uris: [`${config.demoApp.url}/spa/callback`],
      post_logout_redirect_uris: [`${config.demoApp.url}/spa/`],
      // A browser app holds no secret: PKCE alone protects its code (RFC 8252 §8.1, RFC 9700 §2.1.1).
      token_endpoint_auth_method: 'none',
      start_url: `${config.demoApp.url}/spa/`,
      // One of the two is enough in recommendations: the web version is listed, not recommended.
      audience: null,
      audience_vetted: false,
    });
  }
  // A demo database seeded before the Emploi Store: its two apps get their catalogue listing once.
  for (const [id, startUrl] of [
    [DEMO_CLIENT_ID, `${config.demoApp.url}/`],
    [DEMO_SPA_CLIENT_ID, `${config.demoApp.url}/spa/`],
  ] as const) {
    const row = await clients.find(id);
    if (row && !row.category) {
      await clients.update(
        id,
        id === DEMO_CLIENT_ID
          ? { category: 'cv', start_url: startUrl, audience: demoApp.audience, audience_vetted: true }
          : { category: 'cv', start_url: startUrl },
        { actor: 'system' },
      );
    }
  }
  await seedDemoStoreApps({ config, clients });
}
