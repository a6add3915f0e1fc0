// Signed consent receipts: every consent event (given, narrowed, renewed, widened, withdrawn,
// expired) has a receipt the jobseeker downloads from the history — a JWS signed with our keys
// (verified here with jose against the JWKS) whose payload follows ISO/IEC TS 27560 — and a printable
// French page. The public page /recus/verifier and `npm run cli -- receipts verify FILE` accept a
// genuine receipt, refuse a tampered one, and still accept a receipt after a key rotation has taken
// its key out of the JWKS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSigningKeys } from '../../src/oidc/signing-keys.ts';
import type { ReceiptPayload } from '../../src/receipts/consent-receipt.ts';
import { signInToAccount } from '../support/account.ts';
import { authorize, discover } from '../support/authorize.ts';
import { runCli } from '../support/cli.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  // Keys are re-read every second (the signer follows a rotation within KEY_POLL_INTERVAL_SECONDS).
  server = await startTestServer({ KEY_POLL_INTERVAL_SECONDS: '1' });
  dir = mkdtempSync(path.join(tmpdir(), 'pec-receipts-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SCOPE = 'openid profile competences';

async function events(consentId: string) {
  const { rows } = await server.pool.query<{ id: string; kind: string }>(
    'SELECT id::text, kind FROM consent_events WHERE consent_id = $1 ORDER BY id',
    [consentId],
  );
  return rows;
}

const receiptOf = async (agent: UserAgent, consentId: string, eventId: string) => {
  const response = await agent.request(
    new URL(`${server.issuer}/account/consents/${consentId}/evenements/${eventId}/recu.jwt`),
  );
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toContain(`recu-consentement-${eventId}.jwt`);
  return response.text();
};

const verifyOnline = (jws: string) =>
  fetch(`${server.issuer}/recus/verifier`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ recu: jws }),
  });

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('signed consent receipts', () => {
  it('gives a signed receipt for every kind of event, verifiable with the JWKS, and a printable page', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server, {
      scopes: ['openid', 'profile', 'competences'],
      operator_name: 'Startup SAS',
    });
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const consentOnce = (fields: string[], agent?: UserAgent) =>
      authorize({
        config,
        redirectUri: client.redirectUri,
        scope: SCOPE,
        login: agent ? undefined : jobseeker,
        fields,
        agent,
        extra: { prompt: 'consent' },
      });
    const first = await consentOnce(['competences.code', 'competences.libelle']);
    const { rows } = await server.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    const consentId = rows[0].id as string;
    const changes = server.app.services.consentChanges;
    await changes.narrow(jobseeker.id, consentId, ['competences.libelle']);
    await changes.renew(jobseeker.id, consentId);
    await consentOnce(['competences.libelle', 'profile.given_name'], first.agent);
    await changes.revoke(jobseeker.id, consentId);
    // An expiry, on another app's consent.
    const other = await createClient(server, { scopes: ['openid', 'competences'] });
    const otherConfig = await discover(server.issuer, other.client_id, other.client_secret);
    await authorize({
      config: otherConfig,
      redirectUri: other.redirectUri,
      scope: 'openid competences',
      fields: ['competences.code'],
      agent: first.agent,
    });
    const otherConsent = (
      await server.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1 AND client_id = $2', [
        jobseeker.id,
        other.client_id,
      ])
    ).rows[0].id as string;
    await server.pool.query("UPDATE consents SET expires_at = now() - interval '1 second' WHERE id = $1", [
      otherConsent,
    ]);
    await changes.expireDue();

    const agent = await signInToAccount(server, jobseeker);
    const history = await agent.request(new URL(`${server.issuer}/account/consents/${consentId}/history`));
    const historyHtml = await history.text();
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    const types: string[] = [];
    for (const e of [...(await events(consentId)), ...(await events(otherConsent))]) {
      const consent = (await events(consentId)).some((x) => x.id === e.id) ? consentId : otherConsent;
      if (consent === consentId)
        expect(historyHtml).toContain(`/account/consents/${consentId}/evenements/${e.id}/recu.jwt`);
      const jws = await receiptOf(agent, consent, e.id);
      const { payload, protectedHeader } = await jwtVerify(jws, jwks, {
        issuer: server.issuer,
        typ: 'consent-receipt+jwt',
      });
      expect(protectedHeader.alg).toBe('RS256');
      const r = payload.consent_receipt as ReceiptPayload['consent_receipt'];
      types.push(r.event.type);
      expect(r).toMatchObject({
        schema: 'ISO/IEC TS 27560:2023',
        recordId: consent,
        eventId: e.id,
        piiPrincipalId: jobseeker.id,
      });
      expect(r.event.time).toEqual(expect.any(String));
      expect(
        r.purposes.every((p: { legalBasis: string }) => p.legalBasis === 'GDPR Art. 6(1)(a): consent'),
      ).toBe(true);
      if (consent === consentId) {
        expect(r.piiControllers[0]).toMatchObject({
          name: 'Startup SAS',
          serviceId: client.client_id,
          contact: 'donnees-personnelles@app.example.fr',
          privacyNotice: 'https://app.example.fr/confidentialite',
        });
        expect(r.notice).toEqual({
          hashAlgorithm: 'sha-256',
          textsHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
      }
    }
    expect(types).toEqual(['given', 'narrowed', 'renewed', 'widened', 'withdrawn', 'given', 'expired']);

    // The narrowing's receipt: what was taken back, what stayed, why the app asked (the texts shown).
    const narrowing = (await events(consentId))[1]?.id as string;
    const narrowed = (await jwtVerify(await receiptOf(agent, consentId, narrowing), jwks)).payload
      .consent_receipt as ReceiptPayload['consent_receipt'];
    expect(narrowed.fieldsRemoved).toEqual(['competences.code']);
    expect(narrowed.dataCategories).toEqual(['competences.libelle', 'openid.sub']);
    expect(narrowed.purposes).toContainEqual({
      scope: 'competences',
      purpose: 'Remplir votre CV.',
      legalBasis: 'GDPR Art. 6(1)(a): consent',
      piiCategories: ['competences.code', 'competences.libelle'],
    });
    const printable = await agent.request(
      new URL(`${server.issuer}/account/consents/${consentId}/evenements/${narrowing}/recu`),
    );
    expect(printable.status).toBe(200);
    const said = text(await printable.text());
    expect(said).toContain('Reçu : Accord réduit');
    expect(said).toContain('Responsable des données Startup SAS');
    expect(said).toContain('Votre consentement (RGPD, article 6, paragraphe 1, a)');
    expect(said).toContain('Remplir votre CV.');

    // Another jobseeker cannot have it.
    const stranger = await signInToAccount(server, await createJobseeker(server));
    const refused = await stranger.request(
      new URL(`${server.issuer}/account/consents/${consentId}/evenements/${narrowing}/recu.jwt`),
    );
    expect(refused.status).toBe(404);
  });

  it('checks a receipt on the public page and with the CLI, refuses a tampered one, and still accepts it after a key rotation', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server, { scopes: ['openid', 'competences'] });
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: 'openid competences',
      login: jobseeker,
      fields: ['competences.code'],
    });
    const { rows } = await server.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    const consentId = rows[0].id as string;
    const agent = await signInToAccount(server, jobseeker);
    const jws = await receiptOf(agent, consentId, (await events(consentId))[0]?.id as string);
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.consent_receipt.dataCategories.push('competences.niveau');
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;

    const genuine = await verifyOnline(jws);
    expect(genuine.status).toBe(200);
    expect(text(await genuine.text())).toContain('Ce reçu est authentique.');
    const forged = await verifyOnline(tampered);
    expect(forged.status).toBe(422);
    expect(text(await forged.text())).toContain('il a été modifié');
    expect((await verifyOnline('')).status).toBe(400);
    expect((await verifyOnline('not a receipt')).status).toBe(422);

    const file = path.join(dir, 'recu.jwt');
    const tamperedFile = path.join(dir, 'recu-modifie.jwt');
    writeFileSync(file, jws);
    writeFileSync(tamperedFile, tampered);
    const cli = (args: string[]) =>
      runCli(['receipts', 'verify', ...args], { databaseUrl: server.db.url, env: { ISSUER: server.issuer } });
    const ok = await cli([file]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, kid: decodeProtectedHeader(jws).kid });
    const bad = await cli([tamperedFile]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false });

    // A rotation whose old keys retire at once: the receipt's key leaves the JWKS...
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await rotateSigningKeys(server.pool, server.app.services.box, {
      activationDelaySeconds: 0,
      retireAfterSeconds: 0,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.app.providers.refresh();
    const published = await (await fetch(`${server.issuer}/jwks`)).json();
    expect(published.keys.map((k: { kid: string }) => k.kid)).not.toContain(decodeProtectedHeader(jws).kid);
    // ...and the receipt still verifies, online, with the CLI on the database and on the published keys.
    expect(text(await (await verifyOnline(jws)).text())).toContain('Ce reçu est authentique.');
    expect((await cli([file])).code).toBe(0);
    expect((await cli([file, '--issuer', server.issuer])).code).toBe(0);
    expect((await cli([tamperedFile, '--issuer', server.issuer])).code).toBe(1);
    // A receipt signed now, once the signer has re-read the keys, uses the new key.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await receiptOf(agent, consentId, (await events(consentId))[0]?.id as string);
    expect(decodeProtectedHeader(fresh).kid).not.toBe(decodeProtectedHeader(jws).kid);
  });
});
