// Narrowing a consent (src/consents/consent-changes.ts, narrow): only fields the consent already holds
// may stay, whatever the request asks to keep; narrowing never widens, never drops the app's own
// identifier for the person (openid.sub) while the consent lives, records one 'narrowed' event with
// exactly what was taken back, and the next read releases no field it took back. Property-based over
// random grants and random « keep » lists, with a fixed seed.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceContext, type ServiceContext } from './support/service-context.ts';

let ctx: ServiceContext;
let PAGE: string[];
beforeAll(async () => {
  ctx = await createServiceContext();
  PAGE = ctx.fieldsOf('openid', 'statut', 'competences', 'langues', 'permis');
});
afterAll(() => ctx?.close());

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

describe('narrowing a consent', () => {
  it('keeps exactly the granted fields asked for (plus openid.sub), records what it took back, releases no more', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...Array(30).keys()]),
        fc.subarray([...Array(30).keys()]),
        fc.array(fc.constantFrom('statut.nope', 'indemnisation.montant', 'x', '', 'experiences.intitule')),
        async (grantedAt, keepAt, foreign) => {
          // The consent page always grants openid.sub (interaction-service.ts).
          const ticked = ['openid.sub', ...grantedAt.map((i) => PAGE[i % PAGE.length] as string)];
          // What the request asks to keep: some granted fields, some never granted, some unknown.
          const keep = [...keepAt.map((i) => PAGE[i % PAGE.length] as string), ...foreign];
          const { jobseeker, clientId, decide } = await ctx.createPair();
          const consent = await decide({ requested: PAGE, ticked });
          const before = consent.fields;
          expect(before).toEqual(sorted(ticked));

          const requestId = randomUUID();
          const { changed } = await ctx.consentChanges.narrow(jobseeker.id, consent.id, keep, requestId);

          const expected = before.filter((key) => keep.includes(key) || key === 'openid.sub');
          const removed = before.filter((key) => !expected.includes(key));
          const live = await ctx.consents.findLive(jobseeker.id, clientId);
          expect(live?.fields).toEqual(expected);
          // Never widens: nothing outside what was granted, whatever `keep` held.
          for (const key of live?.fields ?? []) expect(before).toContain(key);
          expect(changed).toBe(removed.length > 0);

          const events = await ctx.eventsOf(consent.id);
          if (removed.length) {
            expect(events).toHaveLength(2);
            expect(events[1]).toMatchObject({
              kind: 'narrowed',
              actor: 'jobseeker',
              fields_added: [],
              fields_removed: removed,
              fields_after: expected,
              texts_hash: consent.texts_hash,
              request_id: requestId,
            });
          } else {
            expect(events.map((e) => e.kind)).toEqual(['granted']);
          }
          const out = await ctx.released(jobseeker.id, clientId);
          for (const key of out) expect(expected).toContain(key);
          for (const key of removed) expect(out).not.toContain(key);
        },
      ),
      { numRuns: 40, seed: 18_05 },
    );
  });

  it('never brings back a field taken back, even when asked to keep it', async () => {
    const { jobseeker, decide } = await ctx.createPair();
    const consent = await decide({
      requested: PAGE,
      ticked: ['openid.sub', 'competences.code', 'statut.dateInscription'],
    });
    await ctx.consentChanges.narrow(jobseeker.id, consent.id, ['competences.code']);
    const again = await ctx.consentChanges.narrow(jobseeker.id, consent.id, [
      'competences.code',
      'statut.dateInscription',
    ]);
    expect(again.changed).toBe(false);
    expect(await fieldsOf(consent.id)).toEqual(['competences.code', 'openid.sub']);
    expect((await ctx.eventsOf(consent.id)).map((e) => e.kind)).toEqual(['granted', 'narrowed']);
  });

  it('refuses to narrow a consent that is no longer live, or another jobseeker’s', async () => {
    const { jobseeker, decide } = await ctx.createPair();
    const consent = await decide({ requested: PAGE, ticked: ['openid.sub', 'competences.code'] });
    const other = await ctx.createJobseeker();
    await expect(ctx.consentChanges.narrow(other.id, consent.id, [])).rejects.toMatchObject({ status: 404 });
    await expect(ctx.consentChanges.narrow(jobseeker.id, 'not-a-uuid', [])).rejects.toMatchObject({
      status: 404,
    });

    await ctx.backdate(consent.id);
    await expect(ctx.consentChanges.narrow(jobseeker.id, consent.id, [])).rejects.toMatchObject({
      status: 409,
      code: 'consent_not_active',
    });
    expect(await fieldsOf(consent.id)).toEqual(['competences.code', 'openid.sub']);
    expect(await ctx.eventsOf(consent.id)).toHaveLength(1);
  });
});

async function fieldsOf(consentId: string) {
  const { rows } = await ctx.pool.query<{ fields: string[] }>('SELECT fields FROM consents WHERE id = $1', [
    consentId,
  ]);
  return rows[0]?.fields;
}
