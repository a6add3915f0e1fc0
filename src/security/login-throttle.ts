// Throttles password logins, in PostgreSQL so that it holds across instances (../SECURITY.md,
// "Sessions and login"). Each attempt is counted before the password is checked, against two keys
// in one statement: the address, and either the account (a browser we do not know) or the device (a
// browser that signed in to this account before, recognised by its signed device cookie, see
// device-cookie.ts: OWASP's "device cookies"). The device keeps its own allowance, so that whoever
// hammers an account from elsewhere cannot lock its owner out; a browser without one shares the
// account's allowance. Limits slow rather than block (a generic cell rate algorithm, see
// login-throttle-queries.ts): after a burst, one attempt per emission interval, never a lock — and
// that pace still makes guessing hopeless (10 attempts, then 40 an hour). A success clears the key
// it used and gives the address its attempt back. The answer for a throttled attempt is the same
// whether or not the account exists.
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { deviceTag, type LoginClient } from './device-cookie.ts';
import { type Bucket, clearAndRelease, nextAttemptAt, takeAttempt } from './login-throttle-queries.ts';

export interface Limit {
  /** attempts let through at once */
  burst: number;
  /** then one attempt per this many seconds */
  everySeconds: number;
}

export interface ThrottleLimits {
  /** browsers without a device cookie for the account, all together */
  account: Limit;
  /** each browser with a device cookie for the account */
  device: Limit;
  /** each address, whatever the account */
  ip: Limit;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  account: { burst: 10, everySeconds: 90 }, // 10, then 40 an hour: the old 10 per 15 minutes, spread out
  device: { burst: 10, everySeconds: 90 },
  ip: { burst: 100, everySeconds: 9 }, // 100, then 400 an hour
};

export type Realm = 'account' | 'admin' | 'advisor' | 'developer';

export class TooManyAttempts extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      429,
      'too_many_attempts',
      retryAfterSeconds > 90
        ? 'Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer.'
        : `Trop de tentatives de connexion. Patientez ${retryAfterSeconds} secondes avant de réessayer.`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A password sign-in stopped before its answer, as the sign-in pages show it: throttled (429, with
 * when to retry) or the throttle's database unavailable (503, retry in 5 s). Any other error is
 * not a refusal and is thrown again.
 */
export function refusedSignIn(err: unknown): {
  ok: false;
  status: 429 | 503;
  error: string;
  retryAfter: number;
} {
  if (err instanceof TooManyAttempts)
    return { ok: false, status: 429, error: err.message, retryAfter: err.retryAfterSeconds };
  if (err instanceof AppError && err.status === 503)
    return { ok: false, status: 503, error: err.message, retryAfter: 5 };
  throw err;
}

const bucket = (key: string, limit: Limit): Bucket => ({
  key,
  emissionSeconds: limit.everySeconds,
  toleranceSeconds: (limit.burst - 1) * limit.everySeconds,
});

export function createLoginThrottle(pool: Pool, limits: ThrottleLimits = DEFAULT_LIMITS) {
  /** The key this attempt counts against besides the address: its device's, or the account's. */
  function ownKey(realm: Realm, login: string, client: LoginClient): { key: string; limit: Limit } {
    const device = client.device;
    if (device && device.tag === deviceTag(realm, login))
      return { key: `device:${realm}:${device.id}`, limit: limits.device };
    return { key: `${realm}:${login}`, limit: limits.account };
  }

  return {
    /**
     * Counts the attempt; throws TooManyAttempts (429) when a key refuses it. `login` is the
     * normalised login (login-normalisation.ts), so look-alike spellings share one allowance.
     */
    async attempt(realm: Realm, login: string, client: LoginClient): Promise<void> {
      const own = ownKey(realm, login, client);
      const refused = await takeAttempt(pool, [
        bucket(own.key, own.limit),
        bucket(`ip:${client.ip}`, limits.ip),
      ]);
      if (refused.length) {
        const at = await nextAttemptAt(pool, refused);
        throw new TooManyAttempts(Math.max(1, Math.ceil((at.getTime() - Date.now()) / 1000)));
      }
    },

    /** A successful login clears the key it used and gives the address its attempt back. */
    async succeeded(realm: Realm, login: string, client: LoginClient): Promise<void> {
      await clearAndRelease(pool, ownKey(realm, login, client).key, `ip:${client.ip}`);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
