/**
 * A readable summary of a User-Agent header ("Chrome 120 · Windows") for the login history and the
 * sessions list. It only has to help a person recognise their own devices, so a short ordered list of
 * well-known tokens is enough; anything else shows the product token as sent (cut short). The order
 * matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
 */
export interface DeviceSummary {
  browser: string | undefined;
  os: string | undefined;
  /** The raw product token when neither browser nor OS was recognised (a script, a test agent). */
  other: string | undefined;
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bYaBrowser\/(\d+)/, 'Yandex'],
  [/\bFirefox\/(\d+)/, 'Firefox'],
  [/\bFxiOS\/(\d+)/, 'Firefox'],
  [/\bCriOS\/(\d+)/, 'Chrome'],
  [/\bHeadlessChrome\/(\d+)/, 'Chrome (headless)'],
  [/\b(?:Chrome|Chromium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

const SYSTEMS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/\bWindows NT (\d+\.\d+)/, (m) => (m[1] === '10.0' ? 'Windows' : `Windows NT ${m[1]}`)],
  [/\b(?:iPhone|iPad|iPod)\b.*? OS (\d+)/, (m) => `iOS ${m[1]}`],
  [/\bAndroid (\d+)/, (m) => `Android ${m[1]}`],
  [/\bCrOS\b/, () => 'ChromeOS'],
  [/\bMac OS X\b/, () => 'macOS'],
  [/\bLinux\b/, () => 'Linux'],
];

export function summariseUserAgent(userAgent: string | null | undefined): DeviceSummary {
  const ua = (userAgent ?? '').slice(0, 512);
  let browser: string | undefined;
  for (const [pattern, name] of BROWSERS) {
    const m = pattern.exec(ua);
    if (m) {
      browser = `${name} ${m[1]}`;
      break;
    }
  }
  let os: string | undefined;
  for (const [pattern, name] of SYSTEMS) {
    const m = pattern.exec(ua);
    if (m) {
      os = name(m);
      break;
    }
  }
  const other = !browser && !os && ua.trim() ? ua.trim().split(/\s+/)[0]!.slice(0, 40) : undefined;
  return { browser, os, other };
}

/** The summary as one line, or undefined when nothing was sent (the page then says "unknown device"). */
export function deviceText(userAgent: string | null | undefined): string | undefined {
  const d = summariseUserAgent(userAgent);
  if (d.browser || d.os) return [d.browser, d.os].filter(Boolean).join(' · ');
  return d.other;
}
