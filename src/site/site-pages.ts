// The public pages every French public service publishes — home, help, contact, forgotten login,
// accessibility statement (RGAA), legal notice, personal data — as view-models built from the
// configuration: the operator's names and contacts, and the retention periods the code applies, so
// that a page never states a period the configuration does not.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Config } from '../config.ts';
import { describeDays, describeHours } from './durations.ts';

export interface SitePage {
  template: string;
  title: string;
}

export const SITE_PAGES: Record<string, SitePage> = {
  '/': { template: 'site/home', title: 'Accueil' },
  '/aide': { template: 'site/help', title: 'Aide' },
  '/contact': { template: 'site/contact', title: 'Contact' },
  '/identifiants-oublies': { template: 'site/forgotten', title: 'Identifiant ou mot de passe oublié' },
  '/accessibilite': { template: 'site/accessibility', title: 'Déclaration d’accessibilité' },
  '/mentions-legales': { template: 'site/legal', title: 'Mentions légales' },
  '/donnees-personnelles': { template: 'site/privacy', title: 'Données personnelles' },
};

/** Everything the public pages say that depends on the configuration or the catalog. */
export function siteModel(config: Config, catalog: Catalog) {
  const accessTokenMinutes = Math.round(config.accessTokenTtlSeconds / 60);
  return {
    operator: config.operator,
    issuer: config.issuer,
    retention: {
      consent: describeDays(config.consentDurationDays),
      accessLog: describeDays(config.accessLogRetentionDays),
      session: describeHours(config.sessionTtlHours),
      accessToken:
        accessTokenMinutes >= 1
          ? `${accessTokenMinutes} minutes`
          : `${config.accessTokenTtlSeconds} secondes`,
      refreshToken: describeDays(config.refreshTokenTtlDays),
    },
    /** the kinds of data an app may ask for, by their titles in the catalog */
    dataKinds: catalog.scopes.filter((s) => s.id !== 'openid').map((s) => s.title),
  };
}
