// Advisor accounts (conseillers): created by admins only (console, admin API, CLI), each with an
// agency; password (argon2id) then the very TOTP second factor admins have — the same rules and
// per-account failure counting (../security/totp-second-factor.ts), over the advisor tables, audited
// as `advisor.*` in the admin audit log. A new advisor comes with a first enrolment code, returned
// once to the admin who created them.

import { insertAudit } from '../audit/audit-queries.ts';
import type { Actor } from '../clients/client-service.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { hashPassword, verifyPassword } from '../profiles/password-hasher.ts';
import { ADVISOR_TABLES } from '../security/second-factor-queries.ts';
import { createTotpSecondFactor } from '../security/totp-second-factor.ts';
import {
  type AdvisorRow,
  findAdvisorByEmail,
  findAdvisorById,
  findAdvisorView,
  insertAdvisor,
  listAdvisors,
  updateAdvisor,
} from './advisor-queries.ts';

export interface NewAdvisor {
  email: string;
  displayName: string;
  agency: string;
  password: string;
}

export function createAdvisorAccounts(deps: { pool: Pool; box: SecretBox; totpRequired: boolean }) {
  const { pool } = deps;
  const secondFactor = createTotpSecondFactor<AdvisorRow>({
    ...deps,
    kind: {
      tables: ADVISOR_TABLES,
      word: 'advisor',
      totpPurpose: 'advisor-totp',
      notFound: 'conseiller introuvable',
    },
  });

  return {
    totpRequired: deps.totpRequired,
    ...secondFactor,

    /** A new advisor and their first enrolment code (valid 24 hours), returned once. */
    async create(input: NewAdvisor, who: Actor) {
      // Control characters (a NUL, which PostgreSQL refuses in text) are refused, never stored.
      if (/\p{Cc}/u.test(`${input.email}${input.displayName}${input.agency}`))
        throw new AppError(
          400,
          'invalid_request',
          'caractère de contrôle refusé dans l’adresse, le nom ou l’agence',
        );
      const email = input.email.trim().toLowerCase();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
        throw new AppError(400, 'invalid_request', 'adresse e-mail invalide');
      const displayName = input.displayName.trim();
      const agency = input.agency.trim();
      if (!displayName || displayName.length > 100)
        throw new AppError(400, 'invalid_request', 'un nom (1 à 100 caractères) est requis');
      if (!agency || agency.length > 100)
        throw new AppError(400, 'invalid_request', 'une agence (1 à 100 caractères) est requise');
      if (input.password.length < 12 || input.password.length > 1024)
        throw new AppError(400, 'invalid_request', 'le mot de passe doit faire au moins 12 caractères');
      if (await findAdvisorByEmail(pool, email))
        throw new AppError(409, 'conflict', 'un conseiller existe déjà avec cette adresse');
      const passwordHash = await hashPassword(input.password);
      return withTransaction(pool, async (db) => {
        const advisor = await insertAdvisor(db, { email, displayName, agency, passwordHash });
        const issued = await secondFactor.issueFirstCode(db, advisor.id);
        await insertAudit(db, {
          ...who,
          action: 'advisor.create',
          targetType: 'advisor',
          targetId: advisor.id,
          after: { email, display_name: displayName, agency, enrolment_code_expires_at: issued.expiresAt },
        });
        const view = await findAdvisorView(db, advisor.id);
        return {
          advisor: view as NonNullable<typeof view>,
          enrolmentCode: issued.code,
          expiresAt: issued.expiresAt,
        };
      });
    },

    /** Name, agency, or disabled (a disabled advisor loses the workspace at the next request). */
    async update(
      id: string,
      change: { displayName?: string; agency?: string; disabled?: boolean },
      who: Actor,
    ) {
      if (/\p{Cc}/u.test(`${change.displayName ?? ''}${change.agency ?? ''}`))
        throw new AppError(400, 'invalid_request', 'caractère de contrôle refusé dans le nom ou l’agence');
      return withTransaction(pool, async (db) => {
        const before = await findAdvisorView(db, id);
        if (!before) throw new AppError(404, 'not_found', 'conseiller introuvable');
        await updateAdvisor(db, id, {
          displayName: change.displayName?.trim() || undefined,
          agency: change.agency?.trim() || undefined,
          disabled: change.disabled,
        });
        const after = (await findAdvisorView(db, id)) as NonNullable<typeof before>;
        await insertAudit(db, {
          ...who,
          action: 'advisor.update',
          targetType: 'advisor',
          targetId: id,
          before: {
            display_name: before.display_name,
            agency: before.agency,
            disabled_at: before.disabled_at,
          },
          after: { display_name: after.display_name, agency: after.agency, disabled_at: after.disabled_at },
        });
        return after;
      });
    },

    /** First factor. An unknown email and a wrong password answer the same, in the same time. */
    async checkPassword(email: string, password: string): Promise<AdvisorRow | undefined> {
      const advisor = /\p{Cc}/u.test(email) ? undefined : await findAdvisorByEmail(pool, email);
      const ok = await verifyPassword(advisor?.password_hash, password);
      return ok && advisor && !advisor.disabled_at ? advisor : undefined;
    },

    find: (id: string) => findAdvisorById(pool, id),
    findByEmail: (email: string) => findAdvisorByEmail(pool, email),
    view: (id: string) => findAdvisorView(pool, id),
    list: () => listAdvisors(pool),
  };
}

export type AdvisorAccounts = ReturnType<typeof createAdvisorAccounts>;
