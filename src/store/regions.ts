// French regions (INSEE codes, 2016 map) and the department each postcode belongs to: enough to say
// whether a jobseeker's search area lies in a region an app declared, without any lookup service.
export const REGIONS: Record<string, string> = {
  '01': 'Guadeloupe',
  '02': 'Martinique',
  '03': 'Guyane',
  '04': 'La Réunion',
  '06': 'Mayotte',
  '11': 'Île-de-France',
  '24': 'Centre-Val de Loire',
  '27': 'Bourgogne-Franche-Comté',
  '28': 'Normandie',
  '32': 'Hauts-de-France',
  '44': 'Grand Est',
  '52': 'Pays de la Loire',
  '53': 'Bretagne',
  '75': 'Nouvelle-Aquitaine',
  '76': 'Occitanie',
  '84': 'Auvergne-Rhône-Alpes',
  '93': 'Provence-Alpes-Côte d’Azur',
  '94': 'Corse',
};

// Departments by region; a postcode's first two digits name its department (three in overseas
// France, 97x; Corsica's 20 covers both of its departments).
const DEPARTMENTS: Record<string, string[]> = {
  '11': ['75', '77', '78', '91', '92', '93', '94', '95'],
  '24': ['18', '28', '36', '37', '41', '45'],
  '27': ['21', '25', '39', '58', '70', '71', '89', '90'],
  '28': ['14', '27', '50', '61', '76'],
  '32': ['02', '59', '60', '62', '80'],
  '44': ['08', '10', '51', '52', '54', '55', '57', '67', '68', '88'],
  '52': ['44', '49', '53', '72', '85'],
  '53': ['22', '29', '35', '56'],
  '75': ['16', '17', '19', '23', '24', '33', '40', '47', '64', '79', '86', '87'],
  '76': ['09', '11', '12', '30', '31', '32', '34', '46', '48', '65', '66', '81', '82'],
  '84': ['01', '03', '07', '15', '26', '38', '42', '43', '63', '69', '73', '74'],
  '93': ['04', '05', '06', '13', '83', '84'],
  '94': ['20'],
  '01': ['971'],
  '02': ['972'],
  '03': ['973'],
  '04': ['974'],
  '06': ['976'],
};

const REGION_OF_DEPARTMENT = new Map(
  Object.entries(DEPARTMENTS).flatMap(([region, departments]) => departments.map((d) => [d, region])),
);

/** The INSEE code of the region of a French postcode, or undefined when it is not one. */
export function regionOfPostcode(postcode: unknown): string | undefined {
  if (typeof postcode !== 'string' || !/^\d{5}$/.test(postcode)) return undefined;
  const department = postcode.startsWith('97') ? postcode.slice(0, 3) : postcode.slice(0, 2);
  return REGION_OF_DEPARTMENT.get(department);
}
