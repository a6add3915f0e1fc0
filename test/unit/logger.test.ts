// Logs never carry secrets or personal data: the redaction of createLogger, then a whole authorization
// (login, consent, token, API read) through a real server whose logs are captured.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { startTestServer } from '../support/test-server.ts';

function memoryStream() {
  const chunks: string[] = [];
  return {
    write: (chunk: string) => {
      chunks.push(chunk);
    },
    text: () => chunks.join(''),
    records: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe('createLogger', () => {
  const SECRETS = {
    authorization: 'Bearer header-token-7f3a',
    cookie: 'session=cookie-value-91c2',
    setCookie: 'session=set-cookie-value-5d10',
    password: 'password-value-4e8b',
    accessToken: 'access-token-value-2a6f',
    refreshToken: 'refresh-token-value-c3d9',
    idToken: 'id-token-value-88e1',
    clientSecret: 'client-secret-value-0b7e',
    code: 'authorization-code-value-6f24',
    email: 'claims-email@example.fr',
    value: 'Accueillir une clientèle (value)',
    data: 'Gérer un stock (data)',
  };

  it.each([
    [
      'request and response headers',
      {
        req: { headers: { authorization: SECRETS.authorization, cookie: SECRETS.cookie } },
        res: { headers: { 'set-cookie': [SECRETS.setCookie] } },
      },
    ],
    [
      'a nested form body',
      { body: { login: 'someone', password: SECRETS.password, client_secret: SECRETS.clientSecret } },
    ],
    [
      'a nested token response',
      {
        tokens: {
          access_token: SECRETS.accessToken,
          refresh_token: SECRETS.refreshToken,
          id_token: SECRETS.idToken,
          code: SECRETS.code,
        },
      },
    ],
    [
      'top-level secrets',
      {
        password: SECRETS.password,
        access_token: SECRETS.accessToken,
        refresh_token: SECRETS.refreshToken,
        client_secret: SECRETS.clientSecret,
        code: SECRETS.code,
      },
    ],
    [
      'profile values',
      { jobseeker: { claims: { email: SECRETS.email }, value: SECRETS.value, data: SECRETS.data } },
    ],
    [
      'top-level profile values',
      { claims: { email: SECRETS.email }, value: SECRETS.value, data: [SECRETS.data] },
    ],
  ])('redacts %s', (_, fields) => {
    const out = memoryStream();
    createLogger('info', out).info(fields, 'something happened');
    const text = out.text();
    expect(text).toContain('something happened');
    expect(text).toContain('[redacted]');
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it('keeps what is not secret', () => {
    const out = memoryStream();
    createLogger('info', out).info({ path: '/api/v1/competences', status: 403, requestId: 'r-1' }, 'request');
    expect(out.records()[0]).toMatchObject({ path: '/api/v1/competences', status: 403, requestId: 'r-1' });
  });

  it('writes nothing under its level', () => {
    const out = memoryStream();
    const logger = createLogger('warn', out);
    logger.info({ path: '/x' }, 'not written');
    logger.warn({ path: '/y' }, 'written');
    expect(out.records().map((r) => r.msg)).toEqual(['written']);
  });
});

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
