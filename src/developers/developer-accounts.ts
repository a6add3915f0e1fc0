// Developer accounts of the portal (/developpeurs): sign-up, email verification, password sign-in.
// Guarantees: passwords are argon2id hashes (the jobseekers' hasher, bounded); sign-in is throttled
// like every other login (realm 'developer', per address and per account or known device) and an
// unknown address and a wrong password answer the same in the same time (a decoy hash); an account
// signs in only once its address is verified, through a one-time link (24 h) sent by the mail sender
// whose token only a hash of is stored. Signing up with an address that already has an account
// answers exactly as a new sign-up does, and mails the owner instead: the form tells nobody which
// addresses have accounts.
import { randomBytes } from 'node:crypto';
import { insertAudit } from '../audit/audit-queries.ts';
import type { Actor } from '../clients/client-service.ts';
import { tokenHash } from '../crypto/token-hash.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { hashPassword, verifyPassword } from '../profiles/password-hasher.ts';
import type { LoginClient } from '../security/device-cookie.ts';
import { type LoginThrottle, refusedSignIn } from '../security/login-throttle.ts';
import {
  type DeveloperAccountRow,
  findDeveloperByEmail,
  findDeveloperById,
  insertDeveloper,
  insertEmailToken,
  listDevelopers,
  resetTokenUsable,
  setDeveloperDisabled,
  useEmailToken,
  useResetToken,
} from './developer-account-queries.ts';
import type { MailSender } from './mail-sender.ts';

const VERIFY_TTL_HOURS = 24;
const RESET_TTL_HOURS = 1;
export const WRONG_DEVELOPER_CREDENTIALS = 'Adresse e-mail ou mot de passe incorrect.';

export interface SignUp {
  email: string;
  password: string;
  organisationName: string;
  siret: string | null;
}

export type DeveloperLogin =
  | { ok: true; account: DeveloperAccountRow }
  | { ok: false; status: 401 | 403 | 429 | 503; error: string; retryAfter?: number };

export function createDeveloperAccounts(deps: {
  pool: Pool;
  mail: MailSender;
  throttle: LoginThrottle;
  issuer: string;
}) {
  const { pool, mail, throttle, issuer } = deps;

  async function sendVerification(
    db: import('../db/pool.ts').Queryable,
    account: { id: string; email: string },
  ) {
    const token = randomBytes(32).toString('base64url');
    await insertEmailToken(db, account.id, tokenHash(token), VERIFY_TTL_HOURS);
    await mail.send(
      {
        to: account.email,
        subject: 'Vérifiez votre adresse – Pôle emploi Connect Développeurs',
        body: [
          'Bonjour,',
          '',
          'Pour activer votre compte développeur Pôle emploi Connect, ouvrez ce lien (valable 24 heures) :',
          `${issuer}/developpeurs/verification?jeton=${token}`,
          '',
          'Si vous n’avez pas créé de compte, ignorez ce message.',
        ].join('\n'),
      },
      db,
    );
  }

  return {
    find: (id: string) => findDeveloperById(pool, id),
    findByEmail: (email: string) => findDeveloperByEmail(pool, email),

    /** Throttled like a login (per address and per email), so that the form cannot flood a mailbox. */
    async signUp(input: SignUp, client: LoginClient): Promise<void> {
      await throttle.attempt('developer', `sign-up:${input.email.trim().toLowerCase()}`, client);
      const existing = await findDeveloperByEmail(pool, input.email);
      if (existing) {
        await mail.send({
          to: existing.email,
          subject: 'Vous avez déjà un compte – Pôle emploi Connect Développeurs',
          body: [
            'Bonjour,',
            '',
            'Quelqu’un (peut-être vous) a demandé à créer un compte développeur avec cette adresse, qui en a déjà un.',
            `Connectez-vous à ${issuer}/developpeurs/connexion.`,
          ].join('\n'),
        });
        return;
      }
      const passwordHash = await hashPassword(input.password);
      try {
        await withTransaction(pool, async (db) => {
          const id = await insertDeveloper(db, { ...input, passwordHash });
          await sendVerification(db, { id, email: input.email });
        });
      } catch (err) {
        // Two sign-ups of one address at once: the second is the case above.
        if ((err as { code?: string }).code !== '23505') throw err;
      }
    },

    list: () => listDevelopers(pool),

    /** An admin disables an account (it loses the portal at its next request) or enables it again. */
    async setDisabled(id: string, disabled: boolean, who: Actor): Promise<void> {
      await withTransaction(pool, async (db) => {
        if (!(await setDeveloperDisabled(db, id, disabled)))
          throw new AppError(404, 'not_found', 'Ce compte développeur n’existe pas.');
        await insertAudit(db, {
          ...who,
          action: disabled ? 'developer.disable' : 'developer.enable',
          targetType: 'developer',
          targetId: id,
        });
      });
    },

    /**
     * « Mot de passe oublié » : a one-time link (1 h) to the address when it has an active account;
     * the same answer either way, throttled like a login.
     */
    async requestReset(email: string, client: LoginClient): Promise<void> {
      const login = email.trim().toLowerCase();
      await throttle.attempt('developer', `reset:${login}`, client);
      const account = await findDeveloperByEmail(pool, login);
      if (!account || account.disabled_at) return;
      const token = randomBytes(32).toString('base64url');
      await withTransaction(pool, async (db) => {
        await insertEmailToken(db, account.id, tokenHash(token), RESET_TTL_HOURS, 'reset');
        await mail.send(
          {
            to: account.email,
            subject: 'Choisir un nouveau mot de passe – Pôle emploi Connect Développeurs',
            body: [
              'Bonjour,',
              '',
              'Pour choisir un nouveau mot de passe, ouvrez ce lien (valable 1 heure, une seule fois) :',
              `${issuer}/developpeurs/nouveau-mot-de-passe?jeton=${token}`,
              '',
              'Si vous n’avez rien demandé, ignorez ce message : votre mot de passe ne change pas.',
            ].join('\n'),
          },
          db,
        );
      });
    },

    resetUsable: (token: string) => resetTokenUsable(pool, tokenHash(token)),

    /** The new password, if the link is still valid; every session of the account ends. */
    async resetPassword(token: string, password: string): Promise<boolean> {
      const passwordHash = await hashPassword(password);
      return Boolean(await withTransaction(pool, (db) => useResetToken(db, tokenHash(token), passwordHash)));
    },

    /** The account a verification link verifies, or undefined (unknown, already used, expired). */
    verify: (token: string) => withTransaction(pool, (db) => useEmailToken(db, tokenHash(token))),

    async authenticate(email: string, password: string, client: LoginClient): Promise<DeveloperLogin> {
      const login = email.trim().toLowerCase();
      try {
        await throttle.attempt('developer', login, client);
        const account = await findDeveloperByEmail(pool, login);
        const ok = await verifyPassword(account?.password_hash, password);
        if (!ok || !account || account.disabled_at)
          return { ok: false, status: 401, error: WRONG_DEVELOPER_CREDENTIALS };
        await throttle.succeeded('developer', login, client);
        if (!account.verified_at) {
          await sendVerification(pool, account);
          return {
            ok: false,
            status: 403,
            error:
              'Votre adresse e-mail n’est pas encore vérifiée : nous venons de vous envoyer un nouveau lien. Ouvrez-le, puis connectez-vous.',
          };
        }
        return { ok: true, account };
      } catch (err) {
        return refusedSignIn(err);
      }
    },
  };
}

export type DeveloperAccounts = ReturnType<typeof createDeveloperAccounts>;
