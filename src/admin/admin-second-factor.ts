// The admin second factor (RFC 6238 TOTP: 30 s steps, one step of clock drift either way and no
// more, each step accepted once). Enrolment is not trust-on-first-use: it takes an enrolment code
// issued by `admins create`, `admins reset-totp` or another admin in the console — 100 random bits,
// valid 24 hours, used once, stored as a SHA-256 hash. The code shows a new secret (QR code and
// text) to the session that used it, effective only after a first valid TOTP code. Every attempt
// (enrolment code, first code, sign-in code) goes through the per-account guard
// (../security/second-factor-guard.ts); every failure, lock and unlock is in the audit trail with
// who, from which address and when.
import { createHash, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { Actor } from '../clients/client-service.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { createSecondFactorGuard, LOCK_AT } from '../security/second-factor-guard.ts';
import {
  type AdminRow,
  claimEnrolmentCode,
  claimTotpStep,
  enableTotp,
  findAdminById,
  setTotpSecret,
  upsertEnrolmentCode,
} from './admin-queries.ts';
import { insertAudit } from './audit-queries.ts';

const TOTP_PURPOSE = 'admin-totp';
const PERIOD = 30; // seconds
/** RFC 6238 §5.2: at most one step of drift either way (a code is valid for 90 s at most). */
export const TOTP_WINDOW = 1;
const ENROLMENT_CODE_SECONDS = 24 * 3600; // 24 hours
// 32 letters and digits without 0/O or 1/I: each character is 5 bits, 20 characters 100 bits.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export type CodeOutcome =
  | { ok: true }
  /** checked: false when no code was even looked at (a wait is running) */
  | { ok: false; checked: boolean; waitUntil: Date | null; locked: boolean };

export type SecondFactorStep = 'code' | 'enrolment_code' | 'enrolment';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Spaces, dashes and case do not matter when an enrolment code is typed. */
const canonicalCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

function newEnrolmentCode(): string {
  const chars = [...randomBytes(20)].map((b) => ALPHABET[b & 31]).join('');
  return (chars.match(/.{4}/g) as string[]).join('-');
}

function totpFor(email: string, secret: string) {
  return new OTPAuth.TOTP({
    issuer: 'Pôle emploi Connect',
    label: email,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

async function enrolmentPage(email: string, secret: string) {
  const uri = totpFor(email, secret).toString();
  return {
    secret,
    uri,
    qrDataUrl: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
  };
}

export function createAdminSecondFactor(deps: { pool: Pool; box: SecretBox }) {
  const { pool, box } = deps;
  const guard = createSecondFactorGuard(pool);

  async function issueCode(db: Queryable, adminId: string) {
    const code = newEnrolmentCode();
    const expiresAt = await upsertEnrolmentCode(
      db,
      adminId,
      sha256(canonicalCode(code)),
      ENROLMENT_CODE_SECONDS,
    );
    return { code, expiresAt };
  }

  /** Counts the attempt, runs `check` if allowed, and audits a failure (and the lock it starts). */
  async function guarded(admin: AdminRow, ip: string, step: SecondFactorStep, check: () => Promise<boolean>) {
    const attempt = await guard.attempt(admin.id);
    if (!attempt.allowed) {
      return { ok: false, checked: false, waitUntil: attempt.waitUntil, locked: attempt.locked } as const;
    }
    if (await check()) {
      await guard.succeeded(admin.id);
      return { ok: true } as const;
    }
    const who = { actor: `admin:${admin.email}` };
    const detail = {
      email: admin.email,
      ip,
      step,
      failures: attempt.failures,
      wait_until: attempt.waitUntil,
    };
    await insertAudit(pool, {
      ...who,
      action: 'admin.second_factor.failure',
      targetType: 'admin',
      targetId: admin.id,
      after: detail,
    });
    if (attempt.lockedNow)
      await insertAudit(pool, {
        ...who,
        action: 'admin.second_factor.lock',
        targetType: 'admin',
        targetId: admin.id,
        after: detail,
      });
    return {
      ok: false,
      checked: true,
      waitUntil: attempt.waitUntil,
      locked: attempt.failures >= LOCK_AT,
    } as const;
  }

  async function validCode(admin: AdminRow, code: string): Promise<boolean> {
    if (!admin.totp_secret_sealed || !/^\d{6}$/.test(code)) return false;
    const delta = totpFor(admin.email, box.open(admin.totp_secret_sealed, TOTP_PURPOSE)).validate({
      token: code,
      window: TOTP_WINDOW,
    });
    if (delta === null) return false;
    return claimTotpStep(pool, admin.id, Math.floor(Date.now() / 1000 / PERIOD) + delta);
  }

  async function current(adminId: string) {
    const admin = await findAdminById(pool, adminId);
    if (!admin) throw new AppError(404, 'not_found', 'administrateur introuvable');
    return admin;
  }

  return {
    /** Within the transaction that creates the admin: their first enrolment code. */
    issueFirstCode: issueCode,

    /**
     * Forgets an admin's authenticator and issues a new enrolment code, shown once: they enrol again
     * at their next sign-in (`admins reset-totp`, or another admin in the console).
     */
    async resetTotp(adminId: string, who: Actor) {
      const admin = await current(adminId);
      return withTransaction(pool, async (db) => {
        await setTotpSecret(db, admin.id, null);
        const issued = await issueCode(db, admin.id);
        await insertAudit(db, {
          ...who,
          action: 'admin.totp.reset',
          targetType: 'admin',
          targetId: admin.id,
          after: { email: admin.email, enrolment_code_expires_at: issued.expiresAt },
        });
        return { ...issued, email: admin.email };
      });
    },

    /**
     * The enrolment code is right: it is used up and a new TOTP secret is stored sealed, waiting for
     * its first code. The secret is returned once, for this page only.
     */
    async startEnrolment(admin: AdminRow, enrolmentCode: string, ip: string) {
      const outcome = await guarded(admin, ip, 'enrolment_code', () =>
        claimEnrolmentCode(pool, admin.id, sha256(canonicalCode(enrolmentCode.slice(0, 100)))),
      );
      if (!outcome.ok) return { outcome };
      const secret = new OTPAuth.Secret({ size: 20 }).base32;
      await setTotpSecret(pool, admin.id, box.seal(secret, TOTP_PURPOSE));
      return { outcome, enrolment: await enrolmentPage(admin.email, secret) };
    },

    /** The QR code and text of the secret waiting for its first code (again, to the same session). */
    async pendingEnrolment(adminId: string) {
      const admin = await current(adminId);
      if (admin.totp_enabled_at || !admin.totp_secret_sealed) return undefined;
      return enrolmentPage(admin.email, box.open(admin.totp_secret_sealed, TOTP_PURPOSE));
    },

    async confirmEnrolment(adminId: string, code: string, ip: string): Promise<CodeOutcome> {
      const admin = await current(adminId);
      if (admin.totp_enabled_at || !admin.totp_secret_sealed)
        return { ok: false, checked: false, waitUntil: null, locked: false };
      const outcome = await guarded(admin, ip, 'enrolment', () => validCode(admin, code));
      if (outcome.ok) {
        await withTransaction(pool, async (db) => {
          await enableTotp(db, admin.id);
          await insertAudit(db, {
            actor: `admin:${admin.email}`,
            action: 'admin.totp.enrol',
            targetType: 'admin',
            targetId: admin.id,
            after: { email: admin.email, ip },
          });
        });
      }
      return outcome;
    },

    async verifyCode(adminId: string, code: string, ip: string): Promise<CodeOutcome> {
      const admin = await current(adminId);
      if (!admin.totp_enabled_at || admin.disabled_at)
        return { ok: false, checked: false, waitUntil: null, locked: false };
      return guarded(admin, ip, 'code', () => validCode(admin, code));
    },

    /** Another admin (never the locked one) or the CLI lifts a lock and forgets the failures. */
    async unlock(adminId: string, who: Actor & { adminId?: string }) {
      const admin = await current(adminId);
      if (who.adminId === admin.id)
        throw new AppError(403, 'forbidden', 'un autre administrateur doit lever ce verrouillage');
      const was = await guard.clear(admin.id);
      await insertAudit(pool, {
        actor: who.actor,
        requestId: who.requestId,
        action: 'admin.second_factor.unlock',
        targetType: 'admin',
        targetId: admin.id,
        before: was ? { failures: was.failures, blocked_until: was.blocked_until } : { failures: 0 },
        after: { email: admin.email, failures: 0 },
      });
      return { email: admin.email, failures: was?.failures ?? 0 };
    },

    secondFactorState: (adminId: string) => guard.state(adminId),
  };
}

export type AdminSecondFactor = ReturnType<typeof createAdminSecondFactor>;
