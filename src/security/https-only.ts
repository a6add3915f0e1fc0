// In production every page, cookie and protocol endpoint is served over https, which a
// TLS-terminating proxy in front tells us with X-Forwarded-Proto — believed only with TRUST_PROXY
// (Koa's `proxy`). Without it, Koa sees plain http, and the first Secure cookie (a session, a device
// cookie, oidc-provider's) threw "Cannot send secure cookie over unencrypted connection": a 500 on
// every page with a session. Such a request is now refused up front with a clear 400, and one log
// line per instance names TRUST_PROXY (issue 10). Health checks and the resource API, mounted
// before this, set no cookie and keep answering.
import type Koa from 'koa';
import type { Logger } from 'pino';
import { AppError } from '../http/app-error.ts';

export function httpsOnly(options: {
  production: boolean;
  trustProxy: boolean;
  logger: Logger;
}): Koa.Middleware {
  let told = false;
  return async (ctx, next) => {
    if (!options.production || ctx.secure) return next();
    if (!told) {
      told = true;
      const proxied = Boolean(ctx.get('X-Forwarded-Proto'));
      options.logger.error(
        {
          setting: 'TRUST_PROXY',
          trustProxy: options.trustProxy,
          forwardedProto: ctx.get('X-Forwarded-Proto') || undefined,
        },
        proxied && !options.trustProxy
          ? 'requests arrive through a proxy (X-Forwarded-Proto) but TRUST_PROXY is off: set TRUST_PROXY=true behind a TLS-terminating proxy; until then pages answer 400'
          : 'a request arrived over plain http in production: serve it through a TLS-terminating proxy that sends X-Forwarded-Proto: https, with TRUST_PROXY=true; until then pages answer 400',
      );
    }
    throw new AppError(
      400,
      'https_required',
      'Cette adresse ne fonctionne qu’en connexion sécurisée (HTTPS). Si vous exploitez ce service : le serveur ne reconnaît pas le proxy HTTPS placé devant lui (réglage TRUST_PROXY).',
    );
  };
}
