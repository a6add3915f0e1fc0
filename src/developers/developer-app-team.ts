// An app's team in the developer portal: its members, adding a verified developer account, taking a
// member off (never the creator). Each change is audited and the person added is told by mail.
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { type DeveloperAccountRow, findDeveloperByEmail } from './developer-account-queries.ts';
import { auditDeveloperApp, developerActor } from './developer-app-audit.ts';
import { addMember, type DeveloperAppRow, listMembers, removeMember } from './developer-app-queries.ts';
import type { MailSender } from './mail-sender.ts';

export function createAppTeam(deps: { pool: Pool; mail: MailSender; issuer: string }) {
  const { pool, mail, issuer } = deps;
  return {
    members: (app: DeveloperAppRow) => listMembers(pool, app.id),

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
        await auditDeveloperApp(pool, developerActor(dev, requestId), 'developer_app.member.add', app, {
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
      await auditDeveloperApp(
        pool,
        developerActor(dev, requestId),
        'developer_app.member.remove',
        app,
        undefined,
        {
          email: member.email,
        },
      );
    },
  };
}
