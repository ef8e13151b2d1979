import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestCa, type TestCa, type TestCaResponders } from '../../../keys/test-ca.js';
import { startMsspSimulator, type MsspSimulator, type SimulatedOperator } from '../../../adapters/mobile-operators/simulator/server.js';
import { decode, type Browser, type Page } from '../../../test/support/browser.js';

// A test CA with live OCSP/CRL, the MSSP simulator on a free port playing the three operators, and the
// operators file Kapı reads (KAPI_MOBILE_OPERATORS) pointing at it, exactly as production would point
// at the operators: Kapı is not told that it talks to a simulator.

export const PROFILE = 'http://mobilimza.example/profile/login';

export const OPERATORS: Record<string, SimulatedOperator> = {
  turkcell: {
    apId: 'kapi-test-ap',
    apPwd: 'turkcell-secret-pwd',
    msspId: { dnsName: 'www.turkcelltech.com' },
    signatureProfile: PROFILE,
    msisdnFormat: 'international',
  },
  vodafone: {
    apId: 'http://kapi.test/ap',
    apPwd: 'vodafone-secret-pwd',
    msspId: { uri: 'http://mobilimza.vodafone.com.tr' },
    signatureProfile: PROFILE,
    msisdnFormat: 'plus-international',
  },
  'turk-telekom': {
    apId: 'http://kapi.test/ap',
    apPwd: 'tt-secret-pwd',
    msspId: { uri: 'http://mobilimza.turktelekom.com.tr' },
    signatureProfile: PROFILE,
    msisdnFormat: 'national',
  },
};

export interface Testbed {
  ca: TestCa;
  responders: TestCaResponders;
  simulator: MsspSimulator;
  dir: string;
  env: Record<string, string>;
  /** Writes another operators file (for operator-down and config tests). */
  writeOperators(entries: Record<string, unknown>[], name?: string): Promise<string>;
  entry(id: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startTestbed(options: { answerAfterMs?: number; slowMs?: number } = {}): Promise<Testbed> {
  const ca = await createTestCa({ name: 'Kapi MSSP Test' });
  const responders = await ca.startResponders();
  const simulator = await startMsspSimulator({ ca, operators: OPERATORS, answerAfterMs: options.answerAfterMs ?? 300, slowMs: options.slowMs ?? 800 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-mss-'));
  const anchors = await ca.writeAnchors(dir);
  for (const [id, op] of Object.entries(OPERATORS)) await writeFile(path.join(dir, `${id}.pwd`), `${op.apPwd}\n`, { mode: 0o600 });

  const entry = (id: string, overrides: Record<string, unknown> = {}) => ({
    id,
    endpoint: simulator.endpoint(id),
    apId: OPERATORS[id]!.apId,
    apPassword: { file: `${id}.pwd` },
    msspId: OPERATORS[id]!.msspId,
    signatureProfile: PROFILE,
    timeoutSeconds: id === 'vodafone' ? 5 : 60,
    // 5 s, not the 2 s of a real deployment: with suites in parallel on a loaded two-core machine, a
    // simulator answer took over 2 s, the breaker opened, and tests counting starts saw fewer.
    requestTimeoutMs: 5000,
    trustAnchors: ['root.pem'],
    intermediates: ['intermediate.pem'],
    health: { failuresToTrip: 3, coolDownSeconds: 2 },
    ...overrides,
  });
  const writeOperators = async (entries: Record<string, unknown>[], name = 'operators.json') => {
    const file = path.join(dir, name);
    await writeFile(file, JSON.stringify({ operators: entries, startsPerTenMinutes: 1000 }, null, 2));
    return file;
  };
  void anchors;
  const file = await writeOperators(Object.keys(OPERATORS).map((id) => entry(id)));
  return {
    ca,
    responders,
    simulator,
    dir,
    entry,
    writeOperators,
    env: { KAPI_MOBILE_OPERATORS: file },
    async close() {
      await simulator.close();
      await responders.close();
    },
  };
}

/** From the authorization URL to the waiting page (or the form again, with an error). */
export async function startMobileSignature(
  browser: Browser,
  authUrl: string,
  input: { nationalId: string; phone: string; operator: string },
  stopAt: (l: string) => boolean,
): Promise<Page> {
  let page = await browser.go(authUrl, {}, stopAt);
  if (page.html.includes('data-method=')) page = await browser.submit(page, {}, { name: 'method', value: 'mobile-signature' }, stopAt);
  return browser.submit(page, { national_id: input.nationalId, phone: input.phone, operator: input.operator }, { name: 'submit', value: 'start' }, stopAt);
}

export function interactionUrl(page: Page): string {
  return page.url.replace(/\/method\/.*$/, '');
}

export function verificationCodeOn(page: Page): string {
  const match = /id="verification-code"[^>]*>([^<]+)</.exec(page.html);
  if (!match) throw new Error(`no verification code on ${page.url} (${page.status}):\n${page.html.slice(0, 2000)}`);
  return decode(match[1]!.trim());
}

/** Polls like poll.js until the transaction is no longer pending, then loads the interaction as the page would. */
export async function waitAndContinue(
  browser: Browser,
  waiting: Page,
  stopAt: (l: string) => boolean,
  limitMs = 30_000,
): Promise<{ page: Page; polls: number }> {
  const started = Date.now();
  let polls = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    polls += 1;
    const res = await browser.request(`${interactionUrl(waiting)}/poll`);
    const body = (await res.json()) as { status: string };
    if (body.status !== 'pending') break;
    if (Date.now() - started > limitMs) throw new Error('still pending');
  }
  return { page: await browser.go(interactionUrl(waiting), {}, stopAt), polls };
}

export function errorText(page: Page): string {
  const match = /<div class="error-summary"[\s\S]*?<p>([\s\S]*?)<\/p>/.exec(page.html);
  return match ? decode(match[1]!.replace(/<[^>]+>/g, '').trim()) : '';
}
