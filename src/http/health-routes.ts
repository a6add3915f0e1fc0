// Liveness (the process answers) and readiness (it can reach its database), for orchestrators and
// load balancers. Readiness uses its own short timeout so a stopped database answers 503 at once.
import Router from '@koa/router';
import type { Pool } from '../db/pool.ts';

export function healthRoutes(pool: Pool, timeoutMs = 1_000) {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pool.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = { status: 'unavailable' };
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
