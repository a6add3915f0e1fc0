// Deleting an app's SSF stream takes its outbox with it (ON DELETE CASCADE). What the jobseeker's
// history reads of a deletion request (deletionStates, src/ssf/deletion-queries.ts) must outlive it:
// that the app was asked to delete what a withdrawal took back, and when it received the request —
// as the outbox's retention keeps it (purged_deletion_requests, migrations 118 and 121).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmDeletion, deletionStates } from '../../src/ssf/deletion-queries.ts';
import { deleteStream } from '../../src/ssf/ssf-queries.ts';
import { createServiceContext, type ServiceContext } from './support/service-context.ts';

let ctx: ServiceContext;
beforeAll(async () => {
  ctx = await createServiceContext();
});
afterAll(() => ctx?.close());

const WITHDRAWN = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

describe('deleting an SSF stream', () => {
  it('keeps, in the jobseeker’s history, the deletion requests it had delivered or still held', async () => {
    const { jobseeker, clientId, decide } = await ctx.createPair();
    const consent = await decide({
      requested: ctx.fieldsOf('openid', 'competences'),
      ticked: ['openid.sub'],
    });
    await ctx.consentChanges.revoke(jobseeker.id, consent.id);
    const revoked = (await ctx.eventsOf(consent.id))[1] as unknown as { id: string };
    const stream = await ctx.pool.query<{ id: string }>(
      "INSERT INTO ssf_streams (client_id, delivery_method) VALUES ($1, 'urn:ietf:rfc:8936') RETURNING id",
      [clientId],
    );
    const streamId = stream.rows[0]?.id as string;
    // One request delivered, one still pending when the stream goes.
    const delivered = randomUUID();
    const pending = randomUUID();
    const deliveredAt = new Date(Date.now() - 3_600_000);
    await ctx.pool.query(
      `INSERT INTO ssf_outbox (jti, stream_id, client_id, event_type, jobseeker_id, consent_event_id, state, delivered_at)
       VALUES ($1, $3, $4, $5, $6, $7, 'delivered', $8), ($2, $3, $4, $5, $6, $7, 'pending', NULL)`,
      [delivered, pending, streamId, clientId, WITHDRAWN, jobseeker.id, revoked.id, deliveredAt],
    );
    const before = await deletionStates(ctx.pool, [revoked.id]);
    expect(before[0]).toMatchObject({ queued: true, sent_at: deliveredAt, confirmed_at: null });

    await deleteStream(ctx.pool, streamId);

    expect((await ctx.pool.query('SELECT 1 FROM ssf_outbox WHERE stream_id = $1', [streamId])).rowCount).toBe(
      0,
    );
    expect(await deletionStates(ctx.pool, [revoked.id])).toEqual(before);
    const kept = await ctx.pool.query(
      'SELECT jti, client_id, received_at FROM purged_deletion_requests WHERE consent_event_id = $1 ORDER BY received_at',
      [revoked.id],
    );
    expect(kept.rows).toEqual([
      { jti: delivered, client_id: clientId, received_at: deliveredAt },
      { jti: pending, client_id: clientId, received_at: null },
    ]);
    // The app can still confirm the deletion it was asked for.
    expect(await confirmDeletion(ctx.pool, clientId, delivered)).toMatchObject({
      consent_event_id: revoked.id,
    });
  });

  it('keeps nothing of a stream’s own events, which asked no deletion', async () => {
    const { clientId } = await ctx.createPair();
    const stream = await ctx.pool.query<{ id: string }>(
      "INSERT INTO ssf_streams (client_id, delivery_method) VALUES ($1, 'urn:ietf:rfc:8936') RETURNING id",
      [clientId],
    );
    const streamId = stream.rows[0]?.id as string;
    await ctx.pool.query(
      `INSERT INTO ssf_outbox (stream_id, client_id, event_type, state, delivered_at)
       VALUES ($1, $2, 'https://schemas.openid.net/secevent/ssf/event-type/verification', 'delivered', now())`,
      [streamId, clientId],
    );
    await deleteStream(ctx.pool, streamId);
    expect(
      (await ctx.pool.query('SELECT 1 FROM purged_deletion_requests WHERE client_id = $1', [clientId]))
        .rowCount,
    ).toBe(0);
  });
});
