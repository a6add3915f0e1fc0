// The legacy API answers expected for the first demo jobseeker (Marie Dupont, src/demo): the same
// whether the mapping is called alone (unit) or through the API over HTTP (flows), so written once.

/** /peconnect-coordonnees/v1/coordonnees with every field released: split address lines, INSEE and
 * country codes, identity, the phone in its national form. */
export const MARIE_COORDONNEES = {
  adresse1: null,
  adresse2: 'APPARTEMENT 12',
  adresse3: 'RÉSIDENCE LES TILLEULS',
  adresse4: '12 RUE DES LILAS',
  codePostal: '69003',
  codeINSEE: '69383',
  libelleCommune: 'LYON',
  codePays: 'FR',
  libellePays: 'FRANCE',
  nom: 'DUPONT',
  prenom: 'MARIE',
  email: 'marie.dupont@example.fr',
  telephone1: '0612345678',
  statutValidationEmail: 'V',
};
