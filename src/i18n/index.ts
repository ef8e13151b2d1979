// Messages of the hosted pages. Turkish is the default language, English is on a switch and follows
// `ui_locales`. Methods register their own messages next to their views (interactions/*/messages.ts).
export const LOCALES = ['tr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'tr';

export type Messages = Record<string, string>;
const catalog: Record<Locale, Messages> = { tr: {}, en: {} };

export function registerMessages(messages: Record<Locale, Messages>): void {
  for (const locale of LOCALES) Object.assign(catalog[locale], messages[locale]);
}

/** Every message registered for a language (a test checks that both languages say everything). */
export function messagesOf(locale: Locale): Readonly<Messages> {
  return catalog[locale];
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The first supported language of a space-separated preference list (ui_locales, Accept-Language tags). */
export function pickLocale(...preferences: (string | undefined | null)[]): Locale {
  for (const pref of preferences) {
    for (const tag of (pref ?? '').split(/[\s,]+/)) {
      const lang = tag.split(/[-_;]/)[0]?.toLowerCase();
      if (isLocale(lang)) return lang;
    }
  }
  return DEFAULT_LOCALE;
}

export function translate(locale: Locale, key: string, params: Record<string, string | number> = {}): string {
  const template = catalog[locale][key] ?? catalog[DEFAULT_LOCALE][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export type Translator = (key: string, params?: Record<string, string | number>) => string;
export function translator(locale: Locale): Translator {
  return (key, params) => translate(locale, key, params);
}
