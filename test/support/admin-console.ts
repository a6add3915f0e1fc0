// The admin console as a browser uses it, for flow tests: pages, form posts with their CSRF token,
// the password step, enrolment with the enrolment code, and TOTP codes.
import * as OTPAuth from 'otpauth';
import { expect } from 'vitest';
import type { TestServer } from './test-server.ts';
import { UserAgent } from './user-agent.ts';

export const PASSWORD = 'correct horse battery staple';
let counter = 0;
export const newEmail = () => `admin-${process.pid}-${++counter}@example.test`;

export const totp = (secret: string) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
/** The code of the next 30 s step: accepted (one step of drift) even once the current one is used. */
export const nextCode = (secret: string) => totp(secret).generate({ timestamp: Date.now() + 30_000 });

/** The TOTP secret shown on the enrolment page (in groups of four). */
export const secretOf = (html: string) =>
  (/id="totp-secret">([^<]+)</.exec(html)?.[1] ?? '').replace(/\s/g, '');

export const decode = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
export const alertOf = (html: string) => {
  const m = /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return m ? decode(m[1] as string) : undefined;
};

export async function getPage(agent: UserAgent, server: TestServer, path: string) {
  const { response, url } = await agent.follow(`${server.issuer}${path}`);
  return { response, url, html: await response.text() };
}

/**
 * Submits a form to `action` with the CSRF token of the page at `path`; returns the first response
 * (not followed) and its Location. `headers` are added (e.g. X-Forwarded-For).
 */
export async function post(
  agent: UserAgent,
  server: TestServer,
  path: string,
  action: string,
  fields: [string, string][],
  headers: Record<string, string> = {},
) {
  const page = await getPage(agent, server, path);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] as string;
  const response = await agent.request(new URL(action, server.issuer), {
    method: 'POST',
    body: new URLSearchParams([['_csrf', csrf], ...fields]),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer, ...headers },
  });
  return { response, location: response.headers.get('location'), html: await response.text() };
}

export async function passwordStep(
  server: TestServer,
  email: string,
  password = PASSWORD,
  agent = new UserAgent(),
  headers: Record<string, string> = {},
) {
  const result = await post(
    agent,
    server,
    '/admin/login',
    '/admin/login',
    [
      ['email', email],
      ['password', password],
    ],
    headers,
  );
  return { agent, ...result };
}

/** Uses the enrolment code, then reads the new TOTP secret off the enrolment page. */
export async function enrol(agent: UserAgent, server: TestServer, enrolmentCode: string) {
  const started = await post(agent, server, '/admin/enrolment', '/admin/enrolment/code', [
    ['code', enrolmentCode],
  ]);
  expect(started.location, started.html).toBe('/admin/enrolment');
  const page = await getPage(agent, server, '/admin/enrolment');
  return { page, secret: secretOf(page.html) };
}

/** A new admin, enrolled in TOTP and signed in (TOTP required), with their secret. */
export async function enrolledAdmin(server: TestServer, email = newEmail(), password = PASSWORD) {
  const created = await server.app.services.admins.create(email, password, { actor: 'test' });
  const { agent, location } = await passwordStep(server, email, password);
  expect(location).toBe('/admin/enrolment');
  const { secret } = await enrol(agent, server, created.enrolmentCode);
  const code = totp(secret).generate();
  const done = await post(agent, server, '/admin/enrolment', '/admin/enrolment', [['code', code]]);
  expect(done.response.status).toBe(303);
  return { agent, email, secret, code, id: created.id };
}
