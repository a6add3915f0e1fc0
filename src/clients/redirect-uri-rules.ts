// Registration rules oidc-provider leaves to us (../SECURITY.md): it accepts http:// redirect URIs for
// web clients. We accept https, or http on a loopback host outside production; never javascript: or
// data: (any case), fragments, wildcards or userinfo.
// Native apps (public clients, RFC 8252) may also use what §7 lists: a loopback redirect
// (http://127.0.0.1 or http://[::1], any port at request time, §7.3 — in production too, since the
// request never leaves the device; §8.3: "localhost" is NOT RECOMMENDED and stays a development
// convenience) and a private-use URI scheme named after a domain the app's operator controls
// (§7.1: "com.example.app:/oauth2redirect"), which is what keeps javascript:, data: and the like out.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);
// RFC 3986 §3.1 scheme, with at least one period (RFC 8252 §7.1, §8.4).
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:/i;

export interface RedirectUriOptions {
  /** a public client (token_endpoint_auth_method none), which may be a native app */
  publicClient?: boolean;
}

/** Whether a redirect URI is one only a native app uses (loopback http or a private-use scheme). */
export function isNativeRedirectUri(value: string): boolean {
  const url = URL.parse(value);
  if (!url) return false;
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname);
  return url.protocol !== 'https:';
}

export function redirectUriProblem(
  value: string,
  production: boolean,
  options: RedirectUriOptions = {},
): string | undefined {
  if (/[\s*]/.test(value)) return 'ne doit contenir ni espace ni joker (*)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "n'est pas une URL absolue valide";
  }
  if (value.includes('#')) return 'ne doit pas contenir de fragment (#)';
  if (url.username || url.password) return "ne doit pas contenir d'identifiants (user:password@)";
  const protocol = url.protocol.toLowerCase();
  if (protocol !== 'https:' && protocol !== 'http:') {
    if (options.publicClient && PRIVATE_USE_SCHEME.test(value)) return undefined;
    return options.publicClient
      ? 'doit utiliser https, http sur 127.0.0.1, ou un schéma propre à l’application nommé d’après son domaine (ex. fr.exemple.appli:/retour, RFC 8252)'
      : 'doit utiliser https';
  }
  if (protocol === 'http:') {
    const nativeLoopback = options.publicClient && LOOPBACK_IPS.has(url.hostname);
    if (!nativeLoopback && (production || !LOOPBACK_HOSTS.has(url.hostname))) {
      return 'doit utiliser https (http n’est accepté que pour localhost, hors production)';
    }
  }
  if (!url.hostname) return 'doit désigner un hôte';
  return undefined;
}
