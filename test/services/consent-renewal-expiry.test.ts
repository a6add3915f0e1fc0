// Renewal and expiry (src/consents/consent-changes.ts renew and expireDue, src/jobs/purge-expired.ts):
// a renewal resets the expiry to the app's consent duration from now (not from the old date) and is
// recorded as 'extended' with the fields unchanged; only a live consent can be renewed. A consent past
// its date is not live and releases nothing, before the job passes; the job marks it expired, deletes
// its tokens and records the expiry once, leaving live consents alone. A new decision after expiry
// starts a new period.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../src/jobs/purge-expired.ts';
import {
  createServiceContext,
  DEFAULT_CONSENT_DAYS,
  type ServiceContext,
} from './support/service-context.ts';

let ctx: ServiceContext;
let PAGE: string[];
beforeAll(async () => {
  ctx = await createServiceContext();
  PAGE = ctx.fieldsOf('openid', 'statut', 'competences');
});
afterAll(() => ctx?.close());

const TICKED = ['competences.code', 'openid.sub', 'statut.dateInscription'];
const DAY_MS = 86_400_000;

/** The consent's expiry as days from the database's now. */
async function daysLeft(consentId: string) {
  const { rows } = await ctx.pool.query<{ days: number }>(
    'SELECT extract(epoch FROM expires_at - now()) / 86400 AS days FROM consents WHERE id = $1',
    [consentId],
  );
  return Number(rows[0]?.days);
}
const runJob = () =>
  purgeExpired({ pool: ctx.pool, consentChanges: ctx.consentChanges, accessLogRetentionDays: 396 });

describe('renewing a consent', () => {
  it('resets the expiry to the app’s duration from now, wherever it stood, and records it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.integer({ min: 1, max: 3650 }), { nil: null }),
        fc.integer({ min: 1, max: 700 }),
        async (appDays, daysBefore) => {
          const { jobseeker, clientId, decide } = await ctx.createPair({ consent_duration_days: appDays });
          const consent = await decide({ requested: PAGE, ticked: TICKED, durationDays: 30 });
          // Time passed, or the consent was granted for longer: the old date does not matter.
          await ctx.pool.query(
            'UPDATE consents SET expires_at = now() + make_interval(days => $2) WHERE id = $1',
            [consent.id, daysBefore],
          );
          const result = await ctx.consentChanges.renew(jobseeker.id, consent.id, 'req-renew');
          const want = appDays ?? DEFAULT_CONSENT_DAYS;
          expect(await daysLeft(consent.id)).toBeCloseTo(want, 2);
          expect(result.changed).toBe(true);
          expect(Math.abs(result.expiresAt.getTime() - Date.now() - want * DAY_MS)).toBeLessThan(60_000);

          const live = await ctx.consents.findLive(jobseeker.id, clientId);
          expect(live?.fields).toEqual(TICKED);
          expect(live?.granted_at).toEqual(consent.granted_at);
          const events = await ctx.eventsOf(consent.id);
          expect(events.map((e) => e.kind)).toEqual(['granted', 'extended']);
          expect(events[1]).toMatchObject({
            actor: 'jobseeker',
            request_id: 'req-renew',
            fields_added: [],
            fields_removed: [],
            fields_after: TICKED,
            texts_hash: consent.texts_hash,
          });
        },
      ),
      { numRuns: 15, seed: 18_05 },
    );
  });

  it('renews only a live consent: an expired or revoked one must be asked for again', async () => {
    const { jobseeker, decide } = await ctx.createPair();
    const expired = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.backdate(expired.id);
    await expect(ctx.consentChanges.renew(jobseeker.id, expired.id)).rejects.toMatchObject({
      status: 409,
      code: 'consent_not_active',
    });
    expect(await daysLeft(expired.id)).toBeLessThan(0);

    const other = await ctx.createPair();
    const revoked = await other.decide({ requested: PAGE, ticked: TICKED });
    await ctx.consentChanges.revoke(other.jobseeker.id, revoked.id);
    await expect(ctx.consentChanges.renew(other.jobseeker.id, revoked.id)).rejects.toMatchObject({
      status: 409,
    });
    await expect(ctx.consentChanges.renew(jobseeker.id, revoked.id)).rejects.toMatchObject({ status: 404 });
    expect((await ctx.eventsOf(expired.id)).map((e) => e.kind)).toEqual(['granted']);
    expect((await ctx.eventsOf(revoked.id)).map((e) => e.kind)).toEqual(['granted', 'revoked']);
  });

  it('starts a new period when the jobseeker decides again after expiry', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.pool.query(
      "UPDATE consents SET granted_at = now() - interval '400 days', expires_at = now() - interval '1 day' WHERE id = $1",
      [consent.id],
    );
    const again = await decide({
      requested: ctx.fieldsOf('openid', 'competences'),
      ticked: ['openid.sub'],
      durationDays: 90,
    });
    // Nothing of the expired consent is kept: statut was not on this page and is not shared again.
    expect(again.fields).toEqual(['openid.sub']);
    expect(Math.abs(again.granted_at.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await daysLeft(consent.id)).toBeCloseTo(90, 2);
    expect(await ctx.released(jobseeker.id, clientId)).toEqual(['openid.sub']);
    expect((await ctx.eventsOf(consent.id)).map((e) => e.kind)).toEqual(['granted', 'granted']);
  });
});

describe('expiry', () => {
  it('stops releasing a consent past its date at once; the job marks it, deletes its tokens and records it once', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    const grantId = await ctx.attachTokens(consent.id);
    const living = await ctx.createPair();
    const live = await living.decide({ requested: PAGE, ticked: TICKED });
    const liveGrant = await ctx.attachTokens(live.id);
    expect(await ctx.released(jobseeker.id, clientId)).toEqual(TICKED);

    await ctx.backdate(consent.id, '1 second');
    // Before the job passes: not live, nothing released, though the row still says active.
    expect(await ctx.consents.findLive(jobseeker.id, clientId)).toBeUndefined();
    expect(await ctx.released(jobseeker.id, clientId)).toEqual([]);

    const counts = await runJob();
    expect(counts.consentsExpired).toBeGreaterThanOrEqual(1);
    const { rows } = await ctx.pool.query('SELECT status, fields FROM consents WHERE id = $1', [consent.id]);
    expect(rows[0]?.status).toBe('expired');
    expect(await ctx.tokensOf(grantId)).toBe(0);
    const events = await ctx.eventsOf(consent.id);
    expect(events.map((e) => e.kind)).toEqual(['granted', 'expired']);
    expect(events[1]).toMatchObject({
      actor: 'system',
      fields_added: [],
      fields_removed: TICKED,
      fields_after: [],
      texts_hash: consent.texts_hash,
    });

    // A live consent is left alone; a second run records nothing more.
    expect(await ctx.released(living.jobseeker.id, living.clientId)).toEqual(TICKED);
    expect(await ctx.tokensOf(liveGrant)).toBe(2);
    expect((await runJob()).consentsExpired).toBe(0);
    expect(await ctx.eventsOf(consent.id)).toHaveLength(2);
    expect((await ctx.eventsOf(live.id)).map((e) => e.kind)).toEqual(['granted']);
  });

  it('expires a consent on its date exactly, not a moment before', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.pool.query("UPDATE consents SET expires_at = now() + interval '5 seconds' WHERE id = $1", [
      consent.id,
    ]);
    await runJob();
    expect(await ctx.consents.findLive(jobseeker.id, clientId)).toBeDefined();
    expect((await ctx.eventsOf(consent.id)).map((e) => e.kind)).toEqual(['granted']);
  });
});
