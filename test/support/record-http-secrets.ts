import { recordFormSecrets, recordJsonSecrets, recordSecret, recordUrlSecrets } from './secret-record.js';

// Records the secrets that cross HTTP in a test: what the test's browser types into forms, what the
// institution (openid-client) sends and receives at the token endpoint, the codes in redirects to the
// callback, the answers of the JSON APIs. Installed around the test environment's `fetch` by
// test/support/log-scan-setup.ts, so every helper and test is covered without calling anything. Kapı's
// own outgoing requests in the same process (to the demo bank, say) go through it too: the bank's tokens
// and Kapı's client secret at the bank are secrets Kapı must not log either.

function headerOf(headers: HeadersInit | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  const found = entries.find(([key]) => key.toLowerCase() === name);
  return found ? String(found[1]) : undefined;
}

function recordAuthorization(value: string | undefined, from: string): void {
  if (!value) return;
  const [scheme, credentials = ''] = value.split(' ', 2);
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // client_secret_basic form-encodes both parts before joining them (RFC 6749 §2.3.1).
    if (colon >= 0) recordSecret('client secret', safeDecode(decoded.slice(colon + 1)), `${from} Basic authorization`);
  } else if (/^(bearer|dpop)$/i.test(scheme ?? '')) recordSecret('access token', credentials, `${from} ${scheme} authorization`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function recordBody(body: unknown, contentType: string | undefined, from: string): void {
  if (body instanceof URLSearchParams) recordFormSecrets(body, from);
  else if (typeof body === 'string') {
    if (contentType?.includes('json') || /^\s*[{[]/.test(body)) {
      try {
        recordJsonSecrets(JSON.parse(body), from);
      } catch {
        // not JSON after all
      }
    } else if (!contentType || contentType.includes('x-www-form-urlencoded')) recordFormSecrets(new URLSearchParams(body), from);
  }
}

/** The path of a URL for a failure message, long random segments (interaction ids) shortened. */
const pathOf = (url: string) => new URL(url).pathname.replace(/[A-Za-z0-9_-]{20,}/g, ':id');

async function recordResponse(res: Response, url: string): Promise<void> {
  try {
    const location = res.headers.get('location');
    if (location) recordUrlSecrets(new URL(location, url).href, 'redirect');
    if (!(res.headers.get('content-type') ?? '').includes('json') || res.bodyUsed) return;
    recordJsonSecrets(JSON.parse(await res.clone().text()), `answer of ${pathOf(url)}`);
  } catch {
    // an unreadable location or body carries nothing to record; recording never breaks a request
  }
}

export function recordingFetch(original: typeof fetch): typeof fetch {
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    try {
      const headers = init?.headers ?? (input instanceof Request ? input.headers : undefined);
      const path = pathOf(url);
      recordAuthorization(headerOf(headers, 'authorization'), `request to ${path}`);
      recordBody(init?.body, headerOf(headers, 'content-type'), `request to ${path}`);
    } catch {
      // recording never breaks a request
    }
    const res = await original(input, init);
    await recordResponse(res, url);
    return res;
  };
  return wrapped as typeof fetch;
}
