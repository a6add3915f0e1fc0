// The admins' review of the developer portal's apps: the queue of submitted apps, and a decision on
// one — approved (the app becomes active, through the client service's vetting), changes requested
// (a comment) or refused (a reason). Each decision is audited with the admin who made it, in the
// transaction that records it, and mailed to the team.
import { insertAudit } from '../audit/audit-queries.ts';
import type { Actor, ClientService } from '../clients/client-service.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import {
  findAppForReview,
  listAppsForReview,
  listMembers,
  lockApp,
  type ReviewState,
  setReviewState,
} from './developer-app-queries.ts';
import type { MailSender } from './mail-sender.ts';

export type Decision = 'approve' | 'request_changes' | 'refuse';

export function createAppReview(deps: {
  pool: Pool;
  clients: ClientService;
  mail: MailSender;
  issuer: string;
}) {
  const { pool, clients, mail, issuer } = deps;

  async function mailTeam(appId: string, subject: string, lines: string[]) {
    for (const member of await listMembers(pool, appId))
      await mail.send({ to: member.email, subject, body: ['Bonjour,', '', ...lines].join('\n') });
  }

  return {
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
            ...(options.vetAudience && production?.audience ? { audience_vetted: true } : {}),
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
