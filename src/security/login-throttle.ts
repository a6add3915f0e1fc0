// Throttles password logins per account and per IP address, in PostgreSQL so that it holds across
// instances (../SECURITY.md, "Sessions and login"). An attempt is counted before the password is
// checked; success clears the account's counter. The answer for a throttled attempt is the same
// whether or not the account exists. Blocks last at most one window: nobody is locked out for good.
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { clearAttempts, countAttempt, releaseAttempt } from './login-throttle-queries.ts';

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
      const [account, address] = await Promise.all([
        countAttempt(pool, accountKey(realm, login), limits.windowSeconds),
        countAttempt(pool, `ip:${ip}`, limits.windowSeconds),
      ]);
      const over = [
        account.attempts > limits.perAccount ? account.resetAt : undefined,
        address.attempts > limits.perIp ? address.resetAt : undefined,
      ].filter((d): d is Date => d !== undefined);
      if (over.length) {
        const until = Math.max(...over.map((d) => d.getTime()));
        throw new TooManyAttempts(Math.max(1, Math.ceil((until - Date.now()) / 1000)));
      }
    },

    /** A successful login clears the account's counter and gives the address its attempt back. */
    async succeeded(realm: 'account' | 'admin', login: string, ip: string): Promise<void> {
      await Promise.all([clearAttempts(pool, accountKey(realm, login)), releaseAttempt(pool, `ip:${ip}`)]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
