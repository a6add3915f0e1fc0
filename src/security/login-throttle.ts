// Throttles password logins per account and per IP address, in PostgreSQL so that it holds across
// instances (../SECURITY.md, "Sessions and login"). An attempt is counted before the password is
// checked, against both keys in one statement; success clears the account's counter and gives the
// address its attempt back, in one statement too. The answer for a throttled attempt is the same
// whether or not the account exists. Blocks last at most one window: nobody is locked out for good.
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { clearAndRelease, countAttempts } from './login-throttle-queries.ts';

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perAccount: 10, perIp: 100, windowSeconds: 15 * 60 };

export class TooManyAttempts extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      429,
      'too_many_attempts',
      'Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer.',
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function createLoginThrottle(pool: Pool, limits: ThrottleLimits = DEFAULT_LIMITS) {
  const accountKey = (realm: string, login: string) => `${realm}:${login.trim().toLowerCase()}`;

  return {
    /** Counts the attempt; throws TooManyAttempts (429) when either limit is passed. */
    async attempt(realm: 'account' | 'admin', login: string, ip: string): Promise<void> {
      const account = accountKey(realm, login);
      const counts = await countAttempts(pool, [account, `ip:${ip}`], limits.windowSeconds);
      const over = counts
        .filter((c) => c.attempts > (c.key === account ? limits.perAccount : limits.perIp))
        .map((c) => c.resetAt.getTime());
      if (over.length) {
        const until = Math.max(...over);
        throw new TooManyAttempts(Math.max(1, Math.ceil((until - Date.now()) / 1000)));
      }
    },

    /** A successful login clears the account's counter and gives the address its attempt back. */
    async succeeded(realm: 'account' | 'admin', login: string, ip: string): Promise<void> {
      await clearAndRelease(pool, accountKey(realm, login), `ip:${ip}`);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
