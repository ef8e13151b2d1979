// Sections of docs/performance.md written by different commands: the full `npm run bench` writes the
// page, a narrowed bench run replaces its Scale-out section, `npm run soak` its Soak section. Each such
// section sits between an opening and a closing HTML comment, so one command can replace its own part
// and carry the others over.

export interface Markers {
  start: string;
  end: string;
}

/** The section (markers included) as it is on `page`, or undefined. */
export function sectionOf(page: string, m: Markers): string | undefined {
  const start = page.indexOf(m.start);
  const end = page.indexOf(m.end);
  return start >= 0 && end > start ? page.slice(start, end + m.end.length) : undefined;
}

/** `page` with the section replaced, or inserted before the heading `before` (else at the end). */
export function replaceSection(page: string, m: Markers, section: string, before = '## How to run'): string {
  const start = page.indexOf(m.start);
  const end = page.indexOf(m.end);
  if (start >= 0 && end > start) return page.slice(0, start) + section + page.slice(end + m.end.length);
  const at = page.indexOf(before);
  return at >= 0 ? `${page.slice(0, at)}${section}\n\n${page.slice(at)}` : `${page.trimEnd()}\n\n${section}\n`;
}

export const SOAK_MARKERS: Markers = { start: '<!-- soak:start (written by npm run soak, bench/soak.ts) -->', end: '<!-- soak:end -->' };
