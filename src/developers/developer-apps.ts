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
import { insertAudit } from '../audit/audit-queries.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import { type EditableClient, editableValues } from '../clients/client-queries.ts';
import { clientValidationError } from '../clients/client-rules.ts';
import type { Actor, ClientService } from '../clients/client-service.ts';
import {
  type AnyClientValues,
  type ClientIssue,
  ClientValidationError,
  type ClientValues,
  rowNames,
} from '../clients/client-values.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import type { DeveloperAccountRow } from './developer-account-queries.ts';
import { findDeveloperByEmail } from './developer-account-queries.ts';
import {
  addMember,
  type DeveloperAppRow,
  findAppForReview,
  findAppOfMember,
  insertDeveloperApp,
  listAppsForReview,
  listAppsOfMember,
  listMembers,
  lockApp,
  markProductionSecretIssued,
  type ReviewState,
  removeMember,
  setReviewState,
} from './developer-app-queries.ts';
import type { MailSender } from './mail-sender.ts';

export const SANDBOX_PURPOSE = 'Essai en bac à sable, avec des profils fictifs uniquement.';
const EDITABLE_STATES: ReadonlySet<ReviewState> = new Set(['draft', 'changes_requested']);

export type Decision = 'approve' | 'request_changes' | 'refuse';

const developerActor = (dev: DeveloperAccountRow, requestId?: string): Actor => ({
  actor: `developer:${dev.email}`,
  requestId,
});

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
  function ownInput(given: AnyClientValues, dev: DeveloperAccountRow): ClientValues {
    const { status: _status, audience_vetted: _vetted, ...rest } = rowNames(given);
    return {
      ...rest,
      operator_name: rest.operator_name?.trim() || dev.organisation_name,
      operator_siret: rest.operator_siret || dev.organisation_siret,
    };
  }

  async function audit(actor: Actor, action: string, app: { id: string }, after?: unknown, before?: unknown) {
    await insertAudit(pool, {
      ...actor,
      action,
      targetType: 'developer_app',
      targetId: app.id,
      before,
      after,
    });
  }

  async function mailTeam(appId: string, subject: string, lines: string[]) {
    for (const member of await listMembers(pool, appId))
      await mail.send({ to: member.email, subject, body: ['Bonjour,', '', ...lines].join('\n') });
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
    members: (app: DeveloperAppRow) => listMembers(pool, app.id),
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
    async createDraft(dev: DeveloperAccountRow, given: AnyClientValues, requestId?: string) {
      const actor = developerActor(dev, requestId);
      const input = { ...ownInput(given, dev), status: 'pending' as const };
      // The sandbox's defaults never hide a problem of the draft itself: it is checked first.
      const checked = clients.rules.parse(input);
      const production = await clients.create(input, actor, 'developer');
      let sandbox: Awaited<ReturnType<ClientService['create']>>;
      try {
        sandbox = await clients.create(
          { ...sandboxInput(checked, dev), clientId: `sandbox-${randomBytes(12).toString('base64url')}` },
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
      await audit(
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
      patch: AnyClientValues,
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
      const { status: _s, audience_vetted: _v, ...own } = rowNames(patch);
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
      uris: { redirectUris: string[]; postLogoutRedirectUris: string[] },
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
      const elsewhere = [...uris.redirectUris, ...uris.postLogoutRedirectUris].filter(
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
      await audit(
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

    /** Adds a verified developer account to the app's team. */
    async invite(app: DeveloperAppRow, dev: DeveloperAccountRow, email: string, requestId?: string) {
      const invited = await findDeveloperByEmail(pool, email.trim());
      if (!invited?.verified_at || invited.disabled_at)
        throw new AppError(
          400,
          'invalid_request',
          'Aucun compte développeur vérifié n’a cette adresse : la personne doit d’abord créer son compte.',
        );
      if (await addMember(pool, app.id, invited.id)) {
        await audit(developerActor(dev, requestId), 'developer_app.member.add', app, {
          email: invited.email,
        });
        await mail.send({
          to: invited.email,
          subject: `Vous faites partie de l’équipe de « ${app.name} »`,
          body: `Bonjour,\n\n${dev.email} vous a ajouté à l’équipe de l’application « ${app.name} ».\n${issuer}/developpeurs/applications/${app.id}`,
        });
      }
    },

    /** Takes a member off the team (never its creator); the id comes from the team's own list. */
    async removeMember(
      app: DeveloperAppRow,
      dev: DeveloperAccountRow,
      accountId: string,
      requestId?: string,
    ) {
      const member = (await listMembers(pool, app.id)).find((m) => m.account_id === accountId);
      if (!member || member.role === 'owner')
        throw new AppError(400, 'invalid_request', 'Cette personne ne peut pas être retirée de l’équipe.');
      await removeMember(pool, app.id, accountId);
      await audit(developerActor(dev, requestId), 'developer_app.member.remove', app, undefined, {
        email: member.email,
      });
    },

    reviewQueue: () => listAppsForReview(pool),
    findForReview: (appId: string) => findAppForReview(pool, appId),

    /** An admin's decision on a submitted app. Approval activates it through the service's vetting. */
    async decide(
      appId: string,
      admin: Actor,
      decision: Decision,
      comment: string,
      options: { vetAudience?: boolean } = {},
    ): Promise<void> {
      const app = await findAppForReview(pool, appId);
      if (!app) throw new AppError(404, 'not_found', 'Cette demande n’existe pas.');
      if (app.review_state !== 'submitted')
        throw new AppError(409, 'conflict', 'Cette demande n’attend pas de décision.');
      const text = comment.trim();
      if (decision !== 'approve' && !text)
        throw new AppError(
          400,
          'invalid_request',
          decision === 'refuse' ? 'Indiquez la raison du refus.' : 'Indiquez les modifications attendues.',
        );
      if (decision === 'approve') {
        const production = await clients.find(app.client_id);
        await clients.update(
          app.client_id,
          {
            status: 'active',
            ...(options.vetAudience && production?.audience ? { audienceVetted: true } : {}),
          },
          admin,
        );
      }
      const state: ReviewState =
        decision === 'approve' ? 'approved' : decision === 'refuse' ? 'refused' : 'changes_requested';
      await withTransaction(pool, async (db) => {
        const locked = await lockApp(db, app.id);
        if (locked?.review_state !== 'submitted')
          throw new AppError(409, 'conflict', 'Cette demande n’attend plus de décision.');
        await setReviewState(db, app.id, state, text || null);
        await insertAudit(db, {
          ...admin,
          action: `developer_app.${decision}`,
          targetType: 'developer_app',
          targetId: app.id,
          before: { review_state: 'submitted' },
          after: { review_state: state, comment: text || null, client_id: app.client_id },
        });
      });
      const link = `${issuer}/developpeurs/applications/${app.id}`;
      const lines =
        decision === 'approve'
          ? [`L’application « ${app.name} » est approuvée.`, 'Obtenez vos identifiants de production :', link]
          : decision === 'refuse'
            ? [`L’application « ${app.name} » est refusée, pour cette raison :`, text, link]
            : [`Des modifications sont demandées pour « ${app.name} » :`, text, link];
      await mailTeam(app.id, `Décision sur « ${app.name} »`, lines);
    },
  };
}

export type DeveloperApps = ReturnType<typeof createDeveloperApps>;
