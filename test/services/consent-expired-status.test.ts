// A consent the expiry job has marked 'expired' (migration 007: a state of its own, next to 'active'
// and 'revoked'): its expiry is already recorded, with what it took back, and its tokens are gone. A
// withdrawal asked for afterwards changes nothing and records nothing: there is nothing left to take
// back, and the history must not say a revocation removed what the expiry did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceContext, type ServiceContext } from './support/service-context.ts';

let ctx: ServiceContext;
let PAGE: string[];
beforeAll(async () => {
  ctx = await createServiceContext();
  PAGE = ctx.fieldsOf('openid', 'competences');
});
afterAll(() => ctx?.close());

const TICKED = ['competences.code', 'openid.sub'];

describe('an expired consent', () => {
  it('is not revoked again: it stays expired, with its expiry as the last event', async () => {
    const { jobseeker, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.backdate(consent.id);
    expect(await ctx.consentChanges.expireDue()).toBeGreaterThanOrEqual(1);

    expect(await ctx.consentChanges.revoke(jobseeker.id, consent.id, 'req-late')).toEqual({ changed: false });
    const { rows } = await ctx.pool.query('SELECT status, revoked_at FROM consents WHERE id = $1', [
      consent.id,
    ]);
    expect(rows[0]).toEqual({ status: 'expired', revoked_at: null });
    const events = await ctx.eventsOf(consent.id);
    expect(events.map((e) => e.kind)).toEqual(['granted', 'expired']);
    expect(events[1]).toMatchObject({ fields_removed: TICKED, texts_hash: consent.texts_hash });
  });

  it('is left out of « retirer tous mes accords », which revokes only what is active', async () => {
    const { jobseeker, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.backdate(consent.id);
    await ctx.consentChanges.expireDue();
    expect(await ctx.consentChanges.revokeAll(jobseeker.id, 'req-all')).toEqual({ revoked: 0 });
    expect((await ctx.eventsOf(consent.id)).map((e) => e.kind)).toEqual(['granted', 'expired']);
  });
});
