// A consent the expiry job has marked 'expired' (migration 007: a state of its own, next to 'active'
// and 'revoked', which ConsentRow.status names): its expiry is recorded with what it took back, and
// its tokens are gone. A withdrawal asked for afterwards is recorded as one that removed nothing, and
// « retirer tous mes accords » leaves it alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsentRow, findConsent } from '../../src/consents/consent-queries.ts';
import { createServiceContext, type ServiceContext } from './support/service-context.ts';

let ctx: ServiceContext;
let PAGE: string[];
beforeAll(async () => {
  ctx = await createServiceContext();
  PAGE = ctx.fieldsOf('openid', 'competences');
});
afterAll(() => ctx?.close());

const TICKED = ['competences.code', 'openid.sub'];
// The state the database allows and the expiry job sets: a type error while ConsentRow omits it.
const EXPIRED: ConsentRow['status'] = 'expired';

describe('an expired consent', () => {
  it('reads back as expired, and a later revocation records that it removed nothing', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    const grantId = await ctx.attachTokens(consent.id);
    await ctx.backdate(consent.id);
    expect(await ctx.consentChanges.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await findConsent(ctx.pool, jobseeker.id, clientId))?.status).toBe(EXPIRED);
    expect(await ctx.tokensOf(grantId)).toBe(0);

    expect(await ctx.consentChanges.revoke(jobseeker.id, consent.id, 'req-late')).toEqual({ changed: true });
    expect(await ctx.released(jobseeker.id, clientId)).toEqual([]);
    const events = await ctx.eventsOf(consent.id);
    expect(events.map((e) => e.kind)).toEqual(['granted', 'expired', 'revoked']);
    expect(events[1]).toMatchObject({ fields_removed: TICKED, texts_hash: consent.texts_hash });
    expect(events[2]).toMatchObject({
      fields_removed: [],
      fields_after: [],
      texts_hash: consent.texts_hash,
      request_id: 'req-late',
    });
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
