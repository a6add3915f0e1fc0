// Server-side request forgery (issue 10): in production the server fetches only from public unicast
// addresses — never loopback, private (RFC 1918, unique local), link-local (cloud metadata at
// 169.254.169.254), carrier-grade NAT, multicast, documentation or otherwise reserved ranges,
// including IPv4 addresses wrapped in IPv6. The ranges are ipaddr.js's (IANA special-purpose
// registries). A name is checked by what it resolves to: every address must be public.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** The host of a URL without IPv6 brackets: "[::1]" → "::1". */
export const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

export type Resolve = (host: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

/**
 * Why the server must not fetch this URL, in French for the registration errors, or undefined. The
 * name is resolved now; the fetch checks again the address it connects to (guarded-fetch.ts).
 */
export async function fetchedUrlProblem(
  value: string,
  resolve: Resolve = systemResolve,
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'n’est pas une URL absolue valide';
  }
  const host = bareHost(url.hostname);
  if (ipaddr.isValid(host))
    return isPublicAddress(host) ? undefined : 'désigne une adresse locale, privée ou réservée : refusé';
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    return `désigne un nom (${host}) qui ne se résout pas`;
  }
  if (!addresses.length || addresses.some((a) => !isPublicAddress(a.address)))
    return `désigne un nom (${host}) qui mène à une adresse locale, privée ou réservée : refusé`;
  return undefined;
}
