// Revoking a consent (src/consents/consent-changes.ts, revoke and revokeAll; the app's deletion in
// src/clients/client-service.ts): the next read releases nothing, the app's tokens and Grant are gone
// in the same transaction, and the history records who, what, when and which texts; a revocation is
// recorded once, and a later consent starts from nothing rather than from what was revoked.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceContext, type ServiceContext } from './support/service-context.ts';

let ctx: ServiceContext;
let PAGE: string[];
beforeAll(async () => {
  ctx = await createServiceContext();
  PAGE = ctx.fieldsOf('openid', 'statut', 'competences', 'langues');
});
afterAll(() => ctx?.close());

const TICKED = [
  'competences.code',
  'competences.libelle',
  'langues.code',
  'openid.sub',
  'statut.dateInscription',
];

async function row(consentId: string) {
  const { rows } = await ctx.pool.query('SELECT *, now() AS db_now FROM consents WHERE id = $1', [consentId]);
  return rows[0];
}

describe('revoking a consent', () => {
  it('releases nothing on the next read, deletes the app’s tokens, and records who, what, when and which texts', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    const grantId = await ctx.attachTokens(consent.id);
    // Another pair's tokens, which must stay.
    const other = await ctx.createPair();
    const otherGrant = await ctx.attachTokens((await other.decide({ requested: PAGE, ticked: TICKED })).id);
    // Before: the read releases exactly what was ticked (the demo jobseeker has a value for each).
    expect(await ctx.released(jobseeker.id, clientId)).toEqual(TICKED);

    const requestId = randomUUID();
    expect(await ctx.consentChanges.revoke(jobseeker.id, consent.id, requestId)).toEqual({ changed: true });

    expect(await ctx.released(jobseeker.id, clientId)).toEqual([]);
    expect(await ctx.consents.findLive(jobseeker.id, clientId)).toBeUndefined();
    const after = await row(consent.id);
    expect(after).toMatchObject({ status: 'revoked', fields: [] });
    expect(Math.abs(after.revoked_at.getTime() - after.db_now.getTime())).toBeLessThan(60_000);
    expect(await ctx.tokensOf(grantId)).toBe(0);
    expect(await ctx.tokensOf(otherGrant)).toBe(2);

    const events = await ctx.eventsOf(consent.id);
    expect(events.map((e) => e.kind)).toEqual(['granted', 'revoked']);
    expect(events[1]).toMatchObject({
      actor: 'jobseeker',
      request_id: requestId,
      fields_added: [],
      fields_removed: TICKED,
      fields_after: [],
      texts_hash: consent.texts_hash,
    });
    expect(Math.abs((events[1]?.created_at.getTime() ?? 0) - after.db_now.getTime())).toBeLessThan(60_000);
    // The texts the revoked decision was made on stay readable.
    const texts = await ctx.pool.query('SELECT 1 FROM consent_texts WHERE hash = $1', [consent.texts_hash]);
    expect(texts.rowCount).toBe(1);
  });

  it('records a second revocation of the same consent as nothing, and refuses another jobseeker’s', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    const stranger = await ctx.createJobseeker();
    await expect(ctx.consentChanges.revoke(stranger.id, consent.id)).rejects.toMatchObject({ status: 404 });
    expect(await ctx.consents.findLive(jobseeker.id, clientId)).toBeDefined();

    await ctx.consentChanges.revoke(jobseeker.id, consent.id);
    expect(await ctx.consentChanges.revoke(jobseeker.id, consent.id)).toEqual({ changed: false });
    expect((await ctx.eventsOf(consent.id)).map((e) => e.kind)).toEqual(['granted', 'revoked']);
  });

  it('revokes an expired consent the job has not reached yet, releasing nothing either way', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.backdate(consent.id);
    expect(await ctx.released(jobseeker.id, clientId)).toEqual([]);
    expect(await ctx.consentChanges.revoke(jobseeker.id, consent.id)).toEqual({ changed: true });
    expect((await ctx.eventsOf(consent.id))[1]).toMatchObject({ kind: 'revoked', fields_removed: TICKED });
  });

  it('starts a later consent from nothing: what was revoked does not come back with another page', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.consentChanges.revoke(jobseeker.id, consent.id);
    // The app asks again for competences only: statut and langues stay unshared.
    const again = await decide({
      requested: ctx.fieldsOf('openid', 'competences'),
      ticked: ['openid.sub', 'competences.code'],
    });
    expect(again.id).toBe(consent.id);
    expect(again.fields).toEqual(['competences.code', 'openid.sub']);
    expect(await ctx.released(jobseeker.id, clientId)).toEqual(['competences.code', 'openid.sub']);
    const events = await ctx.eventsOf(consent.id);
    expect(events.map((e) => e.kind)).toEqual(['granted', 'revoked', 'granted']);
    expect(events[2]).toMatchObject({ fields_added: ['competences.code', 'openid.sub'], fields_removed: [] });
  });

  it('revokes every live consent of a jobseeker at once, each with its own event, and no one else’s', async () => {
    const jobseeker = await ctx.createJobseeker();
    const other = await ctx.createJobseeker();
    const apps = await Promise.all([ctx.createClient(), ctx.createClient(), ctx.createClient()]);
    const grant = (jobseekerId: string, clientId: string) =>
      ctx.consents.grant({
        jobseekerId,
        clientId,
        requested: PAGE,
        ticked: TICKED,
        purposes: {},
        durationDays: 30,
        interactionUid: randomUUID(),
      });
    const mine = [];
    for (const app of apps) mine.push(await grant(jobseeker.id, app));
    const theirs = await grant(other.id, apps[0] as string);
    await ctx.consentChanges.revoke(jobseeker.id, (mine[2] as { id: string }).id);

    expect(await ctx.consentChanges.revokeAll(jobseeker.id, 'req-all')).toEqual({ revoked: 2 });
    for (const app of apps) expect(await ctx.released(jobseeker.id, app)).toEqual([]);
    for (const consent of mine) {
      const kinds = (await ctx.eventsOf(consent.id)).map((e) => e.kind);
      expect(kinds).toEqual(['granted', 'revoked']);
    }
    expect((await ctx.eventsOf((mine[0] as { id: string }).id))[1]).toMatchObject({
      request_id: 'req-all',
      actor: 'jobseeker',
    });
    expect(await ctx.released(other.id, apps[0] as string)).toEqual(TICKED);
    expect((await ctx.eventsOf(theirs.id)).map((e) => e.kind)).toEqual(['granted']);
  });

  it('revokes every consent of a deleted app, recorded in each jobseeker’s history', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    expect(await ctx.clients.remove(clientId, { actor: 'admin:root@example.fr' })).toEqual({
      revokedConsents: 1,
    });
    expect(await ctx.released(jobseeker.id, clientId)).toEqual([]);
    expect(await row(consent.id)).toMatchObject({ status: 'revoked', fields: [] });
    expect((await ctx.eventsOf(consent.id))[1]).toMatchObject({
      kind: 'revoked',
      actor: 'admin',
      fields_after: [],
    });
  });

  it('records what the app’s deletion took back, and the texts in force, as a jobseeker’s withdrawal does', async () => {
    const { clientId, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: TICKED });
    await ctx.clients.remove(clientId, { actor: 'admin:root@example.fr', requestId: 'req-app-gone' });
    expect((await ctx.eventsOf(consent.id))[1]).toMatchObject({
      kind: 'revoked',
      fields_added: [],
      fields_removed: TICKED,
      fields_after: [],
      texts_hash: consent.texts_hash,
      request_id: 'req-app-gone',
    });
  });
});
