// What mainstream relying parties read from the ID token and userinfo: `name` (Auth.js and passport
// show it), released exactly when both the given and family names are, and `sid` in every ID token
// (discovery advertises it), also after a refresh; nonce is optional (OIDC Core §3.1.2.1), echoed
// when sent.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function signIn(fields: string[], extra: Record<string, string> = {}) {
  const { jobseeker, config, flow } = await authorizedApp(server, {
    scope: 'openid profile offline_access',
    fields,
    // RFC 6749 §3.1: a parameter without a value is treated as omitted.
    extra,
  });
  const tokens = await oidc.authorizationCodeGrant(config, flow.callback, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: extra.nonce === undefined ? flow.nonce : undefined,
  });
  const claims = jobseeker.claims as Record<string, string>;
  return { config, tokens, claims, flow };
}

describe('identity claims', () => {
  it('name is the given and family names, in the ID token and at userinfo', async () => {
    const { config, tokens, claims } = await signIn(['profile.given_name', 'profile.family_name']);
    const name = `${claims.given_name} ${claims.family_name}`;
    const idToken = tokens.claims() as Record<string, unknown>;
    expect(idToken.name).toBe(name);
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub as string);
    expect(userinfo.name).toBe(name);
  });

  it('name is not released when only one of the two names is', async () => {
    const { config, tokens, claims } = await signIn(['profile.given_name']);
    const idToken = tokens.claims() as Record<string, unknown>;
    expect(idToken.given_name).toBe(claims.given_name);
    expect(idToken.name).toBeUndefined();
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub as string);
    expect(userinfo.name).toBeUndefined();
  });

  it('sid is in the ID token, the same after a refresh', async () => {
    const { config, tokens } = await signIn(['profile.given_name']);
    const sid = tokens.claims()?.sid;
    expect(sid).toEqual(expect.any(String));
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.claims()?.sid).toBe(sid);
  });

  it('a flow without nonce completes (nonce is optional with PKCE), and without it in the ID token', async () => {
    const { tokens } = await signIn(['profile.given_name'], { nonce: '' });
    expect(tokens.claims()?.nonce).toBeUndefined();
  });
});
