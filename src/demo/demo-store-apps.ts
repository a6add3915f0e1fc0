// Fictional apps that fill the Emploi Store's catalog in the demo, with categories and vetted
// audiences chosen so that the demo jobseekers get different recommendations (marie.dupont: sales
// jobs in Lyon, category A, Bac + 2; karim.benali: web developer, category B). They cannot sign
// anyone in for real: their redirect URIs lead to the demo app, which has no route for them, and
// they have no « Se connecter » address. Never seeded in production, and refused there
// (src/security/production-database-checks.ts).
import type { ClientService, NewClientInput } from '../clients/client-service.ts';
import type { Config } from '../config.ts';

const FICTIONAL: (Omit<NewClientInput, 'redirect_uris'> & { client_id: string })[] = [
  {
    client_id: 'demo-vendeur-pro',
    name: 'Vendeur Pro (démo fictive)',
    description: 'Des offres de vente en magasin près de chez vous, mises à jour chaque jour.',
    operator_name: 'Commerce Emploi (fictif)',
    category: 'offres',
    scopes: ['openid', 'profile', 'projet', 'competences'],
    purposes: {
      projet: 'Chercher des offres pour les métiers que vous visez, là où vous les cherchez.',
      competences: 'Mettre en avant vos compétences auprès des recruteurs.',
    },
    audience: { rome: ['D11', 'D15'], regions: ['84'] },
  },
  {
    client_id: 'demo-creer-sa-boite',
    name: 'Créer sa boîte (démo fictive)',
    description: 'Un accompagnement gratuit pour créer votre entreprise, de l’idée aux premiers clients.',
    operator_name: 'Réseau Entreprendre Ensemble (fictif)',
    category: 'creation_entreprise',
    scopes: ['openid', 'profile', 'statut'],
    purposes: { statut: 'Vérifier que vous avez droit à l’accompagnement des demandeurs d’emploi.' },
    audience: { statuses: ['A', 'B'] },
  },
  {
    client_id: 'demo-code-emploi',
    name: 'Code pour l’emploi (démo fictive)',
    description: 'Des missions et des formations courtes pour les métiers du numérique.',
    operator_name: 'Numérique Solidaire (fictif)',
    category: 'formation',
    scopes: ['openid', 'projet', 'competences', 'formations'],
    purposes: {
      projet: 'Cibler les missions de votre métier.',
      competences: 'Proposer des formations qui complètent vos compétences.',
      formations: 'Tenir compte de ce que vous avez déjà suivi.',
    },
    audience: { rome: ['M18'] },
  },
  {
    client_id: 'demo-bouger-emploi',
    name: 'Bouger pour l’emploi (démo fictive)',
    description: 'Aides au déménagement et au transport pour reprendre un emploi loin de chez vous.',
    operator_name: 'Mobilité Solidaire (fictif)',
    category: 'mobilite',
    scopes: ['openid', 'address', 'projet'],
    purposes: { projet: 'Savoir où et à partir de quand vous cherchez.' },
    // Declared, not yet vetted: listed in the catalog, recommended to no one.
    audience: { available_now: true },
    audience_vetted: false,
  },
];

export const DEMO_STORE_CLIENT_IDS = FICTIONAL.map((a) => a.client_id);

export async function seedDemoStoreApps(deps: { config: Config; clients: ClientService }): Promise<void> {
  const base = deps.config.demoApp.url;
  for (const app of FICTIONAL) {
    if (await deps.clients.find(app.client_id)) continue;
    await deps.clients.create({
      audience_vetted: true,
      free_for_jobseekers: true,
      policy_uri: `${base}/confidentialite`,
      contact_email: `donnees-personnelles@${app.client_id}.example`,
      status: 'active',
      ...app,
      redirect_uris: [`${base}/fictive/${app.client_id}/callback`],
    });
  }
}
