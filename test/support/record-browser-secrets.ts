import type { Browser, BrowserContext } from 'playwright-core';
import { recordFormSecrets, recordUrlSecrets } from './secret-record.js';

// The Chromium side of test/support/record-http-secrets.ts: what the browser tests type into forms and
// the codes in the redirects it follows, recorded for the log scan of the run.

function watch(context: BrowserContext): BrowserContext {
  context.on('request', (request) => {
    const body = request.postData();
    if (body && (request.headers()['content-type'] ?? '').includes('x-www-form-urlencoded')) recordFormSecrets(new URLSearchParams(body), 'Chromium form');
  });
  context.on('response', (response) => {
    const location = response.headers().location;
    if (location) recordUrlSecrets(new URL(location, response.url()).href, 'Chromium redirect');
  });
  return context;
}

/** Every context (and page) the browser opens is watched. */
export function recordBrowserSecrets(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => watch(await newContext(...args));
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    watch(page.context());
    return page;
  };
  return browser;
}
