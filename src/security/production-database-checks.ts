// What production refuses to start on, beyond its configuration (config.ts): a database that holds
// the demo seed (its jobseekers, whose password is in the README, or its apps), or an active app with
// a redirect URI that production rules refuse (http, say, registered outside production). Run once
// at start, after the migrations; the message names what to fix, never a secret.

import { redirectUriProblem } from '../clients/redirect-uri-rules.ts';
import { ConfigError } from '../config.ts';
import type { Queryable } from '../db/pool.ts';
import { DEMO_ADVISOR_EMAIL } from '../demo/demo-advisor.ts';
import { demoJobseekers } from '../demo/demo-jobseekers.ts';
import { DEMO_CLIENT_ID, DEMO_SPA_CLIENT_ID, DEMO_STORE_CLIENT_IDS } from '../demo/demo-seed.ts';
import { findDemoSeed, listActiveClientUris } from './production-check-queries.ts';

export async function productionDatabaseProblems(db: Queryable): Promise<string[]> {
  const problems: string[] = [];
  const demo = await findDemoSeed(
    db,
    demoJobseekers.map((j) => j.login),
    [DEMO_CLIENT_ID, DEMO_SPA_CLIENT_ID, ...DEMO_STORE_CLIENT_IDS],
    [DEMO_ADVISOR_EMAIL],
  );
  if (demo.logins.length || demo.clients.length || demo.advisors.length) {
    const what = [
      ...(demo.logins.length ? [`the demo jobseekers ${demo.logins.join(', ')}`] : []),
      ...demo.clients.map((id) => `the demo app ${id}`),
      ...demo.advisors.map((email) => `the demo advisor ${email}`),
    ];
    problems.push(
      `DATABASE_URL: the database holds ${what.join(' and ')} (their passwords are public): delete them, or use another database`,
    );
  }
  for (const client of await listActiveClientUris(db)) {
    for (const uri of [...client.redirect_uris, ...client.post_logout_redirect_uris]) {
      const problem = redirectUriProblem(uri, true);
      if (problem)
        problems.push(
          `the active app ${client.id} (${client.name}) has the redirect URI ${uri}, which ${problem}: fix it or suspend the app (console or admin API)`,
        );
    }
  }
  return problems;
}

/** Throws a ConfigError listing every problem, in production only. */
export async function refuseUnsafeProductionDatabase(production: boolean, db: Queryable): Promise<void> {
  if (!production) return;
  const problems = await productionDatabaseProblems(db);
  if (problems.length)
    throw new ConfigError(`Refusing to start in production:\n  - ${problems.join('\n  - ')}`);
}
