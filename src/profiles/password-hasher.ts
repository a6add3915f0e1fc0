// argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1): about 10 ms a hash on this kind of
// machine, against about 370 ms for scrypt at equivalent strength.
import { hash, verify } from '@node-rs/argon2';

// `Algorithm` is a const enum in the typings, which type stripping cannot inline: 2 is Argon2id.
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// A hash of a random password, verified when the login is unknown so that an unknown login and a
// wrong password take the same time.
let decoy: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    decoy ??= hash(crypto.randomUUID(), OPTIONS);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
