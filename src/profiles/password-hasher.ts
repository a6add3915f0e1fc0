// argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1): about 10 ms a hash on this kind of
// machine, against about 370 ms for scrypt at equivalent strength.
// Hashing is bounded: at most HASH_CONCURRENCY at once (libuv's thread pool is shared with jose's
// crypto and DNS), and at most HASH_QUEUE waiting. Beyond that a login is answered 503 at once, so a
// flood of logins cannot starve token and API traffic (../SECURITY.md, "Faults").
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { AppError } from '../http/app-error.ts';

// `Algorithm` is a const enum in the typings, which type stripping cannot inline: 2 is Argon2id.
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** The weakest argon2id parameters an imported hash may have: the server's own (memory in KiB). */
export const ARGON2ID_MIN = { memoryCost: OPTIONS.memoryCost, timeCost: OPTIONS.timeCost } as const;
// One hash per core beyond the one the event loop needs, at least one: each hash holds its 19 MiB
// outside the JavaScript heap while it runs, so this also bounds an instance's peak memory (on two
// cores, one hash at a time kept the flow's peak under 190 MiB, against 208 with two:
// docs/PERFORMANCE.md, "2026-12-08").
const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);
const HASH_QUEUE = 64;

const limit = pLimit(HASH_CONCURRENCY);

function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (limit.pendingCount >= HASH_QUEUE) {
    return Promise.reject(
      new AppError(
        503,
        'temporarily_unavailable',
        'Trop de connexions en ce moment : réessayez dans quelques secondes.',
      ),
    );
  }
  return limit(work);
}

// A hash of a random password, verified when the login is unknown so that an unknown login and a
// wrong password take the same time.
let decoy: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return bounded(() => hash(password, OPTIONS));
}

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    decoy ??= hash(crypto.randomUUID(), OPTIONS);
    const decoyHash = await decoy;
    await bounded(() => verify(decoyHash, password).catch(() => false));
    return false;
  }
  return bounded(() => verify(storedHash, password).catch(() => false));
}
