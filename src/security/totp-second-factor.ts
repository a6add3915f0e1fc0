// The second factor of admins and advisors (RFC 6238 TOTP: 30 s steps, one step of clock drift either way and no
// more, each step accepted once). Enrolment is not trust-on-first-use: it takes an enrolment code
// issued by `admins create`/`advisors create`, `… reset-totp` or an admin in the console — 100 random bits,
// valid 24 hours, used once, stored as a SHA-256 hash. The code shows a new secret (QR code and
// text) to the session that used it, effective only after a first valid TOTP code. Every attempt
// (enrolment code, first code, sign-in code) goes through the per-account guard
// (./second-factor-guard.ts), counted per account; every failure, lock and unlock is in the audit trail with
// who, from which address and when.
import { createHash, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { insertAudit } from '../audit/audit-queries.ts';
import type { Actor } from '../clients/client-service.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { createSecondFactorGuard, LOCK_AT } from './second-factor-guard.ts';
import {
  claimEnrolmentCode,
  claimTotpStep,
  enableTotp,
  findSecondFactorAccount,
  type SecondFactorAccount,
  type SecondFactorTables,
  setTotpSecret,
  upsertEnrolmentCode,
} from './second-factor-queries.ts';

/** Which accounts: their tables, the word of their audit entries, the sealing purpose, the 404 text. */
export interface SecondFactorKind {
  tables: SecondFactorTables;
  /** `admin` or `advisor`: audit actions `<word>.second_factor.failure`, actors `<word>:<email>` */
  word: 'admin' | 'advisor';
  totpPurpose: string;
  notFound: string;
}
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

export function createTotpSecondFactor<Account extends SecondFactorAccount>(deps: {
  pool: Pool;
  box: SecretBox;
  kind: SecondFactorKind;
}) {
  const { pool, box, kind } = deps;
  const { tables: t, word } = deps.kind;
  const TOTP_PURPOSE = kind.totpPurpose;
  const guard = createSecondFactorGuard(pool, t);

  async function issueCode(db: Queryable, accountId: string) {
    const code = newEnrolmentCode();
    const expiresAt = await upsertEnrolmentCode(
      db,
      t,
      accountId,
      sha256(canonicalCode(code)),
      ENROLMENT_CODE_SECONDS,
    );
    return { code, expiresAt };
  }

  /** Counts the attempt, runs `check` if allowed, and audits a failure (and the lock it starts). */
  async function guarded(
    account: Account,
    ip: string,
    step: SecondFactorStep,
    check: () => Promise<boolean>,
  ) {
    const attempt = await guard.attempt(account.id);
    if (!attempt.allowed) {
      return { ok: false, checked: false, waitUntil: attempt.waitUntil, locked: attempt.locked } as const;
    }
    if (await check()) {
      await guard.succeeded(account.id);
      return { ok: true } as const;
    }
    const who = { actor: `${word}:${account.email}` };
    const detail = {
      email: account.email,
      ip,
      step,
      failures: attempt.failures,
      wait_until: attempt.waitUntil,
    };
    await insertAudit(pool, {
      ...who,
      action: `${word}.second_factor.failure`,
      targetType: word,
      targetId: account.id,
      after: detail,
    });
    if (attempt.lockedNow)
      await insertAudit(pool, {
        ...who,
        action: `${word}.second_factor.lock`,
        targetType: word,
        targetId: account.id,
        after: detail,
      });
    return {
      ok: false,
      checked: true,
      waitUntil: attempt.waitUntil,
      locked: attempt.failures >= LOCK_AT,
    } as const;
  }

  async function validCode(account: Account, code: string): Promise<boolean> {
    if (!account.totp_secret_sealed || !/^\d{6}$/.test(code)) return false;
    const delta = totpFor(account.email, box.open(account.totp_secret_sealed, TOTP_PURPOSE)).validate({
      token: code,
      window: TOTP_WINDOW,
    });
    if (delta === null) return false;
    return claimTotpStep(pool, t, account.id, Math.floor(Date.now() / 1000 / PERIOD) + delta);
  }

  async function current(accountId: string) {
    const account = await findSecondFactorAccount<Account>(pool, t, accountId);
    if (!account) throw new AppError(404, 'not_found', kind.notFound);
    return account;
  }

  return {
    /** Within the transaction that creates the account: their first enrolment code. */
    issueFirstCode: issueCode,

    /**
     * Forgets an account’s authenticator and issues a new enrolment code, shown once: they enrol again
     * at their next sign-in (`admins|advisors reset-totp`, or an admin in the console).
     */
    async resetTotp(accountId: string, who: Actor) {
      const account = await current(accountId);
      return withTransaction(pool, async (db) => {
        await setTotpSecret(db, t, account.id, null);
        const issued = await issueCode(db, account.id);
        await insertAudit(db, {
          ...who,
          action: `${word}.totp.reset`,
          targetType: word,
          targetId: account.id,
          after: { email: account.email, enrolment_code_expires_at: issued.expiresAt },
        });
        return { ...issued, email: account.email };
      });
    },

    /**
     * The enrolment code is right: it is used up and a new TOTP secret is stored sealed, waiting for
     * its first code. The secret is returned once, for this page only.
     */
    async startEnrolment(account: Account, enrolmentCode: string, ip: string) {
      const outcome = await guarded(account, ip, 'enrolment_code', () =>
        claimEnrolmentCode(pool, t, account.id, sha256(canonicalCode(enrolmentCode.slice(0, 100)))),
      );
      if (!outcome.ok) return { outcome };
      const secret = new OTPAuth.Secret({ size: 20 }).base32;
      await setTotpSecret(pool, t, account.id, box.seal(secret, TOTP_PURPOSE));
      return { outcome, enrolment: await enrolmentPage(account.email, secret) };
    },

    /** The QR code and text of the secret waiting for its first code (again, to the same session). */
    async pendingEnrolment(accountId: string) {
      const account = await current(accountId);
      if (account.totp_enabled_at || !account.totp_secret_sealed) return undefined;
      return enrolmentPage(account.email, box.open(account.totp_secret_sealed, TOTP_PURPOSE));
    },

    async confirmEnrolment(accountId: string, code: string, ip: string): Promise<CodeOutcome> {
      const account = await current(accountId);
      if (account.totp_enabled_at || !account.totp_secret_sealed)
        return { ok: false, checked: false, waitUntil: null, locked: false };
      const outcome = await guarded(account, ip, 'enrolment', () => validCode(account, code));
      if (outcome.ok) {
        await withTransaction(pool, async (db) => {
          await enableTotp(db, t, account.id);
          await insertAudit(db, {
            actor: `${word}:${account.email}`,
            action: `${word}.totp.enrol`,
            targetType: word,
            targetId: account.id,
            after: { email: account.email, ip },
          });
        });
      }
      return outcome;
    },

    async verifyCode(accountId: string, code: string, ip: string): Promise<CodeOutcome> {
      const account = await current(accountId);
      if (!account.totp_enabled_at || account.disabled_at)
        return { ok: false, checked: false, waitUntil: null, locked: false };
      return guarded(account, ip, 'code', () => validCode(account, code));
    },

    /** An admin (never the locked account itself) or the CLI lifts a lock and forgets the failures. */
    async unlock(accountId: string, who: Actor & { adminId?: string }) {
      const account = await current(accountId);
      if (who.adminId === account.id)
        throw new AppError(403, 'forbidden', 'un autre administrateur doit lever ce verrouillage');
      const was = await guard.clear(account.id);
      await insertAudit(pool, {
        actor: who.actor,
        requestId: who.requestId,
        action: `${word}.second_factor.unlock`,
        targetType: word,
        targetId: account.id,
        before: was ? { failures: was.failures, blocked_until: was.blocked_until } : { failures: 0 },
        after: { email: account.email, failures: 0 },
      });
      return { email: account.email, failures: was?.failures ?? 0 };
    },

    secondFactorState: (accountId: string) => guard.state(accountId),
  };
}

export type TotpSecondFactor = ReturnType<typeof createTotpSecondFactor>;
