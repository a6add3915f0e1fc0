// The scenarios with a baseline: resource API read, refresh grant, userinfo, and the complete flow.
import { alternate, type Side } from '../compare.ts';
import { codeFlow } from '../flow.ts';
import { ProxiedAgent } from '../https-fetch.ts';
import { cannon, workers } from '../load.ts';
import { row } from '../report.ts';
import { bearerRequest, mintAccessTokens, refreshRequest } from '../tokens.ts';
import type { ScenarioContext } from './context.ts';

function toRow(
  ctx: ScenarioContext,
  scenario: string,
  target: number,
  measured: Awaited<ReturnType<typeof alternate>>,
) {
  const { candidate, baseline } = measured;
  ctx.details[scenario] = measured;
  const ratio = baseline ? candidate.rps / baseline.rps : null;
  return row({
    scenario,
    rps: candidate.rps,
    p50_ms: candidate.p50,
    p99_ms: candidate.p99,
    errors: candidate.errors,
    peak_rss_mb: candidate.peakRssMb,
    baseline_rps: baseline?.rps ?? null,
    target: `>= ${target}`,
    meets_target: ratio !== null && ratio >= target && candidate.errors === 0,
  });
}

const cannonSide = (
  ctx: ScenarioContext,
  child: Side['child'],
  request: Parameters<typeof cannon>[0]['requests'][number],
): Side => ({
  child,
  run: (seconds) => cannon({ url: child.url, connections: ctx.connections, seconds, requests: [request] }),
});

/** GET /api/v1/competences with valid tokens under live consents; baseline: token PK lookup + data PK SELECT. */
export async function apiRead(ctx: ScenarioContext, withBaseline = true) {
  const { stack } = ctx;
  const api = `${stack.ours.issuer}/api`;
  // Tokens of many jobseekers, as many apps read for many people; the baseline reads the same ones.
  const tokens = await mintAccessTokens(stack.oursRp, ctx.chains.ours, ctx.users.length * 2, api);
  const request = bearerRequest('/api/v1/competences', tokens);
  const measured = await alternate(
    ctx.timing,
    cannonSide(ctx, stack.ours, request),
    withBaseline && stack.bareKoa ? cannonSide(ctx, stack.bareKoa, request) : undefined,
    ctx.transactions,
  );
  return toRow(ctx, 'resource API read', 0.8, measured);
}

/**
 * GET /partenaire/peconnect-competences/v2/competences, as an app written for Pôle emploi Connect
 * reads it: tokens exchanged without resource, the legacy shape derived from the stored value.
 * Held to the native read's ratio against the same baseline (token PK lookup + data PK SELECT of
 * competences, at its /api/v1/competences: the least any bearer-protected read of that row costs).
 */
export async function legacyApiRead(ctx: ScenarioContext, withBaseline = true) {
  const { stack } = ctx;
  const tokens = await mintAccessTokens(stack.oursRp, ctx.chains.ours, ctx.users.length * 2);
  const measured = await alternate(
    ctx.timing,
    cannonSide(ctx, stack.ours, bearerRequest('/partenaire/peconnect-competences/v2/competences', tokens)),
    withBaseline && stack.bareKoa
      ? cannonSide(ctx, stack.bareKoa, bearerRequest('/api/v1/competences', tokens))
      : undefined,
    ctx.transactions,
  );
  return toRow(ctx, 'legacy API read (peconnect-competences v2)', 0.8, measured);
}

/** POST /token grant_type=refresh_token (rotating), each refresh token used once. */
export async function refreshGrant(ctx: ScenarioContext, withBaseline = true) {
  const { stack } = ctx;
  const bare =
    withBaseline && stack.bareOidc && stack.bareRp && ctx.chains.bare
      ? cannonSide(
          ctx,
          stack.bareOidc,
          refreshRequest(stack.bareRp, ctx.chains.bare, `${stack.bareRp.issuer}/api`),
        )
      : undefined;
  const measured = await alternate(
    ctx.timing,
    cannonSide(ctx, stack.ours, refreshRequest(stack.oursRp, ctx.chains.ours, `${stack.ours.issuer}/api`)),
    bare,
    ctx.transactions,
  );
  ctx.details['refresh pools left'] = { ours: ctx.chains.ours.size, bare: ctx.chains.bare?.size };
  return toRow(ctx, 'token endpoint: refresh_token grant', 0.9, measured);
}

/** GET /me with access tokens issued for userinfo (no resource). */
export async function userinfo(ctx: ScenarioContext) {
  const { stack } = ctx;
  const ours = await mintAccessTokens(stack.oursRp, ctx.chains.ours, ctx.users.length * 2);
  let bare: Side | undefined;
  if (stack.bareOidc && stack.bareRp && ctx.chains.bare) {
    const bareTokens = await mintAccessTokens(stack.bareRp, ctx.chains.bare, ctx.users.length * 2);
    bare = cannonSide(ctx, stack.bareOidc, bearerRequest('/me', bareTokens));
  }
  const measured = await alternate(
    ctx.timing,
    cannonSide(ctx, stack.ours, bearerRequest('/me', ours)),
    bare,
    ctx.transactions,
  );
  return toRow(ctx, 'userinfo', 0.9, measured);
}

/** authorize → login (argon2id) → consent → token, 10 at a time, each with a fresh browser. */
export async function completeFlow(ctx: ScenarioContext) {
  const { stack, users } = ctx;
  const flowSide = (child: Side['child'], rp: NonNullable<typeof stack.bareRp>): Side => ({
    child,
    run: (seconds) =>
      workers({
        workers: 10,
        seconds,
        // A different jobseeker for every flow in a row, as logins of many people would be.
        once: async (worker, i) => {
          await codeFlow(
            rp,
            new ProxiedAgent(),
            users[(worker * 7919 + i) % users.length] as (typeof users)[number],
          );
        },
      }),
  });
  const measured = await alternate(
    ctx.timing,
    flowSide(stack.ours, stack.oursRp),
    stack.bareOidc && stack.bareRp ? flowSide(stack.bareOidc, stack.bareRp) : undefined,
    ctx.transactions,
  );
  return toRow(ctx, 'complete flow (10 concurrent), flows/s', 0.7, measured);
}
