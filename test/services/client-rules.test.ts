// The client registration rules (src/clients/client-rules.ts) and the clients service that applies
// them on the real database: the SIRET check (14 digits, Luhn, La Poste's exception), the vetting an
// app needs before it is active, one host for all redirect URIs, sensitive scopes for high-assurance
// apps only, native redirects for public clients only; and redirect URIs stored and handed to
// oidc-provider exactly as registered, which then matches them exactly.

import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientRules } from '../../src/clients/client-rules.ts';
import type { ClientValues } from '../../src/clients/client-values.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { createPostgresAdapterClass } from '../../src/oidc/postgres-adapter.ts';
import { providerClientMetadata } from '../../src/oidc/provider-client-metadata.ts';
import { createServiceContext, type ServiceContext } from './support/service-context.ts';

const RUNS = { numRuns: 200, seed: 18_05 };

let ctx: ServiceContext;
beforeAll(async () => {
  ctx = await createServiceContext();
});
afterAll(() => ctx?.close());

const base = (over: ClientValues = {}): ClientValues => ({
  name: 'Mon appli',
  redirect_uris: ['https://app.example.fr/callback'],
  scopes: ['openid', 'competences'],
  ...over,
});
/** The 400's description, or undefined when the input passes. */
// Built once per environment, as the clients service does.
const built = new Map<boolean, ReturnType<typeof clientRules>>();
function rules(production: boolean) {
  const found = built.get(production) ?? clientRules(ctx.catalog, production);
  built.set(production, found);
  return found;
}
function refusal(input: ClientValues, production = false): string | undefined {
  try {
    rules(production).parse(input);
    return undefined;
  } catch (err) {
    expect(err).toMatchObject({ status: 400, code: 'invalid_client_metadata' });
    return (err as Error).message;
  }
}

// The Luhn check digit, computed here independently of the code under test.
function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const digitSum = (s: string) => [...s].reduce((t, d) => t + Number(d), 0);
const LA_POSTE = '356000000';
const siretRefused = (siret: string) => refusal(base({ operator_siret: siret }));

describe('SIRET', () => {
  it('accepts 14 digits whose Luhn sum is a multiple of 10, surrounding spaces trimmed', () => {
    fc.assert(
      fc.property(digits(13), fc.boolean(), (body, padded) => {
        const siret = body + luhnDigit(body);
        expect(siretRefused(padded ? ` ${siret} ` : siret)).toBeUndefined();
        expect(rules(false).parse(base({ operator_siret: siret })).operator_siret).toBe(siret);
      }),
      RUNS,
    );
  });

  it('refuses a valid SIRET with one digit changed (Luhn catches every single-digit error)', () => {
    fc.assert(
      fc.property(
        digits(13),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 1, max: 9 }),
        (body, at, shift) => {
          const siret = body + luhnDigit(body);
          const changed = siret.slice(0, at) + String((Number(siret[at]) + shift) % 10) + siret.slice(at + 1);
          fc.pre(!changed.startsWith(LA_POSTE));
          expect(siretRefused(changed)).toMatch(/operator_siret: SIRET invalide/);
        },
      ),
      RUNS,
    );
  });

  it('refuses anything but exactly 14 digits', () => {
    const wrongLength = fc
      .integer({ min: 0, max: 20 })
      .filter((n) => n !== 14)
      .chain(digits)
      .filter((s) => s.length > 0);
    const notDigits = fc
      .tuple(digits(13), fc.constantFrom('a', '-', '.', '٣', '１', 'O'), fc.integer({ min: 0, max: 13 }))
      .map(([body, bad, at]) => body.slice(0, at) + bad + body.slice(at));
    fc.assert(
      fc.property(fc.oneof(wrongLength, notDigits), (value) => {
        expect(siretRefused(value)).toMatch(/operator_siret/);
      }),
      RUNS,
    );
    // Spaces inside (as SIRETs are often written) are not digits either.
    expect(siretRefused('356 000 000 00048')).toMatch(/operator_siret/);
  });

  it('accepts La Poste’s establishments by their digit sum (a multiple of 5), and no other exception', () => {
    fc.assert(
      fc.property(digits(5), (tail) => {
        const siret = LA_POSTE + tail;
        const luhn = luhnDigit(siret.slice(0, 13)) === siret[13];
        const accepted = luhn || digitSum(siret) % 5 === 0;
        expect(siretRefused(siret) === undefined).toBe(accepted);
      }),
      RUNS,
    );
    expect(siretRefused('35600000000048')).toBeUndefined(); // the head office
    expect(siretRefused('35600000049837')).toBeUndefined(); // an establishment: digit sum 45, Luhn fails
    // The same digit-sum rule elsewhere is no exception (digit sum 10, Luhn fails).
    expect(siretRefused('12300000000004')).toMatch(/operator_siret/);
  });

  it('leaves the SIRET optional', () => {
    expect(rules(false).parse(base({ operator_siret: null })).operator_siret).toBeNull();
    expect(rules(false).parse(base()).operator_siret).toBeNull();
  });
});

describe('client rules', () => {
  const VETTED = {
    purposes: { competences: 'Remplir votre CV.' },
    free_for_jobseekers: true,
    policy_uri: 'https://app.example.fr/confidentialite',
    contact_email: 'dpo@app.example.fr',
  };

  it('activates an app only with every piece of vetting, and names each one missing', () => {
    const missing = fc.subarray(['purposes', 'free_for_jobseekers', 'policy_uri', 'contact_email'] as const);
    fc.assert(
      fc.property(missing, (absent) => {
        const input = base({ ...VETTED, status: 'active' });
        for (const key of absent) delete input[key];
        const message = refusal(input);
        expect(message === undefined).toBe(absent.length === 0);
        const names = {
          purposes: 'purposes.competences',
          free_for_jobseekers: 'free_for_jobseekers',
          policy_uri: 'policy_uri',
          contact_email: 'contacts',
        };
        for (const key of absent) expect(message).toContain(names[key]);
        // Pending, the same app is accepted: vetting is what activation needs.
        expect(refusal({ ...input, status: 'pending' })).toBeUndefined();
      }),
      { numRuns: 16, seed: 18_05 },
    );
  });

  it('requires openid and known scopes, and purposes only for the app’s own data scopes', () => {
    expect(refusal(base({ scopes: ['competences'] }))).toMatch(/openid/);
    expect(refusal(base({ scopes: ['openid', 'nope'] }))).toMatch(/scope inconnu/);
    expect(refusal(base({ purposes: { langues: 'Pas demandé.' } }))).toMatch(/purposes\.langues/);
    expect(refusal(base({ scopes: ['openid', 'profile'], purposes: { profile: 'x' } }))).toMatch(
      /purposes\.profile/,
    );
  });

  it('keeps every redirect URI of an app on one host', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('app.example.fr', 'api.example.fr', 'app.example.fr:8443'), {
          minLength: 1,
          maxLength: 4,
        }),
        (hosts) => {
          const message = refusal(base({ redirect_uris: hosts.map((h, i) => `https://${h}/cb${i}`) }));
          expect(message === undefined).toBe(new Set(hosts).size === 1);
          if (message) expect(message).toMatch(/même hôte/);
        },
      ),
      { numRuns: 50, seed: 18_05 },
    );
  });

  it('applies the redirect URI rules to redirect and post-logout URIs, with the app’s kind and the environment', () => {
    const native = 'fr.example.appli:/retour';
    expect(refusal(base({ redirect_uris: [native] }))).toMatch(/redirect_uris\.0/);
    expect(refusal(base({ redirect_uris: [native], token_endpoint_auth_method: 'none' }))).toBeUndefined();
    expect(refusal(base({ redirect_uris: ['http://localhost:8080/cb'] }))).toBeUndefined();
    expect(refusal(base({ redirect_uris: ['http://localhost:8080/cb'] }), true)).toMatch(/redirect_uris\.0/);
    expect(refusal(base({ post_logout_redirect_uris: ['https://app.example.fr/bye#x'] }))).toMatch(
      /post_logout_redirect_uris\.0.*fragment/,
    );
    // A link shown to people may carry a fragment; a redirect URI may not.
    expect(refusal(base({ policy_uri: 'https://app.example.fr/legal#donnees' }))).toBeUndefined();
    expect(refusal(base({ policy_uri: 'javascript:alert(1)' }))).toMatch(/policy_uri/);
  });

  it('keeps sensitive scopes for high-assurance apps, which authenticate by key', async () => {
    expect(refusal(base({ scopes: ['openid', 'indemnisation'] }))).toMatch(/indemnisation.*high_assurance/);
    expect(refusal(base({ scopes: ['openid', 'indemnisation'], high_assurance: true }))).toMatch(
      /token_endpoint_auth_method.*private_key_jwt/,
    );
    const { publicKey, privateKey } = await generateKeyPair('PS256', { extractable: true });
    const key = { ...(await exportJWK(publicKey)), alg: 'PS256', use: 'sig' };
    const highAssurance = base({
      scopes: ['openid', 'indemnisation'],
      high_assurance: true,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key] },
    });
    expect(refusal(highAssurance)).toBeUndefined();
    const withPrivate = { ...(await exportJWK(privateKey)), alg: 'PS256' };
    expect(refusal({ ...highAssurance, jwks: { keys: [withPrivate] } })).toMatch(/publique/);
    expect(refusal({ ...highAssurance, jwks: { keys: [{ ...key, alg: 'RS256' }] } })).toMatch(/alg/);
    // A public client holds no keys, so it is never high-assurance.
    expect(refusal({ ...highAssurance, token_endpoint_auth_method: 'none' })).toMatch(/jwks/);
  });
});

describe('clients service', () => {
  it('stores redirect URIs as registered and hands them to oidc-provider unchanged, which matches them exactly', async () => {
    // Spellings a normalising parser would rewrite (new URL().href): case, default port, a bare host,
    // dot segments, an escaped character. Exact matching (RFC 9700 §4.1.3) needs them kept as given.
    const registered = [
      'https://App.Example.fr:443/Callback?b=2&a=1',
      'https://app.example.fr/a/../cb',
      'https://app.example.fr/c%62',
    ];
    const id = await ctx.createClient({ redirect_uris: registered.map((u) => ` ${u}`) });
    const row = await ctx.clients.find(id);
    expect(row?.redirect_uris).toEqual(registered);
    const box = createSecretBox('service-tests-key-0123456789abcdef0123456789');
    // Without the sealed secret: the metadata's redirect URIs are what is checked here.
    const metadata = providerClientMetadata(
      { ...(row as NonNullable<typeof row>), secret_ciphertext: null },
      box,
      new Set(),
    );
    expect(metadata?.redirect_uris).toEqual(registered);

    const { privateKey: signingKey } = await generateKeyPair('RS256', { extractable: true });
    const provider = new Provider('http://127.0.0.1:9', {
      adapter: createPostgresAdapterClass(ctx.pool),
      jwks: { keys: [{ ...(await exportJWK(signingKey)), alg: 'RS256', use: 'sig', kid: 'k' }] },
      features: { devInteractions: { enabled: false } },
      clients: [
        {
          client_id: id,
          client_secret: 'x'.repeat(43),
          redirect_uris: metadata?.redirect_uris as string[],
          application_type: metadata?.application_type as 'web',
        },
      ],
    });
    const client = await provider.Client.find(id);
    for (const uri of registered) expect(client?.redirectUriAllowed(uri)).toBe(true);
    for (const uri of [
      'https://app.example.fr/Callback?b=2&a=1',
      'https://App.Example.fr/Callback?b=2&a=1',
      'https://App.Example.fr:443/Callback?a=1&b=2',
      'https://App.Example.fr:443/Callback?b=2&a=1&c=3',
      'https://App.Example.fr:443/Callback/?b=2&a=1',
      // what '/a/../cb' and '/c%62' become once normalised
      'https://app.example.fr/cb',
    ]) {
      expect(client?.redirectUriAllowed(uri)).toBe(false);
    }
  });

  it('validates a change as a whole and leaves the row and its audit untouched when refused', async () => {
    const id = await ctx.createClient({ status: 'pending', purposes: {}, scopes: ['openid', 'competences'] });
    await expect(ctx.clients.update(id, { status: 'active' }, { actor: 'cli' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('purposes.competences'),
    });
    await expect(
      ctx.clients.update(
        id,
        { redirect_uris: ['https://app.example.fr/cb', 'https://other.example.fr/cb'] },
        { actor: 'cli' },
      ),
    ).rejects.toMatchObject({ status: 400 });
    expect((await ctx.clients.find(id))?.status).toBe('pending');
    const audit = await ctx.pool.query('SELECT action FROM admin_audit WHERE target_id = $1 ORDER BY id', [
      id,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual(['client.create']);

    await ctx.clients.update(
      id,
      { purposes: { competences: 'Remplir votre CV.' }, status: 'active' },
      { actor: 'cli' },
    );
    expect((await ctx.clients.find(id))?.status).toBe('active');
  });
});
