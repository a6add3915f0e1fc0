// The consent record's history (consent_events): over random sequences of decisions and changes —
// consent pages, narrowing, renewal, revocation, expiry — the record and its events follow a small
// model written here. Every effective change appends exactly one event saying what was added, what was
// removed and what remained, by whom; a refused or empty change appends nothing; the live fields are
// the last event's; the next read releases only them; and the hash chain over the events holds.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/security/hash-chains.ts';
import { createServiceContext, type ServiceContext } from './support/service-context.ts';

let ctx: ServiceContext;
beforeAll(async () => {
  ctx = await createServiceContext();
});
afterAll(() => ctx?.close());

const SCOPES = ['statut', 'competences', 'langues'] as const;
type Op =
  | { op: 'grant'; scopes: string[]; tick: number[] }
  | { op: 'narrow'; keep: number[] }
  | { op: 'renew' }
  | { op: 'revoke' }
  | { op: 'expire' };

const indexes = fc.subarray([...Array(16).keys()]);
const grantOp = fc.record({
  op: fc.constant('grant' as const),
  scopes: fc.subarray([...SCOPES], { minLength: 1 }),
  tick: indexes,
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: grantOp },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('narrow' as const), keep: indexes }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('renew' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revoke' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const) }) },
);

interface ExpectedEvent {
  kind: string;
  fields_added: string[];
  fields_removed: string[];
  fields_after: string[];
  actor: string;
}
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const minus = (a: string[], b: string[]) => a.filter((k) => !b.includes(k));

describe('consent history', () => {
  it('records every change once, as the model says, and the live record is the last event', async () => {
    await fc.assert(
      fc.asyncProperty(grantOp, fc.array(opArb, { maxLength: 7 }), async (first, rest) => {
        const { jobseeker, clientId, decide } = await ctx.createPair();
        let consentId = '';
        let model = { status: 'none' as 'none' | 'active' | 'revoked' | 'expired', fields: [] as string[] };
        const expected: ExpectedEvent[] = [];
        const record = (
          kind: string,
          added: string[],
          removed: string[],
          after: string[],
          actor = 'jobseeker',
        ) =>
          expected.push({ kind, fields_added: added, fields_removed: removed, fields_after: after, actor });

        for (const step of [first, ...rest]) {
          const live = model.status === 'active';
          if (step.op === 'grant') {
            const requested = ctx.fieldsOf('openid', ...step.scopes);
            const ticked = ['openid.sub', ...step.tick.map((i) => requested[i % requested.length] as string)];
            const before = live ? model.fields : [];
            const after = sorted([...minus(before, requested), ...ticked]);
            const added = minus(after, before);
            const removed = minus(before, after);
            record(
              added.length ? 'granted' : removed.length ? 'narrowed' : 'extended',
              added,
              removed,
              after,
            );
            consentId = (await decide({ requested, ticked, interactionUid: randomUUID() })).id;
            model = { status: 'active', fields: after };
          } else if (step.op === 'narrow') {
            const keep = step.keep.map((i) => ctx.fieldsOf('openid', ...SCOPES)[i] as string);
            const narrowing = ctx.consentChanges.narrow(jobseeker.id, consentId, keep);
            if (!live) {
              await expect(narrowing).rejects.toMatchObject({ status: 409 });
              continue;
            }
            await narrowing;
            const after = model.fields.filter((k) => keep.includes(k) || k === 'openid.sub');
            const removed = minus(model.fields, after);
            if (removed.length) record('narrowed', [], removed, after);
            model = { status: 'active', fields: after };
          } else if (step.op === 'renew') {
            const renewing = ctx.consentChanges.renew(jobseeker.id, consentId);
            if (!live) {
              await expect(renewing).rejects.toMatchObject({ status: 409 });
              continue;
            }
            await renewing;
            record('extended', [], [], model.fields);
          } else if (step.op === 'revoke') {
            const { changed } = await ctx.consentChanges.revoke(jobseeker.id, consentId);
            expect(changed).toBe(model.status !== 'revoked');
            if (changed) record('revoked', [], live ? model.fields : [], []);
            if (changed) model = { status: 'revoked', fields: [] };
          } else {
            await ctx.backdate(consentId);
            await ctx.consentChanges.expireDue();
            if (live) {
              record('expired', [], model.fields, [], 'system');
              model = { status: 'expired', fields: model.fields };
            }
          }

          const out = await ctx.released(jobseeker.id, clientId);
          const liveFields = (await ctx.consents.findLive(jobseeker.id, clientId))?.fields;
          if (model.status === 'active') {
            expect(liveFields).toEqual(model.fields);
            for (const key of out) expect(model.fields).toContain(key);
          } else {
            expect(liveFields).toBeUndefined();
            expect(out).toEqual([]);
          }
        }

        const events = await ctx.eventsOf(consentId);
        expect(
          events.map(({ kind, fields_added, fields_removed, fields_after, actor }) => ({
            kind,
            fields_added,
            fields_removed,
            fields_after,
            actor,
          })),
        ).toEqual(expected);
        // Each event follows from the one before: what remained, plus what was added, minus what was removed.
        let after: string[] = [];
        for (const e of events) {
          if (e.kind === 'revoked' || e.kind === 'expired') expect(e.fields_after).toEqual([]);
          else expect(e.fields_after).toEqual(sorted(minus([...after, ...e.fields_added], e.fields_removed)));
          after = e.fields_after;
        }
      }),
      { numRuns: 25, seed: 18_05 },
    );
    const chain = await verifyChain(ctx.pool, 'consent_events');
    expect(chain).toMatchObject({ ok: true });
    expect(chain.rows).toBeGreaterThanOrEqual(25);
  });
});
