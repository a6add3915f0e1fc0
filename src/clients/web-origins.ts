// The web origins of an app (RFC 6454): those of its https and loopback http redirect URIs. A browser
// app (a public client) may call the token, userinfo, revocation and API endpoints from them, and
// from nowhere else; private-use scheme redirects (native apps) have no web origin.
export function webOriginsOf(redirectUris: readonly string[]): Set<string> {
  const origins = new Set<string>();
  for (const uri of redirectUris) {
    const url = URL.parse(uri);
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) origins.add(url.origin);
  }
  return origins;
}
