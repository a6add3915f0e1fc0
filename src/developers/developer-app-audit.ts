// Who a developer's change to an app is audited as, and the audit row of a change to an app.
import { insertAudit } from '../audit/audit-queries.ts';
import type { Actor } from '../clients/client-service.ts';
import type { Pool } from '../db/pool.ts';
import type { DeveloperAccountRow } from './developer-account-queries.ts';

export const developerActor = (dev: DeveloperAccountRow, requestId?: string): Actor => ({
  actor: `developer:${dev.email}`,
  requestId,
});

export async function auditDeveloperApp(
  pool: Pool,
  actor: Actor,
  action: string,
  app: { id: string },
  after?: unknown,
  before?: unknown,
): Promise<void> {
  await insertAudit(pool, { ...actor, action, targetType: 'developer_app', targetId: app.id, before, after });
}
