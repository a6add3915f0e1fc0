// The `fetch` oidc-provider uses for every URL it fetches on its own (a client's jwks_uri; sector
// identifiers and CIBA are not enabled). In production each connection is checked at connect time:
// the address a name resolves to is looked up by our own `lookup`, which refuses anything but a
// public unicast address before a socket is opened — so a name that resolved to a public address at
// registration and to 127.0.0.1 now (DNS rebinding) is refused too. An IP literal is checked before
// anything. Outside production nothing is checked, so development and the tests can use local key
// servers and back-channel logout endpoints on loopback: the library's own dispatcher, which refuses
// special-use addresses, is dropped there too.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { bareHost, isPublicAddress, type Resolve, systemResolve } from './public-address.ts';

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export class RefusedAddress extends Error {
  override name = 'RefusedAddress';
  readonly code = 'ERR_REFUSED_ADDRESS';
}

/** A `lookup` for net.connect that answers only public addresses. */
export function publicOnlyLookup(resolve: Resolve = systemResolve) {
  return (host: string, options: LookupOptions, callback: LookupCallback) => {
    resolve(host).then(
      (addresses) => {
        const refused = addresses.find((a) => !isPublicAddress(a.address));
        if (!addresses.length || refused)
          return callback(new RefusedAddress(`${host} resolves to a non-public address: refused`), '');
        if (options.all) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

// One connection pool for the process (the provider is rebuilt when signing keys rotate).
let shared: Agent | undefined;

export function createGuardedFetch(options: { production: boolean; resolve?: Resolve }) {
  if (!options.production)
    return (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _theirs, ...rest } = init;
      return globalThis.fetch(url, rest);
    };
  if (!options.resolve) shared ??= new Agent({ connect: { lookup: publicOnlyLookup() } });
  const dispatcher = options.resolve
    ? new Agent({ connect: { lookup: publicOnlyLookup(options.resolve) } })
    : (shared as Agent);
  return async (url: string | URL, init: RequestInit & { dispatcher?: unknown }): Promise<Response> => {
    const target = new URL(url);
    if (target.protocol !== 'https:')
      throw new RefusedAddress(`${target.protocol} is not fetched: https only`);
    const host = bareHost(target.hostname);
    // net.connect skips `lookup` for an IP literal: it is checked here.
    if (isIP(host) && !isPublicAddress(host))
      throw new RefusedAddress(`${host} is not a public address: refused`);
    // The library's own dispatcher is replaced by ours (the same check, made before connecting).
    const { dispatcher: _theirs, ...rest } = init;
    return undiciFetch(target, { ...(rest as object), dispatcher }) as unknown as Promise<Response>;
  };
}
