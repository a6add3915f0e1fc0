// Revocation under load: three instances of the provider on one database, 50 connections reading the
// API through all three with one app's token, while the jobseeker revokes that app's consent on the
// dashboard of one of them. Every read that starts after the revoke response has arrived must fail:
// the consent and the grant are in PostgreSQL, which every instance reads on every request.
import { formAction } from '../../test/support/user-agent.ts';
import { codeFlow } from '../flow.ts';
import { ProxiedAgent, proxiedFetch } from '../https-fetch.ts';
import { row } from '../report.ts';
import type { ScenarioContext } from './context.ts';

interface Read {
  instance: number;
  start: number;
  end: number;
  status: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function revocation(ctx: ScenarioContext, seconds: { before: number; after: number }) {
  const { stack } = ctx;
  const user = ctx.users[ctx.users.length - 1] as { login: string; password: string };
  const instances = [stack.ours, await stack.another('instance-2'), await stack.another('instance-3')];
  try {
    // The app gets a token for the API; the jobseeker signs in to the dashboard of instance 1.
    const tokens = await codeFlow(stack.oursRp, new ProxiedAgent(), user);
    const agent = new ProxiedAgent();
    const login = await agent.follow(`${stack.ours.issuer}/account/login`);
    const loginPage = await login.response.text();
    await agent.submit(login.url, loginPage, formAction(loginPage, '/account/login'), [
      ['login', user.login],
      ['password', user.password],
    ]);
    const { rows } = await stack.pool.query<{ id: string }>(
      'SELECT c.id FROM consents c JOIN jobseekers j ON j.id = c.jobseeker_id WHERE j.login = $1 AND c.client_id = $2',
      [user.login, stack.oursRp.clientId],
    );
    const consentId = (rows[0] as { id: string }).id;
    const page = await agent.follow(`${stack.ours.issuer}/account/consents`);
    const html = await page.response.text();
    const revokeAction = formAction(html, `/account/consents/${consentId}/revoke`);

    const reads: Read[] = [];
    let stop = false;
    const readers = Array.from({ length: ctx.connections }, async (_, i) => {
      const instance = i % instances.length;
      const url = `${(instances[instance] as (typeof instances)[number]).url}/api/v1/competences`;
      while (!stop) {
        const start = performance.now();
        let status = 0;
        try {
          const response = await proxiedFetch(url, {
            headers: { authorization: `Bearer ${tokens.access_token}` },
          });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          status = -1;
        }
        reads.push({ instance, start, end: performance.now(), status });
      }
    });

    await pause(seconds.before * 1000);
    const revokeSent = performance.now();
    const revoked = await agent.submit(page.url, html, revokeAction, [['confirm', 'yes']]);
    const revokeDone = performance.now();
    await pause(seconds.after * 1000);
    stop = true;
    await Promise.all(readers);

    const okAfter = reads.filter((r) => r.status === 200 && r.start > revokeDone);
    const failedBefore = reads.filter((r) => r.status !== 200 && r.end < revokeSent);
    const afterNot401 = reads.filter((r) => r.start > revokeDone && r.status !== 401);
    const inFlightOk = reads.filter((r) => r.status === 200 && r.start <= revokeDone && r.end > revokeSent);
    const firstRefusal = instances.map((_, k) => {
      const first = reads
        .filter((r) => r.instance === k && r.status === 401)
        .sort((a, b) => a.end - b.end)[0];
      return first ? Math.round((first.end - revokeSent) * 10) / 10 : null;
    });
    const ok = reads.filter((r) => r.status === 200 && r.end < revokeSent);
    const durations = ok.map((r) => r.end - r.start).sort((a, b) => a - b);
    const at = (p: number) =>
      durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? 0;
    const details = {
      reads: reads.length,
      successful_reads_before_revoke: ok.length,
      revoke_status: revoked.url.pathname + revoked.url.search,
      revoke_ms: Math.round((revokeDone - revokeSent) * 10) / 10,
      successful_reads_started_after_revoke_response: okAfter.length,
      non_401_answers_after_revoke_response: afterNot401.length,
      failed_reads_before_revoke: failedBefore.length,
      successful_reads_in_flight_during_revoke: inFlightOk.length,
      first_401_after_revoke_sent_ms_per_instance: firstRefusal,
    };
    ctx.details['revocation under load'] = details;
    const errors = okAfter.length + afterNot401.length + failedBefore.length;
    return row({
      scenario: 'revocation under load (3 instances, 50 conn.)',
      rps: ok.length / seconds.before,
      p50_ms: at(0.5),
      p99_ms: at(0.99),
      errors,
      peak_rss_mb: Math.max(...instances.map((c) => c.peakRssMb())),
      baseline_rps: null,
      ratio: null,
      target: '0 reads ok after revoke',
      meets_target: okAfter.length === 0 && errors === 0 && revoked.url.search.includes('ok=revoked'),
    });
  } finally {
    await Promise.all(instances.slice(1).map((c) => c.stop()));
  }
}
