// Admin accounts: password (argon2id, as jobseekers) then a TOTP second factor (RFC 6238, 30 s steps,
// one step of clock drift either way, each step accepted once). Enrolment shows the secret once, as a
// QR code and as text, and takes effect only after a first valid code. API tokens are random,
// shown once, and stored as SHA-256 hashes.
import { createHash, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { Actor } from '../clients/client-service.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { hashPassword, verifyPassword } from '../profiles/password-hasher.ts';
import {
  type AdminRow,
  claimTotpStep,
  enableTotp,
  findAdminByEmail,
  findAdminById,
  insertAdmin,
  insertAdminToken,
  listAdminTokens,
  revokeAdminToken,
  setTotpSecret,
  useAdminToken,
} from './admin-queries.ts';
import { insertAudit } from './audit-queries.ts';

const TOTP_PURPOSE = 'admin-totp';
const TOKEN_PREFIX = 'pecadm_';
const PERIOD = 30;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function totpFor(admin: AdminRow, secret: string) {
  return new OTPAuth.TOTP({
    issuer: 'Pôle emploi Connect',
    label: admin.email,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export function createAdminAccounts(deps: { pool: Pool; box: SecretBox; totpRequired: boolean }) {
  const { pool, box } = deps;

  async function checkCode(admin: AdminRow, code: string): Promise<boolean> {
    if (!admin.totp_secret_sealed || !/^\d{6}$/.test(code)) return false;
    const delta = totpFor(admin, box.open(admin.totp_secret_sealed, TOTP_PURPOSE)).validate({
      token: code,
      window: 1,
    });
    if (delta === null) return false;
    const step = Math.floor(Date.now() / 1000 / PERIOD) + delta;
    return claimTotpStep(pool, admin.id, step);
  }

  return {
    totpRequired: deps.totpRequired,

    async create(email: string, password: string, who: Actor): Promise<AdminRow> {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        throw new AppError(400, 'invalid_request', 'adresse e-mail invalide');
      if (password.length < 12)
        throw new AppError(400, 'invalid_request', 'le mot de passe doit faire au moins 12 caractères');
      if (await findAdminByEmail(pool, email))
        throw new AppError(409, 'conflict', 'un administrateur existe déjà avec cette adresse');
      const passwordHash = await hashPassword(password);
      return withTransaction(pool, async (db) => {
        const admin = await insertAdmin(db, email, passwordHash);
        await insertAudit(db, {
          ...who,
          action: 'admin.create',
          targetType: 'admin',
          targetId: admin.id,
          after: { email },
        });
        return admin;
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

    /** A new TOTP secret for enrolment, returned once (text and QR code as a data URL). */
    async startEnrolment(admin: AdminRow): Promise<{ secret: string; uri: string; qrDataUrl: string }> {
      const secret = new OTPAuth.Secret({ size: 20 }).base32;
      await setTotpSecret(pool, admin.id, box.seal(secret, TOTP_PURPOSE));
      const uri = totpFor(admin, secret).toString();
      return {
        secret,
        uri,
        qrDataUrl: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
      };
    },

    async confirmEnrolment(adminId: string, code: string): Promise<boolean> {
      const admin = await findAdminById(pool, adminId);
      if (!admin || !(await checkCode(admin, code))) return false;
      await enableTotp(pool, admin.id);
      return true;
    },

    async verifyCode(adminId: string, code: string): Promise<boolean> {
      const admin = await findAdminById(pool, adminId);
      return Boolean(admin?.totp_enabled_at && !admin.disabled_at && (await checkCode(admin, code)));
    },

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
