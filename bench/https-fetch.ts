// The servers run as in production: an https issuer, behind a TLS-terminating proxy that they trust
// (TRUST_PROXY=true). This stands in for that proxy on loopback: requests go over plain HTTP to
// 127.0.0.1 with `X-Forwarded-Proto: https`, and https URLs of our issuers are mapped back to http.
import { UserAgent } from '../test/support/user-agent.ts';

export const FORWARDED = { 'x-forwarded-proto': 'https' } as const;

/** https://127.0.0.1:<port>/… (what the servers link to) → http://127.0.0.1:<port>/… */
export function toLoopback(input: string | URL): URL {
  const url = new URL(input);
  if (url.protocol === 'https:' && url.hostname === '127.0.0.1') url.protocol = 'http:';
  return url;
}

export function proxiedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(FORWARDED)) headers.set(name, value);
  return fetch(toLoopback(input), { ...init, headers });
}

/** The test suite's cookie-keeping user agent, through the stand-in proxy. */
export class ProxiedAgent extends UserAgent {
  override async request(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(FORWARDED)) headers.set(name, value);
    // Cookies are kept by host, which is the same for the https and the http form of the URL.
    return super.request(toLoopback(input), { ...init, headers });
  }
}
