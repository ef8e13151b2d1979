// A small user agent for end-to-end tests over HTTP: a cookie jar, manual redirects, and form
// submission by the names of inputs and buttons (the same stable names automation relies on).

export interface Page {
  url: string;
  status: number;
  html: string;
}

export class Browser {
  readonly cookies = new Map<string, Map<string, string>>(); // host -> name -> value
  constructor(readonly userAgent = 'kapi-e2e/1.0') {}

  private cookieHeader(url: URL): string {
    return [...(this.cookies.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(url: URL, headers: Headers): void {
    const jar = this.cookies.get(url.host) ?? new Map<string, string>();
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(url.host, jar);
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.store(target, res.headers);
    return res;
  }

  /**
   * Follows redirects until a page is shown or `stopAt` matches the next location (the institution's
   * redirect URI, which a test reads instead of loading).
   */
  async go(url: string, init: { form?: Record<string, string> } = {}, stopAt?: (location: string) => boolean): Promise<Page> {
    let res = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 20 && res.status >= 300 && res.status < 400; hops++) {
      const location = new URL(res.headers.get('location')!, current).href;
      if (stopAt?.(location)) return { url: location, status: res.status, html: '' };
      current = location;
      res = await this.request(location);
    }
    return { url: current, status: res.status, html: await res.text() };
  }

  /** Submits the form that contains the named button (or the only form) on a page. */
  async submit(page: Page, fields: Record<string, string>, button?: { name: string; value?: string }, stopAt?: (location: string) => boolean): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const buttonPattern = button
      ? new RegExp(
          `<button[^>]*name="${button.name}"${button.value ? `[^>]*value="${button.value}"` : ''}[^>]*>|<button[^>]*value="${button?.value ?? ''}"[^>]*name="${button?.name}"[^>]*>`,
        )
      : undefined;
    let form = buttonPattern ? forms.find((f) => buttonPattern.test(f[2]!)) : forms[0];
    if (!form && buttonPattern) {
      // A button outside its form, linked by the form="id" attribute (oidc-provider's logout page).
      const outside = buttonPattern.exec(page.html)?.[0];
      const id = outside && /form="([^"]+)"/.exec(outside)?.[1];
      if (id) form = forms.find((f) => f[0].includes(`id="${id}"`));
    }
    if (!form) throw new Error(`no form with ${button?.name ?? 'any button'} on ${page.url}:\n${page.html.slice(0, 2000)}`);
    const data: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) data[input[1]!] = decode(input[2]!);
    Object.assign(data, fields);
    if (button) data[button.name] = button.value ?? '';
    return this.go(new URL(decode(form[1]!), page.url).href, { form: data }, stopAt);
  }
}

export function decode(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/');
}
