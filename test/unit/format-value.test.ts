// Values as a person reads them, derived from the catalog alone (src/catalog/format-value.ts).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../src/catalog/catalog-schema.ts';
import { formatDate, formatScopeField, formatValue, valueText } from '../../src/catalog/format-value.ts';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
const def = (key: string) => catalog.field(key)?.field as FieldDef;

describe('formatValue', () => {
  it('writes calendar dates in words, without shifting them by a time zone', () => {
    expect(formatDate('2026-02-03')).toBe('3 février 2026');
    expect(formatDate('2024-09-01')).toBe('1er septembre 2024');
    expect(formatDate('1990-12-31')).toBe('31 décembre 1990');
    expect(valueText(def('profile.birthdate'), '1990-04-15')).toBe('15 avril 1990');
  });

  it('shows enum values by their label, booleans as Oui or Non, nothing as « Non renseigné »', () => {
    expect(valueText(def('profile.gender'), 'female')).toBe('Femme');
    expect(valueText(def('formations.niveau'), 'bac_plus_2')).toBe('Bac + 2 (BTS, DUT…)');
    expect(valueText(def('email.email_verified'), true)).toBe('Oui');
    expect(valueText(def('formations.etranger'), false)).toBe('Non');
    expect(valueText(def('experiences.dateFin'), null)).toBe('Non renseigné');
  });

  it('keeps years whole and writes amounts the French way', () => {
    expect(valueText(def('formations.anneeFin'), 2012)).toBe('2012');
    expect(valueText(def('projet.salaireSouhaite'), { montant: 1900, periode: 'mensuel' })).toBe(
      '1 900 € brut par mois',
    );
  });

  it('writes an address as a postal address, and other objects as labelled lines', () => {
    expect(
      valueText(def('address.address'), {
        street_address: '12 rue des Lilas',
        postal_code: '69003',
        locality: 'Lyon',
        country: 'France',
      }),
    ).toBe('12 rue des Lilas\n69003 Lyon\nFrance');
    // Complement lines before the street stay lines; the codes read in words.
    expect(
      valueText(def('address.address'), {
        street_address: 'Bâtiment B\n  12 rue des Lilas',
        postal_code: '69003',
        locality: 'Lyon',
        code_insee: '69383',
        country_code: 'FR',
      }),
    ).toBe('Bâtiment B\n12 rue des Lilas\n69003 Lyon\nCode commune 69383\nCode pays FR');
    // A template that finds nothing to show falls back to labelled lines.
    expect(valueText(def('address.address'), { formatted: '1 place X\n75001 Paris' })).toBe(
      'Adresse complète : 1 place X\n75001 Paris',
    );
    expect(valueText(def('projet.disponibilite'), { immediate: false, aPartirDu: '2024-09-01' })).toBe(
      'Disponible tout de suite : Non\nÀ partir du : 1er septembre 2024',
    );
  });

  it('shows lists as lists', () => {
    expect(formatValue(def('projet.typesContrat'), ['CDI', 'MIS'])).toEqual([
      'CDI (contrat à durée indéterminée)',
      'Intérim',
    ]);
    expect(formatValue(def('projet.typesContrat'), [])).toBe('Non renseigné');
    const langues = [
      { code: 'EN', libelle: 'Anglais', niveau: 'courant' },
      { code: 'ES', libelle: 'Espagnol', niveau: 'debutant' },
    ];
    expect(formatScopeField('list', langues, def('langues.niveau'))).toEqual(['Courant', 'Débutant']);
    // A code follows the value it travels with.
    expect(formatScopeField('list', langues, def('langues.libelle'), def('langues.code'))).toEqual([
      'Anglais (code EN)',
      'Espagnol (code ES)',
    ]);
    expect(formatScopeField('list', [], def('langues.niveau'))).toBe('Non renseigné');
  });
});
