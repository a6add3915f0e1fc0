// What the login and consent pages need, and what their answers do.
import type Provider from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { Config } from '../config.ts';
import { requestedFields, SUBJECT_FIELD } from '../consents/consent-fields.ts';
import { createConsentGrant } from '../consents/consent-grant.ts';
import type { ConsentService } from '../consents/consent-service.ts';
import type { GrantBuilder } from '../consents/grant-builder.ts';
import type { Pool } from '../db/pool.ts';
import { isSandboxBarrier, sandboxRefusal } from '../developers/sandbox-gate.ts';
import { AppError, pageError } from '../http/app-error.ts';
import { unavailableAppPage } from '../http/error-pages.ts';
import { findJobseekerByLogin } from '../profiles/jobseeker-queries.ts';
import { normaliseLogin } from '../profiles/login-normalisation.ts';
import { verifyPassword } from '../profiles/password-hasher.ts';
import type { LoginClient } from '../security/device-cookie.ts';
import { type LoginThrottle, refusedSignIn } from '../security/login-throttle.ts';
import { consentPageModel } from './consent-page-model.ts';
import { findConsentPageData } from './consent-page-queries.ts';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export const WRONG_CREDENTIALS = 'Identifiant ou mot de passe incorrect.';

export type LoginOutcome =
  | { ok: true; id: string; login: string; sandbox: boolean }
  | { ok: false; status: 401 | 429 | 503; error: string; retryAfter?: number };

export function createInteractionService(deps: {
  config: Config;
  pool: Pool;
  catalog: Catalog;
  clients: ClientService;
  consents: ConsentService;
  grants: GrantBuilder;
  throttle: LoginThrottle;
}) {
  const { config, pool, catalog, clients, throttle } = deps;
  const consentGrant = createConsentGrant(deps);

  async function clientOf(interaction: Interaction) {
    const client = await clients.find(String(interaction.params.client_id));
    // Suspended (or gone) during the flow: a page that names the app and says what to do.
    if (client?.status !== 'active') throw pageError(400, 'invalid_client', unavailableAppPage(client));
    return client;
  }

  const durationOf = (client: { consent_duration_days: number | null }) =>
    client.consent_duration_days ?? config.consentDurationDays;

  return {
    /** The app of an interaction cookie, for the page of an interaction that is gone. */
    appOf: (clientId: string) => clients.find(clientId),

    async loginPage(interaction: Interaction) {
      const client = await clientOf(interaction);
      return { title: 'Connexion', clientName: client.name, login: '', error: undefined };
    },

    // An unknown login and a wrong password give the same answer in the same time (a decoy hash).
    // The login is normalised first (a look-alike spelling is the same login, one with invisible
    // characters is nobody's). Throttled per login (or known device) and per address before any
    // password is checked; a hashing overload answers 503 at once. The outcome carries the status
    // and message the login pages show, and the normalised login (for the device cookie).
    async authenticate(typed: string, password: string, client: LoginClient): Promise<LoginOutcome> {
      const normalised = normaliseLogin(typed);
      const login = normalised.ok ? normalised.login : typed.trim().toLowerCase();
      try {
        await throttle.attempt('account', login, client);
        const jobseeker = normalised.ok ? await findJobseekerByLogin(pool, login) : undefined;
        const ok = await verifyPassword(jobseeker?.password_hash, password);
        if (!ok || !jobseeker || jobseeker.disabled_at)
          return { ok: false, status: 401, error: WRONG_CREDENTIALS };
        await throttle.succeeded('account', login, client);
        return { ok: true, id: jobseeker.id, login, sandbox: jobseeker.sandbox };
      } catch (err) {
        return refusedSignIn(err);
      }
    },

    /** Why this account may not use this app (the sandbox gate, src/developers/sandbox-gate.ts). */
    async sandboxRefusal(interaction: Interaction, persona: boolean): Promise<string | undefined> {
      return sandboxRefusal(await clientOf(interaction), persona);
    },

    async consentPage(interaction: Interaction) {
      const [client, page] = await Promise.all([
        clientOf(interaction),
        findConsentPageData(
          pool,
          String(interaction.session?.accountId),
          String(interaction.params.client_id),
        ),
      ]);
      if (!page)
        throw new AppError(
          400,
          'session_not_found',
          'Votre session a expiré ; recommencez depuis l’application.',
        );
      // The sandbox gate, with the flag the page's own query read.
      const refusal = sandboxRefusal(client, page.sandbox);
      if (refusal) throw new AppError(403, 'access_denied', refusal);
      const scope = String(interaction.params.scope ?? '');
      return {
        title: `Autoriser ${client.name}`,
        ...consentPageModel({
          catalog,
          client,
          scope,
          live: page.live_fields ? { fields: page.live_fields } : undefined,
          claims: page.claims,
          data: page.data,
          durationDays: durationOf(client),
          offlineAccess:
            scope.split(' ').includes('offline_access') && client.scopes.includes('offline_access'),
        }),
      };
    },

    async grant(interaction: Interaction, ticked: string[], requestId?: string): Promise<string> {
      const client = await clientOf(interaction);
      const accountId = String(interaction.session?.accountId);
      const scope = String(interaction.params.scope ?? '');
      const shown = requestedFields(catalog, scope, client.scopes);
      // The pairwise identifier is always shared with openid: it is how the app recognises the person.
      // The sandbox gate is the consent row's own trigger here (consents_same_world): a first consent
      // across the two worlds is refused by the insert, and a consent row that exists was let in by
      // it. No statement of its own; its refusal becomes the gate's page.
      return consentGrant
        .decide({
          jobseekerId: accountId,
          clientId: client.id,
          requested: shown,
          ticked: [...ticked, SUBJECT_FIELD],
          purposes: client.purposes,
          durationDays: durationOf(client),
          interactionUid: interaction.uid,
          requestId,
          grantId: interaction.grantId,
          offlineAccess:
            scope.split(' ').includes('offline_access') && client.scopes.includes('offline_access'),
        })
        .catch((err: unknown) => {
          if (!isSandboxBarrier(err)) throw err;
          throw new AppError(403, 'access_denied', sandboxRefusal(client, !client.sandbox) as string);
        });
    },
  };
}

export type InteractionService = ReturnType<typeof createInteractionService>;
