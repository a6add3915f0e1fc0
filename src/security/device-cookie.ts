// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
// signed in to an account gets a cookie naming a random device id and a tag of that account, signed
// with COOKIE_SECRETS (Koa's keygrip), HttpOnly, SameSite=Lax, Secure over https, kept a year. On the
// next login to the same account the throttle counts the attempt against that device instead of the
// account (login-throttle.ts): the owner keeps logging in while the account is being guessed at
// from elsewhere. A forged, altered or other account's cookie is simply no device. The tag is a hash
// of the login, so the cookie does not show which account it is for.
import { createHash, randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Realm } from './login-throttle.ts';

const COOKIE: Record<Realm, string> = {
  account: 'pec.device',
  admin: 'pec.admin-device',
  advisor: 'pec.advisor-device',
  developer: 'pec.developer-device',
};
const MAX_AGE_MS = 365 * 86_400_000; // a year, in milliseconds

export interface LoginClient {
  ip: string;
  device?: { id: string; tag: string };
}

export const deviceTag = (realm: Realm, login: string) =>
  createHash('sha256').update(`${realm}\0${login}`).digest('base64url').slice(0, 22);

/** Who is attempting a login: the address, and the device cookie when it is genuine. */
export function loginClient(ctx: Koa.Context, realm: Realm): LoginClient {
  const value = ctx.cookies.get(COOKIE[realm], { signed: true });
  const match = value ? /^([\w-]{22})\.([\w-]{22})$/.exec(value) : null;
  return { ip: ctx.ip, device: match ? { id: match[1] as string, tag: match[2] as string } : undefined };
}

/** After a successful login: this browser is now a known device of that account (a fresh id). */
export function rememberDevice(ctx: Koa.Context, realm: Realm, login: string): void {
  ctx.cookies.set(COOKIE[realm], `${randomBytes(16).toString('base64url')}.${deviceTag(realm, login)}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    maxAge: MAX_AGE_MS,
    overwrite: true,
  });
}
