// Logs never carry secrets or personal data: the redaction of createLogger (a whole authorization
// through a real server is test/integration/authorization-logs.test.ts).
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { memoryStream } from '../support/memory-stream.ts';

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
