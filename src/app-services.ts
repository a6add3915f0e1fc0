// The services the composition root wires (src/app.ts): each built once from the configuration and
// the pool, shared by the provider, the page routes and the APIs.
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { createAdminAccounts } from './admin/admin-accounts.ts';
import { createAdvisorAccounts } from './advisors/advisor-accounts.ts';
import { createAccessLog } from './api/access-log.ts';
import type { Catalog } from './catalog/load-catalog.ts';
import { createClientService } from './clients/client-service.ts';
import type { Config } from './config.ts';
import { createConsentChanges } from './consents/consent-changes.ts';
import { createConsentService } from './consents/consent-service.ts';
import { createGrantBuilder } from './consents/grant-builder.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import type { Pool } from './db/pool.ts';
import { createAppFigures } from './developers/app-figures.ts';
import { createDeveloperAccounts } from './developers/developer-accounts.ts';
import { createDeveloperApps } from './developers/developer-apps.ts';
import { outboxMailSender } from './developers/mail-sender.ts';
import { createGuardedFetch } from './security/guarded-fetch.ts';
import { createLoginThrottle } from './security/login-throttle.ts';
import { logoutDeliveryState } from './ssf/backchannel-logout-queries.ts';
import { createDeliveryWorker } from './ssf/delivery-worker.ts';
import { listenForOutbox } from './ssf/outbox-wakeup.ts';
import { createReceiverAuth } from './ssf/receiver-auth.ts';
import { createSetSigner } from './ssf/set-signer.ts';
import { deliveryStates } from './ssf/ssf-queries.ts';
import { createStreamService } from './ssf/stream-service.ts';

export type Services = ReturnType<typeof createServices>;

export function createServices(
  config: Config,
  pool: Pool,
  catalog: Catalog,
  logger: Logger,
  /** the current provider, once built */
  provider: () => Provider,
) {
  const grants = createGrantBuilder({ provider, catalog, apiAudience: config.apiAudience });
  const box = createSecretBox(config.secrets.keysEncryptionKey);
  const throttle = createLoginThrottle(pool);
  const mail = outboxMailSender(pool, logger);
  const clients = createClientService({
    pool,
    catalog,
    box,
    production: config.production,
    secretGraceHours: config.clientSecretGraceHours,
    accessLogRetentionDays: config.accessLogRetentionDays,
  });
  return {
    box,
    clients,
    consents: createConsentService({ pool, catalog }),
    grants,
    consentChanges: createConsentChanges({
      pool,
      durationDays: async (clientId) =>
        (await clients.find(clientId))?.consent_duration_days ?? config.consentDurationDays,
      grants,
    }),
    accessLog: createAccessLog(pool, logger),
    admins: createAdminAccounts({ pool, box, totpRequired: config.adminTotpRequired }),
    advisors: createAdvisorAccounts({ pool, box, totpRequired: config.adminTotpRequired }),
    throttle,
    // Emploi Store Dev (/developpeurs): developer accounts and their apps; mail goes to the outbox table.
    developerAccounts: createDeveloperAccounts({ pool, mail, throttle, issuer: config.issuer }),
    developerApps: createDeveloperApps({ pool, catalog, clients, mail, issuer: config.issuer }),
    appFigures: createAppFigures({ pool, catalog }),
    ...securityEvents(config, pool, box, clients, logger),
  };
}

// Security events to apps (src/ssf/): signed with our keys, pushed by one worker per instance.
function securityEvents(
  config: Config,
  pool: Pool,
  box: ReturnType<typeof createSecretBox>,
  clients: ReturnType<typeof createClientService>,
  logger: Logger,
) {
  const signer = createSetSigner({
    pool,
    box,
    issuer: config.issuer,
    pairwiseSalt: config.secrets.pairwiseSalt,
    refreshMs: config.keys.pollIntervalSeconds * 1000,
  });
  const fetch = createGuardedFetch({ production: config.production });
  return {
    signer,
    /** per app, the delivery state of its stream (the admin console) */
    ssfStates: (clientId?: string) => deliveryStates(pool, clientId),
    logoutStates: (clientId: string) => logoutDeliveryState(pool, clientId),
    streams: createStreamService({ pool, box, signer, issuer: config.issuer, production: config.production }),
    receiverAuth: createReceiverAuth({ pool, clients, issuer: config.issuer, fetch }),
    delivery: createDeliveryWorker({
      pool,
      box,
      signer,
      logger,
      fetch,
      intervalMs: config.ssf.deliveryIntervalMs,
      maxBackoffSeconds: config.ssf.maxBackoffSeconds,
      listen: (wake) => listenForOutbox(pool, logger, wake),
    }),
  };
}
