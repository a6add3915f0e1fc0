// How consent decisions are recorded: the live row, its append-only history, and the texts shown,
// read back with plain SQL. Ends with an expired consent seen from the resource API over HTTP.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashTexts } from '../../src/catalog/load-catalog.ts';
import type { GrantDecision } from '../../src/consents/consent-service.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const COMPETENCES = ['competences.code', 'competences.libelle', 'competences.type', 'competences.niveau'];
const STATUT = ['statut.codeStatutIndividu', 'statut.libelleStatutIndividu'];
const PURPOSES = { competences: 'Remplir votre CV.', langues: 'Non affiché ici.' };

// A jobseeker and an app, and a way to record decisions between them.
async function pair() {
  const [jobseeker, client] = await Promise.all([createJobseeker(server), createClient(server)]);
  const decide = (over: Partial<GrantDecision> & Pick<GrantDecision, 'requested' | 'ticked'>) =>
    server.app.services.consents.grant({
      jobseekerId: jobseeker.id,
      clientId: client.client_id,
      purposes: PURPOSES,
      durationDays: 30,
      interactionUid: randomUUID(),
      ...over,
    });
  return { jobseeker, client, decide };
}

type EventRow = { kind: string; fields_added: string[]; fields_removed: string[]; fields_after: string[] };
async function eventsOf(consentId: string) {
  const { rows } = await server.pool.query<EventRow & { texts_hash: string; actor: string }>(
    'SELECT * FROM consent_events WHERE consent_id = $1 ORDER BY id',
    [consentId],
  );
  return rows;
}

describe('consent recording', () => {
  it('records a first grant with one event and the exact texts shown', async () => {
    const { jobseeker, client, decide } = await pair();
    const requested = [...COMPETENCES, ...STATUT];
    const consent = await decide({ requested, ticked: ['statut.codeStatutIndividu', 'competences.code'] });

    const { rows } = await server.pool.query('SELECT * FROM consents WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: consent.id,
      client_id: client.client_id,
      status: 'active',
      fields: ['competences.code', 'statut.codeStatutIndividu'],
    });

    const events = await eventsOf(consent.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'granted',
      actor: 'jobseeker',
      fields_added: ['competences.code', 'statut.codeStatutIndividu'],
      fields_removed: [],
      fields_after: ['competences.code', 'statut.codeStatutIndividu'],
      texts_hash: consent.texts_hash,
    });

    const texts = await server.pool.query('SELECT texts FROM consent_texts WHERE hash = $1', [
      consent.texts_hash,
    ]);
    const shown = server.app.services.consents.textsShown(requested, PURPOSES);
    expect(consent.texts_hash).toBe(shown.hash);
    expect(texts.rows[0]?.texts).toEqual(shown.texts);
    // The stored texts (jsonb reorders keys) still hash to the recorded value: the record is checkable.
    expect(hashTexts(texts.rows[0]?.texts)).toBe(consent.texts_hash);
    // Every field shown is in the texts, ticked or not; the purpose of a scope not shown is not.
    expect(Object.keys(texts.rows[0]?.texts.catalog.scopes.competences.fields)).toHaveLength(4);
    expect(texts.rows[0]?.texts.purposes).toEqual({ competences: 'Remplir votre CV.' });
  });

  it('grants nothing that was not on the page, whatever the form says', async () => {
    const { decide } = await pair();
    const consent = await decide({
      requested: ['competences.code', 'competences.libelle'],
      ticked: [
        'competences.code',
        'competences.type',
        'statut.categorieInscription',
        'competences.nope',
        'x',
      ],
    });
    expect(consent.fields).toEqual(['competences.code']);
    expect((await eventsOf(consent.id))[0]?.fields_added).toEqual(['competences.code']);
  });

  it('records fewer fields on the same page as narrowed, keeping scopes not on the page', async () => {
    const { decide } = await pair();
    await decide({ requested: [...COMPETENCES, ...STATUT], ticked: ['competences.code', ...STATUT] });
    const consent = await decide({ requested: COMPETENCES, ticked: [] });
    expect(consent.fields).toEqual(STATUT);

    const events = await eventsOf(consent.id);
    expect(events.map((e) => e.kind)).toEqual(['granted', 'narrowed']);
    expect(events[1]).toMatchObject({
      fields_added: [],
      fields_removed: ['competences.code'],
      fields_after: STATUT,
    });
  });

  it('records a double submission once, one after the other or at the same time', async () => {
    const { decide } = await pair();
    const interactionUid = randomUUID();
    const first = await decide({ requested: COMPETENCES, ticked: ['competences.code'], interactionUid });
    const again = await decide({ requested: COMPETENCES, ticked: ['competences.code'], interactionUid });
    expect(again.id).toBe(first.id);
    expect(await eventsOf(first.id)).toHaveLength(1);

    const { decide: decideOther } = await pair();
    const uid = randomUUID();
    const both = await Promise.all(
      [0, 1].map(() =>
        decideOther({ requested: COMPETENCES, ticked: ['competences.libelle'], interactionUid: uid }),
      ),
    );
    expect(both[0]?.id).toBe(both[1]?.id);
    const events = await eventsOf(both[0]?.id as string);
    expect(events).toHaveLength(1);
    expect(events[0]?.fields_after).toEqual(['competences.libelle']);

    // A second page on an existing consent, submitted twice at once, is also one event.
    const uid2 = randomUUID();
    await Promise.all(
      [0, 1].map(() => decideOther({ requested: COMPETENCES, ticked: [], interactionUid: uid2 })),
    );
    expect((await eventsOf(both[0]?.id as string)).map((e) => e.kind)).toEqual(['granted', 'narrowed']);
  });

  it('keeps consent_events append-only', async () => {
    const { decide } = await pair();
    const consent = await decide({ requested: COMPETENCES, ticked: ['competences.code'] });
    await expect(
      server.pool.query("UPDATE consent_events SET kind = 'revoked' WHERE consent_id = $1", [consent.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      server.pool.query('DELETE FROM consent_events WHERE consent_id = $1', [consent.id]),
    ).rejects.toThrow(/append-only/);
    const events = await eventsOf(consent.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.kind).toBe('granted');
  });

  it('stops serving an expired consent, in the service and in the API', async () => {
    const { jobseeker, client, tokens } = await grantedApp(server, {
      scope: 'openid competences',
      fields: ['competences.code'],
    });
    const read = () =>
      fetch(`${server.issuer}/api/v1/competences`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
    expect((await read()).status).toBe(200);
    const consents = server.app.services.consents;
    expect(await consents.findLive(jobseeker.id, client.client_id)).toBeDefined();

    await server.pool.query(
      "UPDATE consents SET expires_at = now() - interval '1 minute' WHERE jobseeker_id = $1 AND client_id = $2",
      [jobseeker.id, client.client_id],
    );
    expect(await consents.findLive(jobseeker.id, client.client_id)).toBeUndefined();
    const response = await read();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
  });
});
