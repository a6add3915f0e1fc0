// The redirect URI rules (src/clients/redirect-uri-rules.ts, SECURITY.md « Public clients », « Partner
// apps »), property by property over generated URIs with a fixed seed: https anywhere; http only on a
// loopback host outside production, or on a loopback IP for a public (native) client in production
// too; private-use schemes with a dot for public clients only; never a fragment, a wildcard, a space or
// user:password, whatever else the URI says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNativeRedirectUri, redirectUriProblem } from '../../src/clients/redirect-uri-rules.ts';

const RUNS = { numRuns: 300, seed: 18_05 };

const WHO = [
  { production: false, publicClient: false },
  { production: true, publicClient: false },
  { production: false, publicClient: true },
  { production: true, publicClient: true },
] as const;
const who = fc.constantFrom(...WHO);
const problem = (uri: string, w: (typeof WHO)[number]) =>
  redirectUriProblem(uri, w.production, { publicClient: w.publicClient });

// A path and query of URL-safe characters (no '*', '#', space): what a real callback looks like.
const pathPart = fc
  .array(fc.stringMatching(/^[a-zA-Z0-9._~-]{1,12}$/), { maxLength: 4 })
  .map((segments) => `/${segments.join('/')}`);
const queryPart = fc.option(
  fc.stringMatching(/^[a-z]{1,6}=[a-zA-Z0-9]{0,8}$/).map((q) => `?${q}`),
  { nil: '' },
);
const port = fc.option(
  fc.integer({ min: 1, max: 65_535 }).map((p) => `:${p}`),
  { nil: '' },
);
// Public host names, never a loopback one.
const publicHost = fc.domain().filter((h) => h !== 'localhost' && !h.endsWith('.localhost'));
const loopbackIp = fc.constantFrom('127.0.0.1', '[::1]');
const uri = (scheme: string, host: fc.Arbitrary<string>) =>
  fc.tuple(host, port, pathPart, queryPart).map(([h, p, path, q]) => `${scheme}://${h}${p}${path}${q}`);
const httpsUri = uri('https', publicHost);
// A private-use scheme named after a reversed domain (RFC 8252 §7.1: "com.example.app:/oauth2redirect").
const privateScheme = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9]{1,8}$/),
    fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 3 }),
  )
  .map(([head, rest]) => [head, ...rest].join('.'));
const privateUseUri = fc.tuple(privateScheme, pathPart).map(([scheme, path]) => `${scheme}:${path}`);
// Every URI any of the rules may accept: the properties below add one fault to it.
const acceptable = fc.oneof(
  httpsUri,
  uri('http', loopbackIp),
  uri('http', fc.constant('localhost')),
  privateUseUri,
);

describe('redirect URI rules', () => {
  it('accepts https on any public host, for every kind of app, in production and out of it', () => {
    fc.assert(
      fc.property(httpsUri, who, (value, w) => {
        expect(problem(value, w)).toBeUndefined();
        expect(isNativeRedirectUri(value)).toBe(false);
      }),
      RUNS,
    );
  });

  it('refuses http on a host that is not loopback, always', () => {
    fc.assert(
      fc.property(uri('http', publicHost), who, (value, w) => {
        expect(problem(value, w)).toMatch(/https/);
      }),
      RUNS,
    );
  });

  it('accepts http on loopback outside production only, but a native app’s loopback IP everywhere', () => {
    fc.assert(
      fc.property(uri('http', loopbackIp), uri('http', fc.constant('localhost')), who, (ip, name, w) => {
        // RFC 8252 §7.3: the request never leaves the device; §8.3: "localhost" is NOT RECOMMENDED.
        expect(problem(ip, w) === undefined).toBe(!w.production || w.publicClient);
        expect(problem(name, w) === undefined).toBe(!w.production);
        expect(isNativeRedirectUri(ip)).toBe(true);
        expect(isNativeRedirectUri(name)).toBe(true);
      }),
      RUNS,
    );
  });

  it('accepts a private-use scheme named after a domain for public clients only', () => {
    fc.assert(
      fc.property(privateUseUri, who, (value, w) => {
        expect(problem(value, w) === undefined).toBe(w.publicClient);
        expect(isNativeRedirectUri(value)).toBe(true);
      }),
      RUNS,
    );
  });

  it('refuses a custom scheme without a dot, and javascript: or data: in any case, even for public clients', () => {
    const dotless = fc
      .stringMatching(/^[a-z][a-z0-9+-]{0,10}$/)
      .filter((s) => s !== 'http' && s !== 'https')
      .chain((s) => pathPart.map((path) => `${s}:${path}`));
    const scriptLike = fc
      .tuple(fc.constantFrom('javascript', 'data', 'vbscript'), fc.boolean(), pathPart)
      .map(([scheme, upper, path]) => `${upper ? scheme.toUpperCase() : scheme}:${path}`);
    fc.assert(
      fc.property(fc.oneof(dotless, scriptLike), who, (value, w) => {
        expect(problem(value, w)).toBeDefined();
      }),
      RUNS,
    );
    for (const w of WHO) {
      expect(problem('javascript:alert(1)', w)).toBeDefined();
      expect(problem('JavaScript://example.fr/%0aalert(1)', w)).toBeDefined();
      expect(problem('data:text/html,<script>alert(1)</script>', w)).toBeDefined();
    }
  });

  it('refuses a fragment anywhere, even an empty one', () => {
    fc.assert(
      fc.property(acceptable, fc.stringMatching(/^[a-zA-Z0-9=&]{0,8}$/), who, (value, fragment, w) => {
        expect(problem(`${value}#${fragment}`, w)).toMatch(/fragment/);
      }),
      RUNS,
    );
  });

  it('refuses a wildcard or a space at any position', () => {
    fc.assert(
      fc.property(acceptable, fc.nat(), fc.constantFrom('*', ' ', '\t', '\n'), who, (value, at, bad, w) => {
        const i = at % (value.length + 1);
        expect(problem(`${value.slice(0, i)}${bad}${value.slice(i)}`, w)).toMatch(/joker|espace/);
      }),
      RUNS,
    );
  });

  it('refuses user:password or a user name before the host', () => {
    const userinfo = fc.oneof(
      fc.stringMatching(/^[a-z]{1,8}$/),
      fc
        .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{0,8}$/))
        .map(([u, p]) => `${u}:${p}`),
    );
    const withUserinfo = fc
      .tuple(fc.constantFrom('https', 'http'), userinfo, fc.oneof(publicHost, loopbackIp), pathPart)
      .map(([scheme, u, h, path]) => `${scheme}://${u}@${h}${path}`);
    fc.assert(
      fc.property(withUserinfo, who, (value, w) => {
        expect(problem(value, w)).toBeDefined();
      }),
      RUNS,
    );
    // The host a browser would go to is the one after '@', not the trusted-looking one before it.
    expect(problem('https://app.example.fr@evil.example/cb', WHO[1])).toMatch(/identifiants/);
  });

  it('refuses what is not an absolute URL', () => {
    for (const value of ['/callback', 'callback', '//app.example.fr/cb', '', 'https://']) {
      for (const w of WHO) expect(problem(value, w)).toBeDefined();
    }
  });
});
