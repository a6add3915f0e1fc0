// A minimal browser stand-in for HTTP-level flow tests: keeps cookies per origin, follows redirects
// by hand (so each hop can be asserted), and reads the CSRF token out of our forms.
export class UserAgent {
  private readonly jar = new Map<string, Map<string, string>>();

  cookieHeader(url: URL): string {
    const cookies = this.jar.get(url.host);
    return cookies ? [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  private store(url: URL, response: Response) {
    const cookies = this.jar.get(url.host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(url.host, cookies);
  }

  async request(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, response);
    return response;
  }

  /** Follows redirects until a page answers, or until a redirect leaves for `stopAt`'s origin. */
  async follow(
    input: string | URL,
    init: RequestInit = {},
    stopAt?: string,
  ): Promise<{ response: Response; url: URL }> {
    let url = new URL(input);
    let response = await this.request(url, init);
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      if (hops > 10) throw new Error('too many redirects');
      url = new URL(response.headers.get('location') as string, url);
      if (stopAt && url.href.startsWith(stopAt)) return { response, url };
      response = await this.request(url);
    }
    return { response, url };
  }

  /** Submits a form of ours: adds the CSRF token found in `html` and our Origin header. */
  async submit(pageUrl: URL, html: string, action: string, fields: [string, string][], stopAt?: string) {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const body = new URLSearchParams([...(csrf ? [['_csrf', csrf] as [string, string]] : []), ...fields]);
    return this.follow(
      new URL(action, pageUrl),
      {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: pageUrl.origin },
      },
      stopAt,
    );
  }
}

export function formAction(html: string, suffix: string): string {
  const action = new RegExp(`action="([^"]*${suffix})"`).exec(html)?.[1];
  if (!action) throw new Error(`no form posting to …${suffix} on the page: ${describePage(html)}`);
  return action;
}

const text = (fragment = '') =>
  fragment
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);

/**
 * What a page says, for a failure message: its title, heading and alerts, and the forms it holds.
 * Never the whole page, which carries the CSRF token, nor any field's value.
 */
export function describePage(html: string): string {
  const title = text(/<title>([\s\S]*?)<\/title>/.exec(html)?.[1]);
  const heading = text(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1]);
  const alerts = [...html.matchAll(/role="alert"[^>]*>([\s\S]*?)<\/div>/g)].map((m) => text(m[1]));
  const forms = [...html.matchAll(/<form[^>]*action="([^"?]*)/g)].map((m) => m[1]);
  return JSON.stringify({ title, heading, alerts, forms });
}
