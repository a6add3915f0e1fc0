// "CV Express Web (démo)": the demo's single-page app, served by the demo process under /spa/. It is
// a public client using oidc-client-ts in the browser with the developer quick start's configuration
// (docs/quickstart/oidc-client-ts.js, filled with this demo's values), and it shows the same result
// page as CV Express (views/demo/_result.eta), left empty here and filled by its script
// (browser/demo-spa.js). oidc-client-ts comes from node_modules: no CDN.
import { readFileSync } from 'node:fs';
import type Koa from 'koa';
import { fillSnippet, readSnippet } from '../developers/quickstart-snippets.ts';
import type { Render } from '../http/render.ts';

const NAME = 'CV Express Web (démo)';
const PAGES = new Set(['/spa', '/spa/', '/spa/callback']);

export function demoSpa(o: {
  issuer: string;
  /** the demo process's own URL; the app lives under /spa */
  url: string;
  clientId: string;
  docsDir: string;
  dataScopes: readonly string[];
  render: Render;
}) {
  const oidcClientTs = new URL(
    'dist/browser/oidc-client-ts.min.js',
    import.meta.resolve('oidc-client-ts/package.json'),
  );
  const configuration = fillSnippet(readSnippet(o.docsDir, 'oidc-client-ts'), {
    ISSUER: o.issuer,
    CLIENT_ID: o.clientId,
    CLIENT_SECRET: '',
    APP_URL: `${o.url}/spa`,
    CRYPTO_PASSPHRASE: '',
  });
  // The page's scripts, in the order it loads them.
  const files = new Map<string, Buffer>([
    ['/spa/oidc-client-ts.min.js', readFileSync(oidcClientTs)],
    ['/spa/pole-emploi-connect.js', Buffer.from(configuration)],
    ['/spa/demo-spa.js', readFileSync(new URL('./browser/demo-spa.js', import.meta.url))],
  ]);
  const page = o.render('demo/spa', {
    title: 'CV Express Web',
    scripts: [...files.keys()],
    result: {
      appName: NAME,
      spa: true,
      sub: '',
      tokenScope: '',
      idClaims: [],
      scopes: o.dataScopes.map((id) => ({ id, title: id, status: '', body: '' })),
      grant: '',
    },
  });

  const middleware: Koa.Middleware = async (ctx, next) => {
    const file = files.get(ctx.path);
    if (file) {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = file;
    } else if (PAGES.has(ctx.path)) {
      ctx.type = 'html';
      ctx.body = page;
    } else {
      return next();
    }
  };
  return {
    middleware,
    /** The page runs its own scripts and calls the provider from the browser (the CSP's additions). */
    contentSecurityPolicy: `script-src 'self'; connect-src ${new URL(o.issuer).origin}`,
  };
}

export const isSpaPath = (pathname: string) => pathname === '/spa' || pathname.startsWith('/spa/');
