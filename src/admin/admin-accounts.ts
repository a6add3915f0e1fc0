// Admin accounts: password (argon2id, as jobseekers) then a TOTP second factor (admin-second-factor.ts over ../security/totp-second-factor.ts:
// enrolment by a one-time enrolment code, per-account limits on guessing). A new admin comes with
// their first enrolment code, returned once to whoever created them. API tokens are random, shown
// once, and stored as SHA-256 hashes.
import { createHash, randomBytes } from 'node:crypto';
import { insertAudit } from '../audit/audit-queries.ts';
import type { Actor } from '../clients/client-service.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { hashPassword, verifyPassword } from '../profiles/password-hasher.ts';
import {
  type AdminRow,
  findAdminByEmail,
  findAdminById,
  insertAdmin,
  insertAdminToken,
  listAdmins,
  listAdminTokens,
  revokeAdminToken,
  useAdminToken,
} from './admin-queries.ts';
import { createAdminSecondFactor } from './admin-second-factor.ts';

const TOKEN_PREFIX = 'pecadm_';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export type CreatedAdmin = AdminRow & { enrolmentCode: string; enrolmentCodeExpiresAt: Date };

export function createAdminAccounts(deps: { pool: Pool; box: SecretBox; totpRequired: boolean }) {
  const { pool } = deps;
  const secondFactor = createAdminSecondFactor(deps);

  return {
    totpRequired: deps.totpRequired,
    ...secondFactor,

    /** A new admin and their first enrolment code (valid 24 hours), returned once. */
    async create(email: string, password: string, who: Actor): Promise<CreatedAdmin> {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        throw new AppError(400, 'invalid_request', 'adresse e-mail invalide');
      if (password.length < 12)
        throw new AppError(400, 'invalid_request', 'le mot de passe doit faire au moins 12 caractères');
      if (await findAdminByEmail(pool, email))
        throw new AppError(409, 'conflict', 'un administrateur existe déjà avec cette adresse');
      const passwordHash = await hashPassword(password);
      return withTransaction(pool, async (db) => {
        const admin = await insertAdmin(db, email, passwordHash);
        const issued = await secondFactor.issueFirstCode(db, admin.id);
        await insertAudit(db, {
          ...who,
          action: 'admin.create',
          targetType: 'admin',
          targetId: admin.id,
          after: { email, enrolment_code_expires_at: issued.expiresAt },
        });
        return { ...admin, enrolmentCode: issued.code, enrolmentCodeExpiresAt: issued.expiresAt };
      });
    },

    /** First factor. An unknown email and a wrong password answer the same, in the same time. */
    async checkPassword(email: string, password: string): Promise<AdminRow | undefined> {
      const admin = await findAdminByEmail(pool, email);
      const ok = await verifyPassword(admin?.password_hash, password);
      return ok && admin && !admin.disabled_at ? admin : undefined;
    },

    find: (id: string) => findAdminById(pool, id),
    findByEmail: (email: string) => findAdminByEmail(pool, email),
    list: () => listAdmins(pool),

    async createToken(adminId: string, name: string, expiresAt: Date | null, who: Actor) {
      if (!name.trim() || name.length > 100)
        throw new AppError(400, 'invalid_request', 'un nom (1 à 100 caractères) est requis');
      if (expiresAt && expiresAt.getTime() <= Date.now())
        throw new AppError(400, 'invalid_request', 'la date d’expiration doit être future');
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const row = await withTransaction(pool, async (db) => {
        const created = await insertAdminToken(db, {
          adminId,
          name: name.trim(),
          tokenHash: hashToken(token),
          expiresAt,
        });
        await insertAudit(db, {
          ...who,
          action: 'admin_token.create',
          targetType: 'admin_token',
          targetId: created.id,
          after: { name: created.name, expires_at: created.expires_at },
        });
        return created;
      });
      return { token, ...row };
    },

    listTokens: () => listAdminTokens(pool),

    async revokeToken(id: string, who: Actor) {
      return withTransaction(pool, async (db) => {
        const row = await revokeAdminToken(db, id);
        if (!row) throw new AppError(404, 'not_found', 'jeton introuvable');
        await insertAudit(db, {
          ...who,
          action: 'admin_token.revoke',
          targetType: 'admin_token',
          targetId: id,
          after: { name: row.name },
        });
        return row;
      });
    },

    /** The admin behind a bearer token, if the token is ours, live, and its admin enabled. */
    async authenticateToken(token: string): Promise<AdminRow | undefined> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
      return (await useAdminToken(pool, hashToken(token)))?.admin;
    },
  };
}

export type AdminAccounts = ReturnType<typeof createAdminAccounts>;
