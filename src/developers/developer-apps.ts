// The apps of the developer portal. Guarantees:
// - A draft is a client row like any other, created and changed through the one client service, so
//   the registration rules, their vetting and the audit trail are the admin console's own. It stays
//   pending (it exists for nobody) until an admin approves it; a developer can never activate it,
//   nor vet its audience (the service refuses a developer actor that).
// - Its sandbox twin ('sandbox-…') is live at once with the same registration, its missing vetting
//   filled with sandbox defaults; it reaches sandbox personas only (migration 101's trigger, and the
//   login gate of interaction-routes.ts).
// - Every read goes through the team membership: an app id of another team is simply not found.
// - Review: submitted → approved (the app becomes active, by the admin, through the service's
//   vetting) or changes requested (a comment) or refused (a reason); each decision is audited with
//   the admin who made it and mailed to the team. Production secrets are issued after approval only,
//   shown once; any secret rotates with the configured grace.
import { randomBytes } from 'node:crypto';
import type { Catalog } from '../catalog/load-catalog.ts';
import { usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import { type EditableClient, editableValues } from '../clients/client-queries.ts';
import { clientValidationError } from '../clients/client-rules.ts';
import type { ClientService } from '../clients/client-service.ts';
import { type ClientIssue, ClientValidationError, type ClientValues } from '../clients/client-values.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import type { DeveloperAccountRow } from './developer-account-queries.ts';
import { auditDeveloperApp, developerActor } from './developer-app-audit.ts';
import {
  type DeveloperAppRow,
  findAppOfMember,
  insertDeveloperApp,
  listAppsOfMember,
  markProductionSecretIssued,
  type ReviewState,
  setReviewState,
} from './developer-app-queries.ts';
import { createAppReview } from './developer-app-review.ts';
import { createAppTeam } from './developer-app-team.ts';
import type { MailSender } from './mail-sender.ts';

export const SANDBOX_PURPOSE = 'Essai en bac à sable, avec des profils fictifs uniquement.';
const EDITABLE_STATES: ReadonlySet<ReviewState> = new Set(['draft', 'changes_requested']);

const notFound = () =>
  new AppError(404, 'not_found', 'Cette application n’existe pas, ou vous n’en faites pas partie.');

export function createDeveloperApps(deps: {
  pool: Pool;
  catalog: Catalog;
  clients: ClientService;
  mail: MailSender;
  issuer: string;
}) {
  const { pool, catalog, clients, mail, issuer } = deps;
  const dataScopes = new Set(catalog.dataScopes.map((s) => s.id));

  /** The sandbox twin's registration: the draft's, with sandbox defaults for what vetting needs. */
  function sandboxInput(input: EditableClient, dev: DeveloperAccountRow): ClientValues {
    const purposes: Record<string, string> = {};
    for (const scope of input.scopes.filter((s) => dataScopes.has(s)))
      purposes[scope] = input.purposes?.[scope] || SANDBOX_PURPOSE;
    return {
      ...input,
      name: `${input.name.trim().slice(0, 100)} (bac à sable)`,
      purposes,
      free_for_jobseekers: true,
      policy_uri: input.policy_uri || `${issuer}/developpeurs/bac-a-sable`,
      contact_email: input.contact_email || dev.email,
      status: 'active',
      audience_vetted: false,
    };
  }

  /** What the developer may set: everything but the status and the audience's vetting. */
  function ownInput(given: ClientValues, dev: DeveloperAccountRow): ClientValues {
    const { status: _status, audience_vetted: _vetted, ...rest } = given;
    return {
      ...rest,
      operator_name: rest.operator_name?.trim() || dev.organisation_name,
      operator_siret: rest.operator_siret || dev.organisation_siret,
    };
  }

  async function get(appId: string, dev: DeveloperAccountRow): Promise<DeveloperAppRow> {
    const app = await findAppOfMember(pool, appId, dev.id);
    if (!app) throw notFound();
    return app;
  }

  return {
    sandboxInput,
    get,
    list: (dev: DeveloperAccountRow) => listAppsOfMember(pool, dev.id),
    /** The production client (the draft) and its sandbox twin. */
    async clientsOf(app: DeveloperAppRow): Promise<{ production: ClientRow; sandbox: ClientRow }> {
      const [production, sandbox] = await Promise.all([
        clients.find(app.client_id),
        clients.find(app.sandbox_client_id),
      ]);
      if (!production || !sandbox) throw notFound();
      return { production, sandbox };
    },

    /**
     * What the review will check, in the rules' own words: the registration as it would be activated.
     * Empty when nothing is missing.
     */
    vettingProblems(production: ClientRow): ClientIssue[] {
      try {
        clients.rules.parse({ ...editableValues(production), status: 'active' });
        return [];
      } catch (err) {
        if (err instanceof ClientValidationError) return err.issues;
        throw err;
      }
    },

    /** A new draft and its sandbox twin, whose credentials are returned once. */
    async createDraft(dev: DeveloperAccountRow, given: ClientValues, requestId?: string) {
      const actor = developerActor(dev, requestId);
      const input = { ...ownInput(given, dev), status: 'pending' as const };
      // The sandbox's defaults never hide a problem of the draft itself: it is checked first.
      const checked = clients.rules.parse(input);
      const production = await clients.create(input, actor, 'developer');
      let sandbox: Awaited<ReturnType<ClientService['create']>>;
      try {
        sandbox = await clients.create(
          { ...sandboxInput(checked, dev), client_id: `sandbox-${randomBytes(12).toString('base64url')}` },
          actor,
          'developer-sandbox',
        );
      } catch (err) {
        await clients.remove(production.client_id, actor);
        throw err;
      }
      const id = await withTransaction(pool, (db) =>
        insertDeveloperApp(db, {
          organisationId: dev.organisation_id,
          clientId: production.client_id,
          sandboxClientId: sandbox.client_id,
          createdBy: dev.id,
        }),
      );
      await auditDeveloperApp(
        pool,
        actor,
        'developer_app.create',
        { id },
        { client_id: production.client_id, sandbox_client_id: sandbox.client_id },
      );
      return { id, production, sandbox };
    },

    /** A change of the draft (while it is a draft, or changes were requested), mirrored in the sandbox. */
    async updateDraft(
      app: DeveloperAppRow,
      dev: DeveloperAccountRow,
      patch: ClientValues,
      requestId?: string,
    ) {
      if (!EDITABLE_STATES.has(app.review_state))
        throw new AppError(
          409,
          'conflict',
          app.review_state === 'submitted'
            ? 'L’application est en cours de validation : elle ne peut pas être modifiée avant la décision.'
            : 'Cette application n’est plus un brouillon : elle ne peut plus être modifiée ici.',
        );
      const actor = developerActor(dev, requestId);
      const { status: _s, audience_vetted: _v, ...own } = patch;
      const updated = await clients.update(app.client_id, own, actor);
      await clients.update(app.sandbox_client_id, sandboxInput(updated, dev), actor);
      return updated;
    },

    /**
     * The redirect URIs of an approved app, which its team may change without a new review as long
     * as they stay on the host the admin approved (codes never leave for another host), through
     * the same rules; the sandbox twin follows.
     */
    async updateAddresses(
      app: DeveloperAppRow,
      dev: DeveloperAccountRow,
      uris: Pick<EditableClient, 'redirect_uris' | 'post_logout_redirect_uris'>,
      requestId?: string,
    ) {
      const { production } = await this.clientsOf(app);
      if (production.status !== 'active')
        throw new AppError(
          409,
          'conflict',
          'Modifiez les adresses dans la fiche tant que l’application n’est pas approuvée.',
        );
      const approvedHost = URL.canParse(production.redirect_uris[0] ?? '')
        ? new URL(production.redirect_uris[0] as string).host
        : undefined;
      const elsewhere = [...uris.redirect_uris, ...uris.post_logout_redirect_uris].filter(
        (u) => !URL.canParse(u) || new URL(u).host !== approvedHost,
      );
      if (elsewhere.length)
        throw new AppError(
          400,
          'invalid_client_metadata',
          `redirect_uris: les adresses doivent rester sur l’hôte approuvé (${approvedHost}) ; pour en changer, contactez Pôle emploi`,
        );
      const actor = developerActor(dev, requestId);
      const updated = await clients.update(app.client_id, uris, actor);
      await clients.update(app.sandbox_client_id, sandboxInput(updated, dev), actor);
      return updated;
    },

    async submit(app: DeveloperAppRow, dev: DeveloperAccountRow, requestId?: string) {
      if (!EDITABLE_STATES.has(app.review_state))
        throw new AppError(409, 'conflict', 'Cette application n’est pas un brouillon : rien à soumettre.');
      const { production } = await this.clientsOf(app);
      const problems = this.vettingProblems(production);
      if (problems.length) throw clientValidationError(problems);
      await setReviewState(pool, app.id, 'submitted', null);
      await auditDeveloperApp(
        pool,
        developerActor(dev, requestId),
        'developer_app.submit',
        app,
        { review_state: 'submitted' },
        {
          review_state: app.review_state,
        },
      );
    },

    async rotateSandboxSecret(app: DeveloperAppRow, dev: DeveloperAccountRow, requestId?: string) {
      return clients.rotateSecret(app.sandbox_client_id, developerActor(dev, requestId));
    },

    /** The production secret, after approval: a new one each time (the previous keeps its grace). */
    async issueProductionSecret(app: DeveloperAppRow, dev: DeveloperAccountRow, requestId?: string) {
      // The client's own status decides (an admin may also approve or suspend it from its page).
      const production = await clients.find(app.client_id);
      if (production?.status !== 'active')
        throw new AppError(
          409,
          'conflict',
          'Les identifiants de production sont remis une fois l’application approuvée.',
        );
      if (!usesSecret(production.token_endpoint_auth_method))
        throw new AppError(400, 'invalid_request', 'Cette application n’utilise pas de secret.');
      const secret = await clients.rotateSecret(app.client_id, developerActor(dev, requestId));
      await markProductionSecretIssued(pool, app.id);
      return secret;
    },

    ...createAppTeam({ pool, mail, issuer }),
    ...createAppReview({ pool, clients, mail, issuer }),
  };
}

export type DeveloperApps = ReturnType<typeof createDeveloperApps>;
