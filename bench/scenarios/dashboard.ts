// The jobseeker's dashboard (GET /account/consents: session, consents with their apps, read
// statistics from the access log, rendered page) for many signed-in jobseekers at once. No baseline:
// it is measured against itself at another population size (bench/scale.ts).

import { formAction } from '../../test/support/user-agent.ts';
import type { ServerChild } from '../child.ts';
import { alternate, type Side } from '../compare.ts';
import { ProxiedAgent } from '../https-fetch.ts';
import { cannon } from '../load.ts';
import { row } from '../report.ts';
import type { ScenarioContext } from './context.ts';

/** Signs each user in to /account through the login form; returns their Cookie headers. */
export async function dashboardSessions(child: ServerChild, users: { login: string; password: string }[]) {
  const cookies: string[] = [];
  for (const user of users) {
    const agent = new ProxiedAgent();
    const { response, url } = await agent.follow(`${child.issuer}/account/login`);
    const html = await response.text();
    const after = await agent.submit(url, html, formAction(html, '/account/login'), [
      ['login', user.login],
      ['password', user.password],
    ]);
    if (!after.url.pathname.startsWith('/account/consents'))
      throw new Error(`dashboard login failed (${after.response.status})`);
    cookies.push(agent.cookieHeader(url));
  }
  return cookies;
}

export function dashboardSide(
  ctx: ScenarioContext,
  child: ServerChild,
  cookies: string[],
  page = '/account/consents',
): Side {
  let next = 0;
  return {
    child,
    run: (seconds) =>
      cannon({
        url: child.url,
        connections: ctx.connections,
        seconds,
        requests: [
          {
            method: 'GET',
            path: page,
            setupRequest(request) {
              request.headers = { ...request.headers, cookie: cookies[next++ % cookies.length] as string };
              return request;
            },
          },
        ],
      }),
  };
}

export async function dashboard(ctx: ScenarioContext) {
  const cookies = await dashboardSessions(ctx.stack.ours, ctx.users.slice(0, 50));
  const measured = await alternate(
    ctx.timing,
    dashboardSide(ctx, ctx.stack.ours, cookies),
    undefined,
    ctx.transactions,
  );
  ctx.details['dashboard: my consents page'] = measured;
  return row({
    scenario: 'dashboard: my consents page',
    rps: measured.candidate.rps,
    p50_ms: measured.candidate.p50,
    p99_ms: measured.candidate.p99,
    errors: measured.candidate.errors,
    peak_rss_mb: measured.candidate.peakRssMb,
    baseline_rps: null,
    target: 'no errors (scale: >= 0.9 of 10k)',
    meets_target: measured.candidate.errors === 0,
  });
}
