// Userinfo refusals that name their real cause. oidc-provider's descriptions are generic ("invalid
// token provided") or point the wrong way: a token for another audience is refused first for its
// scope ("access token missing openid scope", since such a token carries only resource scopes). This
// listener of the userinfo.error event runs after oidc-provider has written the answer and before it
// is sent, and rewrites the description (and the challenge that repeats it), never the outcome —
// except that a wrong audience is an invalid_token (401, RFC 6750 §3.1), not a scope problem.
import type { KoaContextWithOIDC } from 'oidc-provider';

// oidc-provider's error details (lib/shared/access_token.js), in words an app developer can act on.
const DETAILS: Record<string, string> = {
  'access token not found': 'the access token is invalid or expired',
  'associated client not found': 'the application is not active (pending, suspended or removed)',
  'associated account not found': 'the jobseeker account behind the access token is no longer available',
  'grant not found':
    'the grant behind the access token was revoked (consent withdrawn, or the app logged out)',
  'grant is expired': 'the grant behind the access token has expired',
  'session not found': 'the session the access token was bound to has ended',
  'failed jkt verification': 'the DPoP proof is not signed by the key the access token is bound to',
};

const quoted = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export function explainUserinfoError(
  ctx: KoaContextWithOIDC,
  err: Error & { error?: string; error_detail?: string },
  issuer: string,
): void {
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (!body || typeof body !== 'object' || !body.error) return;
  const token = ctx.oidc?.entities?.AccessToken as { aud?: unknown } | undefined;
  let description: string | undefined;
  if (token?.aud !== undefined) {
    ctx.status = 401;
    body.error = 'invalid_token';
    description = `the access token is for ${String(token.aud)}, not for userinfo (${issuer}/me): exchange the code without resource, or with resource=${issuer}/api`;
  } else if (err.error_detail) {
    description = DETAILS[err.error_detail];
  }
  if (!description) return;
  body.error_description = description;
  const challenge = ctx.response.get('WWW-Authenticate');
  const scheme = /^(Bearer|DPoP)\b/.exec(challenge)?.[1] ?? 'Bearer';
  const algs = /algs="([^"]*)"/.exec(challenge)?.[1];
  ctx.set(
    'WWW-Authenticate',
    `${scheme} realm="${quoted(issuer)}", error="${body.error}", error_description="${quoted(description)}"${algs ? `, algs="${algs}"` : ''}`,
  );
}
