import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { recordBrowserSecrets } from './record-browser-secrets.js';

// Real headless Chromium for the browser tests. Chromium comes from the distribution package
// (`apt-get install chromium`), never from a Playwright download. Without it the tests skip locally
// and fail in CI, where a missing package is a broken image, not a reason to skip.

export const CHROMIUM_PATH = process.env.KAPI_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A browser, or undefined (with a warning) when Chromium is not installed outside CI. */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
    if (process.env.CI === 'true') throw new Error(`${reason}: browser tests cannot run in CI without it`);
    console.warn(`browser tests skipped: ${reason}`);
    return undefined;
  }
  return turkishByDefault(recordBrowserSecrets(await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS })));
}

/**
 * Kapı's pages follow the browser's Accept-Language on a first visit (issue 20 point 6), and Chromium
 * says en-US unless told otherwise. The tests' browsers are a person's in Türkiye (tr-TR) unless a test
 * gives its context another `locale`.
 */
function turkishByDefault(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (options = {}) => newContext({ locale: 'tr-TR', ...options });
  const newPage = browser.newPage.bind(browser);
  browser.newPage = (options = {}) => newPage({ locale: 'tr-TR', ...options });
  return browser;
}

let axeSource: string | undefined;

function axeScript(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

export interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Runs axe-core on the page and returns its violations. The pages forbid inline scripts
 * (`script-src 'self'`), so axe is evaluated through the DevTools protocol instead of an inline
 * <script> tag; the page keeps its real CSP and is checked as a person sees it.
 */
let screenshots = 0;

/**
 * With KAPI_SCREENSHOT_DIR=<dir>, every page a suite checks with axe is also saved there as a PNG (a full-page
 * screenshot named by order, suite and path), so the pages a change touched can be looked at after a run.
 */
async function screenshotIfAsked(page: Page): Promise<void> {
  const dir = process.env.KAPI_SCREENSHOT_DIR;
  if (!dir) return;
  const suite = (expect.getState().testPath ?? 'suite')
    .split('/')
    .pop()!
    .replace(/\.test\.ts$/, '');
  const where = new URL(page.url()).pathname.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root';
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${String(++screenshots).padStart(3, '0')}-${suite}-${where}.png`), fullPage: true });
}

export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await screenshotIfAsked(page);
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(`${axeScript()}\n;void 0`);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  }, AXE_TAGS);
}

/** A readable one-line-per-node summary of axe violations for test failure messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.html}\n    ${(n.failureSummary ?? '').replace(/\n/g, '\n    ')}`).join('\n')}`,
    )
    .join('\n');
}

/** Fails with axe-core's violations on the page, each rule and element named (none expected). */
export async function expectAccessible(page: Page): Promise<void> {
  expect(describeViolations(await runAxe(page))).toBe('');
}

/**
 * Collects what the Content-Security-Policy blocked on a page: Chromium's console reports and the
 * page's own securitypolicyviolation events (recorded by an init script, which the CSP does not
 * govern). A page that needs something its CSP forbids shows up here.
 */
export async function watchCsp(page: Page): Promise<string[]> {
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame|send form)/i.test(message.text()))
      blocked.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => blocked.push(`${page.url()}: page error ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  return blocked;
}
