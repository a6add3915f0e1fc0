// The contract between src/oidc/stored-token-reader.ts and oidc-provider. The resource API reads
// access tokens straight from oidc-provider's storage (one statement per read), so each kind of token
// the library mints is checked three ways, which must agree: the library's own models outside any
// request (AccessToken.find, isValid, then the grant and the app, as its introspection does), our
// reader on the API's statement, and the API over HTTP (with introspection over HTTP, where the
// library's lookups go through the adapter's read-ahead). The verdicts are pinned too, so that an
// upgrade that changes what the library accepts fails here rather than weakening the API quietly.
// The last part counts the statements of a request: it fails if the read-ahead stops serving the
// library's lookups, or if an API read takes more than its one statement.

import { readFile } from 'node:fs/promises';
import { generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findApiCaller } from '../../src/api/api-caller-queries.ts';
import { storedId } from '../../src/oidc/hashed-ids.ts';
import {
  READER_WRITTEN_FOR_OIDC_PROVIDER,
  storedAccessTokenVerdict,
} from '../../src/oidc/stored-token-reader.ts';
import { authorizedApp, exchange, grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const FIELDS = ['competences.code', 'competences.libelle'];
const SESSION_BOUND = 'openid competences';
const OFFLINE = 'openid competences offline_access';
const competencesUrl = () => new URL(`${server.issuer}/api/v1/competences`);

interface Minted {
  value: string;
  config: oidc.Configuration;
  dpop?: oidc.DPoPHandle;
  /** false when the app can no longer authenticate (suspended): no introspection over HTTP */
  introspectable?: boolean;
}

const tokenKey = (value: string) => storedId('AccessToken', value);

/** The library's verdict through its public models, as introspection.js (9.13.3) decides `active`:
 * AccessToken.find (which runs checkSessionBinding) and isValid, the grant for the same app and
 * account, and the app itself (Client.find: pending or suspended apps do not exist). */
async function libraryVerdict(value: string) {
  const provider = server.app.provider;
  const token = await provider.AccessToken.find(value);
  if (!token?.isValid) return { accepted: false };
  const Grant = provider.Grant as unknown as {
    find(id: string, o: { ignoreExpiration: boolean }): Promise<InstanceType<typeof provider.Grant>>;
  };
  const grant = token.grantId ? await Grant.find(token.grantId, { ignoreExpiration: true }) : undefined;
  const grantHolds =
    !!grant && !grant.isExpired && grant.clientId === token.clientId && grant.accountId === token.accountId;
  const client = grantHolds ? await provider.Client.find(token.clientId as string) : undefined;
  return {
    accepted: grantHolds && !!client,
    token: {
      accountId: token.accountId,
      clientId: token.clientId,
      scope: token.scope ?? '',
      aud: token.aud,
      jkt: token.jkt,
      senderConstrained: token.isSenderConstrained(),
      expiresWithSession: token.expiresWithSession === true,
    },
  };
}

/** Our reader's verdict, on the row of the API's own statement. */
async function readerVerdict(value: string) {
  const row = await findApiCaller(server.pool, tokenKey(value), null);
  const related = row ?? {
    grant_client_id: null,
    grant_account_id: null,
    session_account_id: null,
    session_grant_id: null,
  };
  const { accepted, token } = storedAccessTokenVerdict(row?.token, related, row?.client_status === 'active');
  return {
    accepted,
    token: token && {
      accountId: token.accountId,
      clientId: token.clientId,
      scope: token.scope,
      aud: token.aud,
      jkt: token.jkt,
      senderConstrained: !!token.jkt || token.otherBinding,
      expiresWithSession: token.expiresWithSession,
    },
  };
}

/** The API's answer to a read with the token (and its proof), as openid-client sends it. */
async function apiStatus(minted: Minted) {
  try {
    const response = await oidc.fetchProtectedResource(
      minted.config,
      minted.value,
      competencesUrl(),
      'GET',
      undefined,
      undefined,
      minted.dpop ? { DPoP: minted.dpop } : undefined,
    );
    return response.status;
  } catch (err) {
    // A refusal with a challenge is thrown, with the response.
    const response = (err as { response?: Response }).response;
    if (!response) throw err;
    return response.status;
  }
}

/** The three verdicts agree, and equal the pinned one. */
async function expectAgreement(minted: Minted, expected: boolean) {
  const library = await libraryVerdict(minted.value);
  const reader = await readerVerdict(minted.value);
  expect(library.accepted).toBe(expected);
  expect(reader.accepted).toBe(expected);
  if (expected) expect(reader.token).toEqual(library.token);
  expect(await apiStatus(minted)).toBe(expected ? 200 : 401);
  if (minted.introspectable !== false) {
    const introspection = await oidc.tokenIntrospection(minted.config, minted.value, {
      token_type_hint: 'access_token',
    });
    expect(introspection.active).toBe(expected);
    if (expected) expect(introspection.cnf?.jkt).toBe(library.token?.jkt);
  }
  return { library, reader };
}

async function mint(scope: string, o: { dpop?: boolean } = {}) {
  const authorized = await authorizedApp(server, { scope, fields: FIELDS });
  const dpop = o.dpop
    ? oidc.getDPoPHandle(authorized.config, await generateKeyPair('ES256', { extractable: true }))
    : undefined;
  const tokens = dpop
    ? await oidc.authorizationCodeGrant(
        authorized.config,
        authorized.flow.callback,
        {
          pkceCodeVerifier: authorized.flow.verifier,
          expectedState: authorized.flow.state,
          expectedNonce: authorized.flow.nonce,
        },
        { resource: `${server.issuer}/api` },
        { DPoP: dpop },
      )
    : await exchange(server, authorized.config, authorized.flow);
  return { ...authorized, tokens, minted: { value: tokens.access_token, config: authorized.config, dpop } };
}

const storedPayload = async (value: string) =>
  (
    await server.pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM oidc_models WHERE model = 'AccessToken' AND id = $1`,
      [tokenKey(value)],
    )
  ).rows[0]?.payload;

describe('stored-token-reader and oidc-provider agree on every kind of access token', () => {
  it('was written for the oidc-provider release installed', async () => {
    const installed = JSON.parse(
      await readFile(new URL('../../node_modules/oidc-provider/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    // On an upgrade: check the storage fields listed in stored-token-reader.ts, then bump the line.
    expect(installed.version.split('.').slice(0, 2).join('.')).toBe(READER_WRITTEN_FOR_OIDC_PROVIDER);
  });

  it('a plain token (offline access, not bound to the session)', async () => {
    const { minted } = await mint(OFFLINE);
    const { library } = await expectAgreement(minted, true);
    expect(library.token).toMatchObject({ expiresWithSession: false, senderConstrained: false });
  });

  it('a DPoP-bound token, presented with its proof', async () => {
    const { minted, tokens } = await mint(OFFLINE, { dpop: true });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const { library } = await expectAgreement(minted, true);
    expect(library.token?.jkt).toEqual(expect.any(String));
  });

  it('a session-bound token while its session lives, and once the session has ended', async () => {
    const { minted } = await mint(SESSION_BOUND);
    const { library } = await expectAgreement(minted, true);
    expect(library.token?.expiresWithSession).toBe(true);
    const sessionUid = (await storedPayload(minted.value))?.sessionUid;
    expect(sessionUid).toEqual(expect.any(String));
    // The session's lifetime runs out (as its cookie's would): the row is no longer found.
    const ended = await server.pool.query(
      `UPDATE oidc_models SET expires_at = now() - interval '1 second' WHERE model = 'Session' AND uid = $1`,
      [sessionUid],
    );
    expect(ended.rowCount).toBe(1);
    await expectAgreement(minted, false);
  });

  it('a session-bound token whose session now holds another grant for the app', async () => {
    const { minted } = await mint(SESSION_BOUND);
    const sessionUid = (await storedPayload(minted.value))?.sessionUid;
    const changed = await server.pool.query(
      `UPDATE oidc_models
          SET payload = jsonb_set(payload, '{authorizations}',
                (SELECT jsonb_object_agg(k, jsonb_set(v, '{grantId}', '"another-grant"'))
                   FROM jsonb_each(payload->'authorizations') AS e(k, v)))
        WHERE model = 'Session' AND uid = $1`,
      [sessionUid],
    );
    expect(changed.rowCount).toBe(1);
    await expectAgreement(minted, false);
  });

  it('an expired token: past its exp, and past its row’s expiry', async () => {
    const first = await mint(OFFLINE);
    // exp in the past while the row is still there: the library's isValid decides, and ours must too.
    await server.pool.query(
      `UPDATE oidc_models SET payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch FROM now())::int - 5))
        WHERE model = 'AccessToken' AND id = $1`,
      [tokenKey(first.minted.value)],
    );
    await expectAgreement(first.minted, false);
    const second = await mint(OFFLINE);
    await server.pool.query(
      `UPDATE oidc_models SET expires_at = now() - interval '1 second' WHERE model = 'AccessToken' AND id = $1`,
      [tokenKey(second.minted.value)],
    );
    await expectAgreement(second.minted, false);
  });

  it('a revoked token (RFC 7009)', async () => {
    const { minted } = await mint(OFFLINE);
    await expectAgreement(minted, true);
    await oidc.tokenRevocation(minted.config, minted.value, { token_type_hint: 'access_token' });
    await expectAgreement(minted, false);
  });

  it('a token whose grant is gone, or names another account', async () => {
    const first = await mint(OFFLINE);
    const grantId = (await storedPayload(first.minted.value))?.grantId;
    await server.pool.query(`DELETE FROM oidc_models WHERE model = 'Grant' AND id = $1`, [grantId]);
    await expectAgreement(first.minted, false);
    const second = await mint(OFFLINE);
    const otherGrant = (await storedPayload(second.minted.value))?.grantId;
    await server.pool.query(
      `UPDATE oidc_models SET payload = jsonb_set(payload, '{accountId}', '"someone-else"')
        WHERE model = 'Grant' AND id = $1`,
      [otherGrant],
    );
    await expectAgreement(second.minted, false);
  });

  it('the tokens around a refresh that rotates the refresh token', async () => {
    const { minted, tokens, config } = await mint(OFFLINE);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string, {
      resource: `${server.issuer}/api`,
    });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // oidc-provider leaves the access token issued before the refresh valid until it expires.
    await expectAgreement(minted, true);
    await expectAgreement({ value: refreshed.access_token, config }, true);
  });

  it('a token of an app that has been suspended', async () => {
    const { minted, client } = await mint(OFFLINE);
    await expectAgreement(minted, true);
    await server.pool.query(`UPDATE clients SET status = 'suspended' WHERE id = $1`, [client.client_id]);
    await expectAgreement({ ...minted, introspectable: false }, false);
  });
});

// Every statement the process sends, while recording: the pool's clients are pg.Client instances.
const sent: { name?: string; text: string }[] = [];
let recording = false;
const originalQuery = pg.Client.prototype.query;
beforeAll(() => {
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (recording) {
      const first = args[0] as string | { name?: string; text: string };
      sent.push(typeof first === 'string' ? { text: first } : { name: first.name, text: first.text });
    }
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
});
afterAll(() => {
  pg.Client.prototype.query = originalQuery;
});
afterEach(() => {
  recording = false;
  sent.length = 0;
});

/** The statements sent while `work` runs that read or write oidc-provider's rows or the apps'. */
async function statementsOf(work: () => Promise<unknown>) {
  sent.length = 0;
  recording = true;
  await work();
  recording = false;
  return sent.filter((s) => /\b(oidc_models|clients)\b/.test(s.text));
}

describe('the read-ahead and the API’s one statement', () => {
  it('serves userinfo’s lookups of the grant, the session and the app from the token’s statement', async () => {
    const { tokens, config } = await grantedApp(server, {
      scope: 'openid profile',
      fields: ['profile.given_name'],
      resource: false,
    });
    const sub = tokens.claims()?.sub as string;
    const statements = await statementsOf(() => oidc.fetchUserInfo(config, tokens.access_token, sub));
    expect(statements.map((s) => s.name)).toEqual(['oidc-find-token-with-related']);
  });

  it('still decides from what the read-ahead found: an ended session, then a suspended app', async () => {
    const { tokens, client } = await grantedApp(server, {
      scope: 'openid profile',
      fields: ['profile.given_name'],
      resource: false,
    });
    const userinfo = () =>
      fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await userinfo()).status).toBe(200);
    const sessionUid = (await storedPayload(tokens.access_token))?.sessionUid;
    await server.pool.query(
      `UPDATE oidc_models SET expires_at = now() - interval '1 second' WHERE model = 'Session' AND uid = $1`,
      [sessionUid],
    );
    // Known not to exist: the read-ahead's null, which must not send the library to the database.
    let response: Response | undefined;
    const statements = await statementsOf(async () => {
      response = await userinfo();
    });
    expect(response?.status).toBe(401);
    expect(statements.map((s) => s.name)).toEqual(['oidc-find-token-with-related']);
    await server.pool.query(
      `UPDATE oidc_models SET expires_at = now() + interval '1 hour' WHERE model = 'Session' AND uid = $1`,
      [sessionUid],
    );
    expect((await userinfo()).status).toBe(200);
    await server.pool.query(`UPDATE clients SET status = 'suspended' WHERE id = $1`, [client.client_id]);
    expect((await userinfo()).status).toBe(401);
  });

  // Every statement of the read, save the access log's batched write (which may land at any time).
  const readStatements = async (minted: Minted) => {
    sent.length = 0;
    recording = true;
    const status = await apiStatus(minted);
    recording = false;
    const statements = sent
      .filter((s) => !/\baccess_log\b/.test(s.text))
      .map((s) => s.name ?? s.text.trim().split(/\s+/).slice(0, 3).join(' '));
    return { status, statements };
  };

  it('reads the API with one statement for a Bearer token', async () => {
    const { minted } = await mint(OFFLINE);
    expect(await readStatements(minted)).toEqual({ status: 200, statements: ['api-caller'] });
  });

  it('reads the API with one statement for a DPoP-bound token, besides recording the proof', async () => {
    const { minted } = await mint(OFFLINE, { dpop: true });
    expect(await readStatements(minted)).toEqual({
      status: 200,
      statements: ['api-caller', 'INSERT INTO dpop_jti'],
    });
  });
});
