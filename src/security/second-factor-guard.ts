// Limits guessing of an admin's second factor (TOTP codes and enrolment codes), per admin account,
// in PostgreSQL: the same count whatever the browser session, address or instance, and a correct
// password never touches it (issue 10). Each attempt is counted before the code is checked. The
// first failures cost nothing; then each one makes the next attempt wait longer; from LOCK_AT
// failures on, the account is locked: hours of wait, doubling up to a day, during which no code is
// checked at all. Only a correct code after the wait, another admin (console or API) or the CLI
// (`admins unlock`) lifts it. At that pace, and with three codes in a million valid at any moment,
// guessing is hopeless (about 370 tries a year, a 0.1 % chance), and every failure is audited.
import type { Pool } from '../db/pool.ts';
import {
  ADMIN_TABLES,
  clearSecondFactorFailures,
  findSecondFactorState,
  type SecondFactorState,
  type SecondFactorTables,
  takeSecondFactorAttempt,
} from './second-factor-queries.ts';

/** Seconds to wait after the n-th consecutive failure (index n − 1); the last one repeats. */
export const WAITS_SECONDS = [0, 0, 30, 120, 3_600, 7_200, 14_400, 28_800, 57_600, 86_400] as const;
/** The failure that locks the account (audited as a lock, shown in the console). */
export const LOCK_AT = 5;

export type SecondFactorAttempt =
  | { allowed: true; failures: number; lockedNow: boolean; waitUntil: Date | null }
  | { allowed: false; waitUntil: Date; locked: boolean };

/** `tables`: whose accounts (admins by default, advisors too: the same rules for both). */
export function createSecondFactorGuard(pool: Pool, tables: SecondFactorTables = ADMIN_TABLES) {
  return {
    /** Takes an attempt (counted as a failure until `succeeded`), or says how long to wait. */
    async attempt(adminId: string): Promise<SecondFactorAttempt> {
      const taken = await takeSecondFactorAttempt(pool, adminId, WAITS_SECONDS, LOCK_AT, tables);
      if (taken) {
        const waiting = taken.blocked_until && taken.blocked_until > new Date();
        return {
          allowed: true,
          failures: taken.failures,
          lockedNow: taken.failures === LOCK_AT,
          waitUntil: waiting ? taken.blocked_until : null,
        };
      }
      const state = await findSecondFactorState(pool, adminId, tables);
      return {
        allowed: false,
        waitUntil: state?.blocked_until ?? new Date(),
        locked: Boolean(state?.locked_at),
      };
    },

    /** The code was right: the failures are forgotten. */
    succeeded: (adminId: string) => clearSecondFactorFailures(pool, adminId, tables).then(() => undefined),

    /** Another admin or the CLI lifts a lock (or forgets a few failures); what there was, if anything. */
    clear: (adminId: string): Promise<SecondFactorState | undefined> =>
      clearSecondFactorFailures(pool, adminId, tables),

    state: (adminId: string) => findSecondFactorState(pool, adminId, tables),
  };
}

export type SecondFactorGuard = ReturnType<typeof createSecondFactorGuard>;
