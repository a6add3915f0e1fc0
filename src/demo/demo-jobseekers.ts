// Demo jobseekers seeded outside production, so that `npm start` can be tried at once.
// Their logins and passwords are listed in the README.
import type { JobseekerLine } from '../profiles/jobseeker-line.ts';

export const DEMO_PASSWORD = 'demo-pole-emploi';

export const demoJobseekers: JobseekerLine[] = [
  {
    login: 'marie.dupont',
    password: DEMO_PASSWORD,
    claims: {
      given_name: 'Marie',
      family_name: 'Dupont',
      gender: 'female',
      birthdate: '1990-04-12',
      email: 'marie.dupont@example.fr',
      email_verified: true,
      phone_number: '+33 6 12 34 56 78',
      address: {
        formatted: 'Appartement 12\nRésidence Les Tilleuls\n12 rue des Lilas\n69003 Lyon\nFrance',
        // OIDC Core §5.1.1: complement lines first, the street last (adresse1–4 of the legacy API).
        street_address: 'Appartement 12\nRésidence Les Tilleuls\n12 rue des Lilas',
        postal_code: '69003',
        locality: 'Lyon',
        code_insee: '69383',
        region: 'Auvergne-Rhône-Alpes',
        country: 'France',
        country_code: 'FR',
      },
    },
    data: {
      statut: {
        codeStatutIndividu: '1',
        libelleStatutIndividu: "Demandeur d'emploi",
        dateInscription: '2026-02-03',
        categorieInscription: 'A',
      },
      indemnisation: { beneficiaireAssuranceChomage: true, beneficiairePrestationSolidarite: false },
      competences: [
        {
          code: '100211',
          libelle: 'Accueillir une clientèle',
          type: 'savoir_faire',
          niveau: 'expert',
          saisieLibre: false,
        },
        {
          code: '120558',
          libelle: 'Gérer un stock',
          type: 'savoir_faire',
          niveau: 'intermediaire',
          saisieLibre: false,
        },
        { code: '300122', libelle: 'Sens du service', type: 'savoir_etre', niveau: null, saisieLibre: false },
        {
          code: '',
          libelle: 'Tenue de caisse enregistreuse',
          type: 'savoir_faire',
          niveau: null,
          saisieLibre: true,
        },
      ],
      langues: [
        { code: 'EN', libelle: 'Anglais', niveau: 'courant' },
        { code: 'ES', libelle: 'Espagnol', niveau: 'debutant' },
      ],
      permis: [{ code: 'B', libelle: 'Permis B (véhicule léger)' }],
      formations: [
        {
          intitule: 'BTS Management commercial opérationnel',
          domaine: 'Commerce',
          domaineCode: '34566',
          niveau: 'bac_plus_2',
          anneeFin: 2011,
          diplomeObtenu: true,
          lieu: 'Lyon',
          etranger: false,
          description: null,
        },
      ],
      experiences: [
        {
          intitule: 'Responsable de rayon',
          entreprise: 'Supermarché du Parc',
          lieu: 'Villeurbanne',
          etranger: false,
          dateDebut: '2015-09-01',
          dateFin: '2025-12-31',
          enPoste: false,
          description: "Gestion d'une équipe de 4 personnes et des commandes du rayon frais.",
        },
        {
          intitule: 'Vendeuse',
          entreprise: 'Boulangerie Martin',
          lieu: 'Lyon',
          etranger: false,
          dateDebut: '2011-07-01',
          dateFin: '2015-08-31',
          enPoste: false,
          description: null,
        },
      ],
      projet: {
        metiersRecherches: [
          { codeRome: 'D1502', libelle: 'Management/gestion de rayon produits alimentaires' },
          { codeRome: 'D1106', libelle: 'Vente en alimentation' },
        ],
        zoneRecherche: { libelle: 'Lyon et 30 km autour', codePostal: '69003', rayonKm: 30 },
        typesContrat: ['CDI', 'CDD'],
        tempsTravail: 'temps_plein',
        disponibilite: { immediate: true, aPartirDu: null },
        salaireSouhaite: { montant: 26000, periode: 'annuel' },
      },
      conseillers: [
        {
          nom: 'Prost',
          prenom: 'Alain',
          civilite: 'monsieur',
          email: 'alain.prost@pole-emploi.fr',
          role: 'placement',
        },
        {
          nom: 'Girard',
          prenom: 'Sophie',
          civilite: 'madame',
          email: 'sophie.girard@pole-emploi.fr',
          role: 'indemnisation',
        },
      ],
    },
  },
  {
    login: 'karim.benali',
    password: DEMO_PASSWORD,
    claims: {
      given_name: 'Karim',
      family_name: 'Benali',
      gender: 'male',
      birthdate: '1985-11-30',
      email: 'karim.benali@example.fr',
      email_verified: true,
    },
    data: {
      statut: {
        codeStatutIndividu: '1',
        libelleStatutIndividu: "Demandeur d'emploi",
        dateInscription: '2025-10-15',
        categorieInscription: 'B',
      },
      competences: [
        {
          code: '104533',
          libelle: 'Développer une application web',
          type: 'savoir_faire',
          niveau: 'expert',
          saisieLibre: false,
        },
      ],
      langues: [{ code: 'AR', libelle: 'Arabe', niveau: 'bilingue' }],
      permis: [],
      formations: [],
      experiences: [
        {
          intitule: 'Développeur web',
          entreprise: null,
          lieu: 'Marseille',
          etranger: false,
          dateDebut: '2019-01-07',
          dateFin: null,
          enPoste: true,
          description: 'Mission à temps partiel en indépendant.',
        },
      ],
      projet: {
        metiersRecherches: [{ codeRome: 'M1805', libelle: 'Études et développement informatique' }],
        zoneRecherche: null,
        typesContrat: ['CDI', 'LIB'],
        tempsTravail: 'indifferent',
        disponibilite: { immediate: false, aPartirDu: '2027-01-04' },
        salaireSouhaite: null,
      },
      conseillers: [],
    },
  },
];
