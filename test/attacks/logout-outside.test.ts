import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser, decode, type Page } from '../support/browser.js';
import { backchannelReceiver, loginAndExchange, type LoggedIn } from '../support/conformance-op.js';
import { registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Outside attack on RP-initiated logout (attack3). The end-session endpoint takes `client_id` (and an
// `id_token_hint`) from anyone: a link on any site opens Kapı's question "Do you want to end your Kapı
// session?" in the victim's browser. Her answer "No, stay signed in" must leave everything as it was.
// In oidc-provider that answer still logs her out of the institution the request names (its grant
// revoked, its tokens dead, a back-channel logout token sent): a logout she refused, forced by a link
// that proved nothing about her session. Only an ID token of this very session (its `sid`) may
// stand for the institution's own request to end its part.

const ayse = DEMO_CITIZENS[0]!;
const gulsen = DEMO_CITIZENS[2]!;
const BYE = 'https://institution.example/bye';

describe('attacks: logout requests that prove nothing about the session', () => {
  let t: TestKapi;
  let receiver: Awaited<ReturnType<typeof backchannelReceiver>>;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;

  beforeAll(async () => {
    receiver = await backchannelReceiver();
    t = await startKapi();
    metadata = await registerInstitution(t, { backchannelLogoutUri: receiver.url, postLogoutRedirectUris: [BYE] });
    rp = await relyingParty(t, metadata);
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  const leavesKapi = (location: string) => !location.startsWith(t.issuer);

  /** Opens the end-session URL in her browser and answers "No, stay signed in" (the button without `logout`). */
  async function answerNo(session: LoggedIn, url: string): Promise<Page> {
    const question = await session.browser.go(url, {}, leavesKapi);
    expect(question.status).toBe(200);
    expect(question.html).toContain('id="logout-no"');
    const form = /<form id="op\.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/><\/form>/.exec(question.html);
    if (!form) throw new Error(`no logout form on ${question.url}`);
    return session.browser.go(new URL(decode(form[1]!), question.url).href, { form: { xsrf: decode(form[2]!) } }, leavesKapi);
  }

  /** Whether the institution's access token still answers at userinfo. */
  async function tokenWorks(session: LoggedIn): Promise<boolean> {
    try {
      await client.fetchUserInfo(rp, session.tokens.access_token, session.tokens.claims()!.sub);
      return true;
    } catch {
      return false;
    }
  }

  it('a cross-site link naming an institution by client_id, answered "No, stay signed in", does not log her out of that institution', async () => {
    const session = await loginAndExchange(rp, ayse);
    expect(await tokenWorks(session)).toBe(true);
    receiver.requests.length = 0;
    const link = `${t.issuer}/session/end?${new URLSearchParams({ client_id: String(metadata.client_id) })}`;
    await answerNo(session, link);
    expect(await tokenWorks(session)).toBe(true);
    // oidc-provider sends the logout tokens before it answers the confirmation: none came.
    expect(receiver.requests).toHaveLength(0);
  });

  it('a cross-site link carrying someone else\'s ID token as id_token_hint, answered "No, stay signed in", does not log her out of that institution', async () => {
    const attacker = await loginAndExchange(rp, gulsen, {}, new Browser());
    const session = await loginAndExchange(rp, ayse);
    receiver.requests.length = 0;
    const link = client.buildEndSessionUrl(rp, { id_token_hint: attacker.tokens.id_token!, post_logout_redirect_uri: BYE, state: 'x' }).href;
    await answerNo(session, link);
    expect(await tokenWorks(session)).toBe(true);
    expect(receiver.requests).toHaveLength(0);
    // The attacker's own session and token are untouched as well.
    expect(await tokenWorks(attacker)).toBe(true);
  });

  it('the institution\'s own request (an ID token of this session) answered "No, stay signed in" still ends only its part: its token dies, it gets the logout token, Kapı keeps her signed in', async () => {
    const session = await loginAndExchange(rp, ayse);
    receiver.requests.length = 0;
    const link = client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token!, post_logout_redirect_uri: BYE, state: 'own' }).href;
    const after = await answerNo(session, link);
    expect(after.url.startsWith(BYE)).toBe(true);
    expect(await tokenWorks(session)).toBe(false);
    expect(receiver.requests).toHaveLength(1);
    // Still signed in at Kapı: a silent sign-in gets a code.
    const again = await loginAndExchange(rp, ayse, { prompt: 'none' }, session.browser);
    expect(typeof again.tokens.access_token).toBe('string');
  });

  it('"Yes, sign me out" on a link with someone else\'s ID token still ends her whole session (the question is hers to answer)', async () => {
    const attacker = await loginAndExchange(rp, gulsen, {}, new Browser());
    const session = await loginAndExchange(rp, ayse);
    receiver.requests.length = 0;
    const link = client.buildEndSessionUrl(rp, { id_token_hint: attacker.tokens.id_token! }).href;
    const question = await session.browser.go(link, {}, leavesKapi);
    await session.browser.submit(question, {}, { name: 'logout', value: 'yes' }, leavesKapi);
    expect(await tokenWorks(session)).toBe(false);
    expect(receiver.requests).toHaveLength(1);
    expect(await tokenWorks(attacker)).toBe(true);
  });
});
