// Registration rules oidc-provider leaves to us (../SECURITY.md): it accepts http:// redirect URIs for
// web clients. We accept https, or http on a loopback host outside production; never javascript: or
// data: (any case), fragments, wildcards or userinfo.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function redirectUriProblem(value: string, production: boolean): string | undefined {
  if (/[\s*]/.test(value)) return 'ne doit contenir ni espace ni joker (*)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "n'est pas une URL absolue valide";
  }
  const protocol = url.protocol.toLowerCase();
  if (protocol !== 'https:' && protocol !== 'http:') return 'doit utiliser https';
  if (protocol === 'http:' && (production || !LOOPBACK_HOSTS.has(url.hostname))) {
    return 'doit utiliser https (http n’est accepté que pour localhost, hors production)';
  }
  if (value.includes('#')) return 'ne doit pas contenir de fragment (#)';
  if (url.username || url.password) return "ne doit pas contenir d'identifiants (user:password@)";
  if (!url.hostname) return 'doit désigner un hôte';
  return undefined;
}
