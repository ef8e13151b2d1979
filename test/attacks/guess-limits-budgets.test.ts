import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { KapiError } from '../../src/errors.js';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { csrfOf, openWithPassword } from '../account/security-support.js';
import { startTestbed, type Testbed } from '../../interactions/mobile-signature/test/support.js';
import { citizen } from '../../interactions/second-factor/test/support.js';

jest.setTimeout(180_000);

// Issue 25 point 4, "costs to someone else". A mobile-signature request is a paid request and a prompt
// on someone's phone; an SMS or e-mail code is a message to someone. A stranger must not be able to
// make Kapı spend them without bound: the operator is asked only about identity numbers the population
// registry knows (skipped while it is down: the budgets still hold), each GSM number has an hourly
// budget of operator requests and all of them a global one, and verification codes have a budget per
// account and a ceiling per phone number or address. The owner's own browser (device cookie) never
// waits on strangers' budgets.

const AYSE = DEMO_CITIZENS[0];
/** Living people the registry knows (valid numbers; several have no Kapı account). */
const KNOWN = ['12345678950', '10090908018', '23654859046', '56789123416', '34567891238', '31112223308', '42223334418'];

async function withOperators(bed: Testbed, name: string): Promise<string> {
  const file = path.join(bed.dir, name);
  await writeFile(file, JSON.stringify({ operators: ['turkcell', 'vodafone', 'turk-telekom'].map((id) => bed.entry(id)), startsPerTenMinutes: 5 }));
  return file;
}

function mobileStarts(rp: () => client.Configuration) {
  const form = async (browser: Browser): Promise<Page> => {
    let page = await browser.go((await authRequest(rp(), { prompt: 'login' })).url.href, {}, atCallback);
    if (page.html.includes('data-method="mobile-signature"')) page = await browser.submit(page, {}, { name: 'method', value: 'mobile-signature' }, atCallback);
    return page;
  };
  return async (browser: Browser, nationalId: string, phone: string): Promise<Page> =>
    browser.submit(await form(browser), { national_id: nationalId, phone, operator: 'turkcell' }, { name: 'submit', value: 'start' }, atCallback);
}

describe('attack: costs to someone else — mobile signature and codes', () => {
  let bed: Testbed;
  let t: TestKapi;
  let rp: client.Configuration;
  const start = mobileStarts(() => rp);
  const asked = (msisdn: string) => bed.simulator.requests.filter((r) => r.operation === 'MSS_SignatureReq' && r.msisdn?.endsWith(msisdn)).length;

  beforeAll(async () => {
    bed = await startTestbed();
    // Four operator requests per GSM number per hour, so a handful of starts shows the budget.
    t = await startKapi({ env: { KAPI_MOBILE_OPERATORS: await withOperators(bed, 'operators-budgets.json'), KAPI_MSSP_REQUESTS_PER_NUMBER_HOUR: '4' } });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await bed?.close();
  });

  it('a mobile-signature start for an identity number the population registry does not know never reaches the operator, and answers like an unknown GSM number', async () => {
    const before = asked('5300000010');
    const unknown = await start(new Browser(), '10000000078', '0530 000 00 10');
    expect(unknown.status).toBe(400);
    expect(asked('5300000010')).toBe(before);
    const noSignature = await start(new Browser(), AYSE.nationalId, '0555 000 00 00');
    expect(noSignature.status).toBe(400);
    const message = (page: Page) => /<div class="error-summary"[\s\S]*?<p>([\s\S]*?)<\/p>/.exec(page.html)?.[1];
    expect(message(unknown)).toBe(message(noSignature));
  });

  it('while the population registry is down, starts skip the registry check (the budgets still hold)', async () => {
    const registry = t.kapi.services.registry;
    const lookup = registry.lookup.bind(registry);
    registry.lookup = async () => {
      throw new KapiError('upstream_unavailable', 'registry down (test)');
    };
    try {
      const before = asked('5300000011');
      const page = await start(new Browser(), '10000000078', '0530 000 00 11');
      expect(page.status).not.toBe(429);
      expect(asked('5300000011')).toBe(before + 1);
    } finally {
      registry.lookup = lookup;
    }
  });

  it("made-up starts with real people's identity numbers aimed at one phone reach it 4 times an hour (its budget), and never block the owner's own browser", async () => {
    const own = new Browser();
    const signed = await own.submit(
      await own.go((await authRequest(rp)).url.href, {}, atCallback),
      { national_id: AYSE.nationalId, password: AYSE.password },
      { name: 'submit', value: 'login' },
      atCallback,
    );
    expect(signed.status).toBeLessThan(400); // her device cookie
    const phone = '0530 000 00 10';
    const before = asked('5300000010');
    // Each from its own browser (a sign-in holds one transaction at a time), all at once.
    const answers = await Promise.all(KNOWN.map((nationalId) => start(new Browser(), nationalId, phone)));
    expect(asked('5300000010') - before).toBe(4);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(KNOWN.length - 4);
    expect(refused[0]!.html).toContain('Bu GSM numarasına son bir saatte çok fazla imza isteği gönderildi');

    const hers = await start(own, AYSE.nationalId, phone);
    expect(hers.html).toContain('id="verification-code"');
    expect(asked('5300000010') - before).toBe(5);
  });

  it("a stolen session cannot spend the owner's own budget of verification codes: her own browser still gets a code", async () => {
    const ismail = await citizen(t, '23654859046', 'Ismail-Sifre-1958', '+905324440000');
    await t.kapi.services.db('accounts').where({ national_id: ismail.nationalId }).update({ phone_verified: false });
    const own = new Browser();
    const page = await openWithPassword(t, own, '/account/contacts', ismail);
    expect(page.status).toBe(200);
    const thief = new Browser();
    const host = new URL(t.issuer).host;
    thief.cookies.set(host, new Map([...own.cookies.get(host)!].filter(([name]) => name !== 'kapi_device')));
    const send = (browser: Browser) => browser.request(`${t.issuer}/account/contacts/phone/send`, { form: { _csrf: csrfOf(page) } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(thief)).status);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
    expect((await send(own)).status).toBe(303);
  });
});

describe('attack: costs to someone else — the global budget and the ceiling per phone', () => {
  let bed: Testbed;
  let t: TestKapi;
  let rp: client.Configuration;
  const start = mobileStarts(() => rp);

  beforeAll(async () => {
    bed = await startTestbed();
    t = await startKapi({
      env: { KAPI_MOBILE_OPERATORS: await withOperators(bed, 'operators-global.json'), KAPI_MSSP_REQUESTS_PER_HOUR: '3', KAPI_CODES_PER_TARGET_HOUR: '3' },
    });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await bed?.close();
  });

  it('all operator requests together stay within the global hourly budget (here 3): a flood over many people and phones stops there', async () => {
    const before = bed.simulator.requests.filter((r) => r.operation === 'MSS_SignatureReq').length;
    const pages = await Promise.all(KNOWN.slice(0, 5).map((nationalId, i) => start(new Browser(), nationalId, `0555 100 00 0${i}`)));
    expect(bed.simulator.requests.filter((r) => r.operation === 'MSS_SignatureReq').length - before).toBe(3);
    const busy = pages.filter((p) => p.status === 429);
    expect(busy).toHaveLength(2);
    expect(busy[0]!.html).toContain('Mobil imza ile giriş şu anda çok yoğun');
  });

  it('verification codes to one phone number stop at its ceiling (here 3 an hour), whichever accounts ask', async () => {
    const victim = '+905559990000';
    const sendFrom = async (nationalId: string, password: string) => {
      const person = await citizen(t, nationalId, password, victim);
      await t.kapi.services.db('accounts').where({ national_id: nationalId }).update({ phone_verified: false });
      const browser = new Browser();
      const page = await openWithPassword(t, browser, '/account/contacts', person);
      return async () => (await browser.request(`${t.issuer}/account/contacts/phone/send`, { form: { _csrf: csrfOf(page) } })).status;
    };
    const a = await sendFrom('12345678950', 'Mehmet-Sifre-1972');
    const b = await sendFrom('10090908018', 'Cagla-Sifre-1990');
    expect([await a(), await a(), await b(), await b(), await a()]).toEqual([303, 303, 303, 429, 429]);
    expect(t.kapi.messaging.smsOutbox!.list(victim).filter((m) => m.purpose === 'contact_verification')).toHaveLength(3);
  });
});
