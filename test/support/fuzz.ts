// Shared pieces of the fuzz suite (test/fuzz/): hostile inputs as fast-check arbitraries, the checks
// every answer must pass (no 5xx, no stack trace, no SQL, no error dump), and a fingerprint of the
// database's meaningful state to prove that a rejected request changed nothing.
// Environment: FUZZ_RUNS=n runs every property n times (a longer nightly run); FUZZ_SEED=s replays the
// seed a failure printed; FUZZ_STATS=1 prints the statuses each route answered; FUZZ_DEBUG=text
// prints the requests containing text and their answers; FUZZ_SLOW=1 names requests over a second.
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, vi } from 'vitest';
import type { Queryable } from '../../src/db/pool.ts';

if (process.env.FUZZ_SEED) fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED) });

// FUZZ_STATS=1 prints how often each route answered each status: a check that the inputs get past
// the first validation often enough to reach the code behind it.
const stats = new Map<string, number>();
afterAll(() => {
  if (!process.env.FUZZ_STATS) return;
  console.log(
    [...stats]
      .sort()
      .map(([k, n]) => `${String(n).padStart(5)}  ${k}`)
      .join('\n'),
  );
});
function tally(what: string, status: number) {
  if (!process.env.FUZZ_STATS) return;
  const [method = '', url = ''] = what.split('\n')[0]?.split(' ') ?? [];
  const path = url
    .replace(/^https?:\/\/[^/]+/, '')
    .replace(/\?.*$/, '')
    .replace(/\/(?:[^/]{16,})(?=\/|$)/g, '/:id');
  const key = `${method} ${path.slice(0, 60)} → ${status}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
}

// ---------- Hostile strings ----------

export const NASTY = [
  '',
  ' ',
  "' OR 1=1 --",
  "'; DROP TABLE clients; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  "' UNION SELECT password_hash FROM jobseekers --",
  '%00',
  '\u0000',
  'a\u0000b',
  '%ZZ',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '\uD800',
  '\uDFFF\uD800',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '{"a":1}',
  '[1,2,3]',
  '{"__proto__":{"polluted":true}}',
  'null',
  'undefined',
  'true',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9999999999999999999999999',
  '9999999999999999999',
  '9223372036854775808',
  '2025-01-01T00:00:00.000Z_9999999999999999999',
  '0000-01-01T00:00:00.000Z_1',
  '9999-12-31T23:59:59.999Z_1',
  '-9223372036854775809',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, on purpose
  '${7*7}',
  '{{7*7}}',
  '<%= 7*7 %>',
  '\r\nSet-Cookie: evil=1',
  '\t\n\r\f\v',
  '\u202e\u200b\ufeff',
  '𝒳😀👩‍👩‍👧‍👦',
  'é',
  'e\u0301',
  '__proto__',
  'constructor',
  'prototype',
  'https://evil.example/cb',
  'http://127.0.0.1:9/cb#frag',
  'openid openid openid',
  '------------------------------------',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffffffff',
  'A'.repeat(300),
  'x'.repeat(5_000),
];

/** UUID-shaped strings that are not all valid UUIDs (a regex like /^[0-9a-f-]{36}$/ lets them through). */
export const uuidish = fc.oneof(
  fc.uuid(),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF-'), minLength: 36, maxLength: 36 }),
  fc.constantFrom('------------------------------------', 'ffffffffffffffffffffffffffffffffffff'),
);

/** Decimal strings around the ends of PostgreSQL's integer types (ids, cursors, page numbers). */
export const bigDecimal: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
  fc.bigInt({ min: 2n ** 63n - 3n, max: 2n ** 63n + 3n }).map(String),
  fc.bigInt({ min: 2n ** 31n - 3n, max: 2n ** 31n + 3n }).map(String),
  fc.constantFrom('-1', '-0', '00000000000000000001', '1e3', '0x10'),
);

/** Any string a hostile client could send, from the empty string to very long unicode with NULs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 200, maxLength: 3_000 }) },
  { weight: 1, arbitrary: uuidish },
  { weight: 1, arbitrary: bigDecimal },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 10 }))
      .map(([a, b]) => a + b),
  },
);

/** A short hostile string, for keys and places where a huge value only hits the size limits. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY.filter((s) => s.length < 100)),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('a[]', 'a[b]', 'a[b][c][d][e][f][g]', 'a[0]', 'a[9999]', '[]', '[', ']', '.', 'a.b'),
);

export type Entries = [string, string][];

/**
 * Parameters as an ordered list of [name, value]: known names with hostile values, duplicated names,
 * array- and object-style names (`scope[]`, `scope[a]`), and unknown names.
 */
export function paramsArb(
  names: readonly string[],
  options: { maxLength?: number } = {},
): fc.Arbitrary<Entries> {
  if (!names.length)
    return fc.array(fc.tuple(hostileKey, hostileString), { maxLength: options.maxLength ?? 8 });
  const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `${n}[]`) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `${n}[0]`) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `${n}[x]`) },
    { weight: 1, arbitrary: hostileKey },
  );
  return fc.array(fc.tuple(name, hostileString), { maxLength: options.maxLength ?? 8 });
}

/** Sets or replaces entries, keeping the others (and their duplicates) as they are. */
export function withEntries(entries: Entries, fixed: Record<string, string | undefined>): Entries {
  const out = entries.filter(([k]) => !(k in fixed));
  for (const [k, v] of Object.entries(fixed)) if (v !== undefined) out.push([k, v]);
  return out;
}

/**
 * Encodes entries as a query string or a form body: properly (URLSearchParams), or raw, where each
 * value goes out as typed, so `%00`, `%ZZ` and `a[]=1` reach the server's parsers unchanged.
 */
export function encode(entries: Entries, raw: boolean): string {
  if (!raw) return new URLSearchParams(entries).toString();
  return entries.map(([k, v]) => `${rawPart(k)}=${rawPart(v)}`).join('&');
}
// Raw, but still a valid URL component: only the characters a URL cannot carry are escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
const rawPart = (s: string) => s.replace(/[&=#+\s\u0000-\u001f\u007f-\u{10ffff}]/gu, uriEscape);

/** encodeURIComponent that sends a lone surrogate as the (invalid) UTF-8 bytes it stands for. */
export function uriEscape(s: string): string {
  return [...s]
    .map((c) => {
      const code = c.charCodeAt(0);
      if (c.length === 1 && code >= 0xd800 && code <= 0xdfff) {
        return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
      }
      return encodeURIComponent(c);
    })
    .join('');
}

export const rawEncoding = fc.boolean();

/** A random JSON value (objects, arrays, numbers, strings), hostile strings included. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, 0.1, -0, 3650, 3651, 0, 1, 90, 91),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A header value fetch can send (a ByteString without CR, LF or NUL). */
export const headerValue: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
    fc.constantFrom(...NASTY),
    fc.string({ unit: fc.constantFrom(...'abcAZ09+/=-._~ ,;:"\'\\%éÿ'), minLength: 1, maxLength: 3_000 }),
  )
  .map(toByteString);

/** What an HTTP client can put in a header value: tab, visible ASCII, space and Latin-1 (obs-text). */
export function toByteString(s: string): string {
  return (
    [...s]
      .filter((c) => (c.codePointAt(0) as number) <= 0xff)
      .join('')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it strips
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')
      .trim()
  );
}

// ---------- The checks every answer must pass ----------

const FORBIDDEN: [string, RegExp][] = [
  ['a stack frame', /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:|node:|\/)[^\s)]*:\d+/],
  ['a stack frame', /^\s+at \S+/m],
  ['node_modules', /node_modules/],
  ['a source path', /\.(?:ts|m?js):\d+/],
  ['SQL (SELECT)', /\bSELECT\s/i],
  ['SQL (INSERT)', /\bINSERT\s+INTO\b/i],
  ['SQL (UPDATE)', /\bUPDATE\s+\w+\s+SET\b/i],
  ['SQL (DELETE)', /\bDELETE\s+FROM\b/i],
  [
    'a PostgreSQL error',
    /syntax error at|violates|relation "|column "|invalid input syntax|invalid byte sequence|duplicate key|unsupported Unicode escape/i,
  ],
  ['an error dump', /\b(?:[A-Z]\w*)?Error: /],
  ['an error dump', /\[object Object\]/],
];

const htmlEscape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/**
 * Removes from a body what is only the request's own input reflected back (a login shown again in
 * its field, a rejected key named in an error): the checks are about what the server adds.
 */
function withoutEchoes(body: string, inputs: readonly string[]): string {
  const forms = new Set<string>();
  for (const input of inputs) {
    if (input.length < 3) continue;
    for (const s of [input, input.trim()]) {
      forms.add(s);
      forms.add(htmlEscape(s));
      forms.add(JSON.stringify(s).slice(1, -1));
      forms.add(htmlEscape(JSON.stringify(s).slice(1, -1)));
      try {
        forms.add(decodeURIComponent(s));
      } catch {}
    }
  }
  let out = body;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (form.length >= 3) out = out.split(form).join('\u2400');
  }
  return out;
}

/** Every string found in a request's parts (names and values), for withoutEchoes. */
export function inputsOf(...parts: unknown[]): string[] {
  const out: string[] = [];
  // Iterative: a hostile value may be nested thousands of levels deep.
  const stack: unknown[] = [...parts];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      out.push(v);
      // Parsers split on these; each piece may come back alone.
      for (const piece of v.split(/[&=\s,;:]+/)) if (piece !== v) out.push(piece);
    } else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push(k, x);
  }
  return out;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

// Everything sent so far in this file: a list page may show what an earlier request stored (a
// token named `1; SELECT pg_sleep(5)`), which is data, not a leak.
const everSent = new Set<string>();

/** Fails with the request and the answer when the answer is a 5xx or leaks internals. */
export function assertSafe(what: string, answer: Answer, inputs: readonly string[] = []): void {
  const shown = () => `${what}\n→ ${answer.status}\n${answer.text.slice(0, 1_500)}`;
  if (answer.status >= 500) throw new Error(`server error: ${shown()}`);
  // The stylesheet is a file of the repository served as is, not something the server composed:
  // its `select { … }` rule is CSS, not a leaked statement. Its headers are still checked below.
  const stylesheet = answer.status === 200 && answer.headers.get('content-type')?.startsWith('text/css');
  for (const input of inputs) if (input.length >= 3 && input.length < 10_000) everSent.add(input);
  let body = stylesheet ? '' : withoutEchoes(answer.text, inputs);
  for (const [label, pattern] of FORBIDDEN) {
    if (!pattern.test(body)) continue;
    // Only when something matched: strip what earlier requests stored too, then look again.
    body = withoutEchoes(body, [...everSent]);
    if (pattern.test(body)) throw new Error(`${label} in the body: ${shown()}`);
  }
  // A header must not carry one either (a reflected error message in WWW-Authenticate, say).
  for (const [name, value] of answer.headers) {
    if (/node_modules|\.ts:\d|syntax error at|violates/i.test(value)) {
      throw new Error(`internal detail in the ${name} header: ${shown()}`);
    }
  }
}

/** fetch with a timeout (a hang is a failure too), the body read as text. */
export async function send(url: string | URL, init: RequestInit = {}, timeoutMs = 15_000): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(timeoutMs) });
  const answer = { status: response.status, headers: response.headers, text: await response.text() };
  if (process.env.FUZZ_SLOW && Date.now() - started > 1_000)
    console.warn(
      `SLOW ${Date.now() - started} ms ${init.method ?? 'GET'} ${String(url).slice(0, 300)} ${String(init.body).slice(0, 300)} ${JSON.stringify(init.headers).slice(0, 300)} → ${answer.status}`,
    );
  return answer;
}

// ---------- "No state change": a fingerprint of the meaningful state ----------

// Tables (and oidc-provider models) that a rejected request may legitimately touch, and so are left
// out of the fingerprint:
// - login_throttle: every login attempt is counted before the password is checked, by design;
// - web_sessions: a signed-in request, refused or not, may record that its user is still there;
// - oidc_models Session and Interaction: oidc-provider stores the interaction at /auth before any
//   page, and the session on each resume; ReplayDetection: it records a client assertion's or DPoP
//   proof's jti before the grant itself may fail;
// - access_log: reads that succeeded earlier are written in the background, at any time;
// - admin_tokens.last_used_at: every call with a valid admin token records its use, refused or not.
const FINGERPRINT = `
  SELECT 'clients' AS t, count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM clients x
  UNION ALL SELECT 'consents', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM consents x
  UNION ALL SELECT 'consent_events', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM consent_events x
  UNION ALL SELECT 'consent_texts', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM consent_texts x
  UNION ALL SELECT 'jobseekers', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM jobseekers x
  UNION ALL SELECT 'jobseeker_data', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM jobseeker_data x
  UNION ALL SELECT 'admins', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM admins x
  UNION ALL SELECT 'admin_tokens', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))
    FROM (SELECT id, admin_id, name, token_hash, created_at, expires_at, revoked_at FROM admin_tokens) x
  UNION ALL SELECT 'admin_audit', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM admin_audit x
  UNION ALL SELECT 'signing_keys', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM signing_keys x
  UNION ALL SELECT 'dpop_jti', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM dpop_jti x
  UNION ALL SELECT 'oidc_models:' || x.model, count(*), md5(string_agg(x::text, '|' ORDER BY x::text))
    FROM oidc_models x WHERE model NOT IN ('Session', 'Interaction', 'ReplayDetection') GROUP BY x.model
  ORDER BY 1`;

export async function stateFingerprint(db: Queryable): Promise<Record<string, string>> {
  const { rows } = await db.query<{ t: string; n: string; h: string }>(FINGERPRINT);
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n}:${r.h}`]));
}

// A test that claims refusals change nothing must have compared the state at least once: a property
// whose batches always held an accepted request never ran that check, and passing would claim what
// was not tested. Counted per test; a test named for the claim fails when the count stays at zero.
const CLAIMS_NO_CHANGE = /change nothing|changes nothing|no state change|nothing stored|record nothing/i;
let stateChecks = 0;
beforeEach(() => {
  stateChecks = 0;
});
afterEach(({ task }) => {
  if (CLAIMS_NO_CHANGE.test(task.name) && task.result?.state !== 'fail' && stateChecks === 0)
    throw new Error(`"${task.name}": no request of it was refused, so the "no state change" check never ran`);
});

/** Fails, naming what changed, when the state is not the one fingerprinted in `before`. */
export async function assertUnchanged(
  db: Queryable,
  before: Record<string, string>,
  what: () => string,
): Promise<void> {
  stateChecks++;
  const after = await stateFingerprint(db);
  if (JSON.stringify(after) === JSON.stringify(before)) return;
  const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
  throw new Error(`${what()} changed ${changed.join(', ')}`);
}

/** Rejected answers: refused input (4xx). Redirects carrying an error (to the app) count too. */
export function isRejected(answer: Answer): boolean {
  if (answer.status >= 400) return true;
  const location = answer.headers.get('location') ?? '';
  return answer.status >= 300 && answer.status < 400 && /[?#&]error=/.test(location);
}

/**
 * Runs a batch of requests (with a little concurrency) and checks every answer; when every answer
 * was a refusal, checks that the database's state is as it was before the batch.
 */
export async function checkBatch(
  db: Queryable,
  requests: (() => Promise<{ what: string; answer: Answer; inputs: readonly string[] }>)[],
  options: { concurrency?: number } = {},
): Promise<{ what: string; answer: Answer }[]> {
  const before = await stateFingerprint(db);
  const results: { what: string; answer: Answer; inputs: readonly string[] }[] = [];
  const queue = [...requests];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results.push(await next());
  });
  await Promise.all(workers);
  for (const r of results) {
    tally(r.what, r.answer.status);
    if (process.env.FUZZ_DEBUG && r.what.includes(process.env.FUZZ_DEBUG))
      console.log(r.what, '→', r.answer.status, r.answer.text.slice(0, 300).replace(/\s+/g, ' '));
    assertSafe(r.what, r.answer, r.inputs);
  }
  if (results.every((r) => isRejected(r.answer)))
    await assertUnchanged(
      db,
      before,
      () => `rejected requests:\n${results.map((r) => `${r.what} → ${r.answer.status}`).join('\n')}\n`,
    );
  return results;
}

/** checkBatch for one request: its one result, which is always there. */
export async function checkOne(
  db: Queryable,
  request: () => Promise<{ what: string; answer: Answer; inputs: readonly string[] }>,
): Promise<{ what: string; answer: Answer }> {
  const [result] = await checkBatch(db, [request]);
  if (!result) throw new Error('checkBatch answered no result for its one request');
  return result;
}

/** Describes a request for failure messages, without flooding them. */
export function describeRequest(
  method: string,
  url: string,
  body?: string,
  headers?: Record<string, string>,
): string {
  const cut = (s: string) => (s.length > 400 ? `${s.slice(0, 400)}…(${s.length})` : s);
  return [
    `${method} ${cut(url)}`,
    headers ? cut(JSON.stringify(headers)) : '',
    body !== undefined ? cut(JSON.stringify(body)) : '',
  ]
    .filter(Boolean)
    .join('\n  ');
}

// A property is sized by its number of runs, not by the clock: on a loaded machine hundreds of runs
// can take minutes, and a test cut off by the timeout leaves requests in flight that the next
// property's "rejected requests change nothing" check would then see. Every fuzz file imports this.
vi.setConfig({ testTimeout: 300_000 });

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;
/** The number of runs for a property: FUZZ_RUNS when set (e.g. a long nightly run), else `n`. */
export const runs = (n: number) => FUZZ_RUNS ?? n;
