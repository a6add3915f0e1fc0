// The jobseeker's browser in a legacy replay: it opens the URL the app redirected it to, signs in on
// our login page and answers the real consent page by posting its HTML form as a browser would
// (CSRF token, Origin, the ticked boxes), with a random subset of the boxes shown. The subset comes
// from a seeded generator: LEGACY_SEED=<n> replays the seed a failing run printed.
import { randomInt } from 'node:crypto';
import { consentBoxes, postForm } from '../support/relying-party.ts';
import { UserAgent } from '../support/user-agent.ts';

/** The run's seed: LEGACY_SEED when given, random otherwise; printed so a failure can be replayed. */
export function legacySeed(file: string): number {
  const seed = process.env.LEGACY_SEED ? Number(process.env.LEGACY_SEED) : randomInt(2 ** 31);
  console.log(`${file}: consent subsets drawn with LEGACY_SEED=${seed}`);
  return seed;
}

/** mulberry32: a small, well-known 32-bit generator; the same seed draws the same subsets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Each box ticked with probability ½; never none (an empty « Autoriser » is another test's case). */
export function randomSubset(random: () => number, boxes: string[]): string[] {
  const picked = boxes.filter(() => random() < 0.5);
  if (picked.length === 0 && boxes.length > 0)
    picked.push(boxes[Math.floor(random() * boxes.length)] as string);
  return picked;
}

const formPosting = (html: string, suffix: string) =>
  new RegExp(`action="([^"]*/interaction/[^"]*${suffix})"`).exec(html)?.[1];

export interface PagesOptions {
  redirectUri: string;
  jobseeker: { login: string; password: string };
  /** the boxes to tick among those shown; with refuse, « Refuser » is clicked instead */
  choose?: (shown: string[]) => string[];
  refuse?: boolean;
  agent?: UserAgent;
}

/** Follows an authorization URL through the login and consent pages until the app's callback. */
export async function throughPages(url: string | URL, o: PagesOptions) {
  const agent = o.agent ?? new UserAgent();
  const shown: string[] = [];
  const ticked: string[] = [];
  const pages: ('login' | 'consent')[] = [];
  let consentHtml = '';
  let { response, url: at } = await agent.follow(url, {}, o.redirectUri);
  while (!at.href.startsWith(o.redirectUri)) {
    if (pages.length > 3) throw new Error(`stuck at ${at.href}`);
    const html = await response.text();
    const login = formPosting(html, '/login');
    const consent = formPosting(html, '/consent');
    let answer: Response;
    if (login) {
      pages.push('login');
      answer = await postForm(agent, at, html, login, [
        ['login', o.jobseeker.login],
        ['password', o.jobseeker.password],
      ]);
    } else if (consent) {
      pages.push('consent');
      consentHtml = html;
      shown.push(...consentBoxes(html));
      if (o.refuse) {
        answer = await postForm(agent, at, html, consent.replace(/\/consent$/, '/abort'), []);
      } else {
        ticked.push(...(o.choose ? o.choose(shown) : shown));
        answer = await postForm(
          agent,
          at,
          html,
          consent,
          ticked.map((f) => ['fields', f]),
        );
      }
    } else {
      throw new Error(`unexpected page ${response.status} at ${at.href}: ${mainText(html)}`);
    }
    const location = answer.headers.get('location');
    if (!location)
      throw new Error(`a POST answered ${answer.status} without a redirect: ${await answer.text()}`);
    const next = new URL(location, at);
    ({ response, url: at } = next.href.startsWith(o.redirectUri)
      ? { response: answer, url: next }
      : await agent.follow(next, {}, o.redirectUri));
  }
  return { callback: at, agent, pages, shown, ticked, consentHtml };
}

/**
 * Follows the app's logout redirect in the jobseeker's browser until it comes back to `returnTo`;
 * a confirmation page on the way is confirmed the way a person would, by its form's button.
 */
export async function logoutThroughPages(agent: UserAgent, url: string, returnTo: string) {
  let { response, url: at } = await agent.follow(url, {}, returnTo);
  const statuses = [response.status];
  for (let pages = 0; !at.href.startsWith(returnTo); pages++) {
    if (pages > 2) throw new Error(`logout stuck at ${at.href} (${response.status})`);
    const html = await response.text();
    const form = /<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form)
      throw new Error(`logout: page ${response.status} at ${at.href} without a form: ${html.slice(0, 400)}`);
    const hidden = [
      ...(form[2] as string).matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g),
    ]
      .map((m) => [m[1] as string, decodeEntities(m[2] as string)])
      .filter(([name]) => name !== '_csrf');
    // The confirming button may sit outside the form (form="…"), as on our logout page.
    const button = /<button[^>]*name="([^"]+)"[^>]*value="([^"]*)"/.exec(html);
    const fields = button ? [...hidden, [button[1] as string, button[2] as string]] : hidden;
    const answer = await postForm(agent, at, html, decodeEntities(form[1] as string), fields);
    statuses.push(answer.status);
    const location = answer.headers.get('location');
    if (!location) throw new Error(`logout POST answered ${answer.status} without a redirect`);
    const next = new URL(location, at);
    ({ response, url: at } = next.href.startsWith(returnTo)
      ? { response: answer, url: next }
      : await agent.follow(next, {}, returnTo));
  }
  return { at, statuses };
}

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** The words of a page's <main>, to say in one line what an unexpected page was about. */
export const mainText = (html: string) =>
  (/<main[\s\S]*?<\/main>/.exec(html)?.[0] ?? html)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 400);
