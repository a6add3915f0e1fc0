// Logs never carry secrets or personal data: a whole authorization (login, consent, token, API read)
// through a real server whose logs are captured (the redaction itself: test/unit/logger.test.ts).
import { describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { memoryStream } from '../support/memory-stream.ts';
import { startTestServer } from '../support/test-server.ts';

describe('the logs of a whole authorization', () => {
  it('carry request ids but no token, code, password or personal data', async () => {
    const out = memoryStream();
    const server = await startTestServer({ LOG_LEVEL: 'info' }, out);
    try {
      const jobseeker = await createJobseeker(server);
      const claims = jobseeker.claims as Record<string, string>;
      const competences = jobseeker.data.competences as { code: string; libelle: string }[];
      const client = await createClient(server);
      const config = await discover(server.issuer, client.client_id, client.client_secret);
      const flow = await authorize({
        config,
        redirectUri: client.redirectUri,
        scope: 'openid profile email offline_access competences',
        login: jobseeker,
        fields: ['profile.given_name', 'email.email', 'competences.libelle'],
        extra: { prompt: 'consent' },
      });
      const code = flow.callback.searchParams.get('code') as string;
      expect(code).toBeTruthy();
      const api = `${server.issuer}/api`;
      const tokens = await exchange(server, config, flow);
      expect(tokens.refresh_token).toBeTruthy();
      const read = await fetch(`${api}/v1/competences`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      // (The skill's code travels with its name: scopes/competences.yaml.)
      expect(await read.json()).toEqual(competences.map(({ code, libelle }) => ({ code, libelle })));
      // A failing login too: the submitted password must not be logged either.
      const wrong = await authorize({
        config,
        redirectUri: client.redirectUri,
        scope: 'openid',
        login: { login: jobseeker.login, password: 'wrong-password-3b7c9' },
      });
      expect(wrong.response.status).toBe(401);

      const records = out.records();
      const requests = records.filter((r) => r.msg === 'request');
      expect(requests.length).toBeGreaterThan(8);
      for (const r of requests) expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(requests.map((r) => r.path)).toEqual(
        expect.arrayContaining(['/token', '/api/v1/competences', expect.stringMatching(/^\/interaction\//)]),
      );

      const text = out.text();
      const forbidden = {
        code,
        state: flow.state,
        verifier: flow.verifier,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token as string,
        idToken: tokens.id_token as string,
        clientSecret: client.client_secret,
        password: jobseeker.password,
        wrongPassword: 'wrong-password-3b7c9',
        login: jobseeker.login,
        email: claims.email as string,
        givenName: claims.given_name as string,
        familyName: claims.family_name as string,
        competence: competences[0]?.libelle as string,
      };
      for (const [what, secret] of Object.entries(forbidden)) {
        expect(text.includes(secret), `${what} found in the logs`).toBe(false);
      }
    } finally {
      await server.close();
    }
  });
});
