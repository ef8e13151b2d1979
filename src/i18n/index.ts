// Messages of the hosted pages. Turkish is the default language, English is on a switch and follows
// `ui_locales`. A foundation module (issue 21 point 3): the engine, the web layer and the method modules
// all use it, and it imports nothing of theirs.
//
// A catalog is a file that declares its Turkish messages `as const` and its English ones as
// `English<typeof tr>`, registers both, and adds its Turkish to `Catalogs` (declaration merging):
//
//   const tr = { 'password.title': 'Şifre ile giriş' } as const;
//   const en: English<typeof tr> = { 'password.title': 'Sign in with a password' };
//   registerCatalog(tr, en);
//   declare module '../../src/i18n/index.js' { interface Catalogs { 'interactions/password/messages': typeof tr } }
//
// So the compiler knows every key of every catalog in the program: a key missing from either language,
// an English key the Turkish lacks, a key no catalog declares, a missing or unknown parameter of a
// literal key are all compile errors. Keys are never built by concatenation (a typed map or a
// `Record<Union, MessageKey>` names each one); the templates, which the compiler does not read, are
// checked by test/unit/messages.test.ts. Method folders keep their catalogs; their module registers them.

export const LOCALES = ['tr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'tr';

/**
 * Every catalog's Turkish messages, by the catalog's file path. Empty here: each catalog adds itself
 * with `declare module '…/src/i18n/index.js' { interface Catalogs { '<its path>': typeof tr } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one member per catalog
export interface Catalogs {}

/** A key of some catalog: the only thing `translate` accepts. */
export type MessageKey = { [C in keyof Catalogs]: keyof Catalogs[C] }[keyof Catalogs] & string;

/** A catalog's English: exactly the keys of its Turkish (an object literal with one more or one fewer does not compile). */
export type English<Turkish extends Readonly<Record<string, string>>> = { readonly [K in keyof Turkish]: string };

/** Values for a message's `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

type TurkishOf<K extends MessageKey> = { [C in keyof Catalogs]: K extends keyof Catalogs[C] ? Catalogs[C][K] : never }[keyof Catalogs];
type Placeholders<Text> = Text extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type IsUnion<T, All = T> = T extends unknown ? ([All] extends [T] ? false : true) : never;

/**
 * The parameters `translate` takes after a key. For one literal key, exactly its placeholders (none:
 * no argument). For a key chosen at run time (a union: a map's value, an error code), the parameters
 * cannot be known, so any are accepted; test/unit/messages.test.ts checks both languages name the same.
 */
export type ParamsFor<K extends MessageKey> =
  true extends IsUnion<K>
    ? [params?: MessageParams]
    : [Placeholders<TurkishOf<K>>] extends [never]
      ? []
      : [params: Readonly<Record<Placeholders<TurkishOf<K>>, string | number>>];

type Texts = Record<string, string>;
const catalog: Record<Locale, Texts> = { tr: {}, en: {} };

/** Adds a catalog's messages (at load: every page speaks both languages however Kapı is configured). */
export function registerCatalog<Turkish extends Readonly<Record<string, string>>>(tr: Turkish, en: English<Turkish>): void {
  Object.assign(catalog.tr, tr);
  Object.assign(catalog.en, en);
}

/** Every message registered for a language (a test checks that both languages say everything). */
export function messagesOf(locale: Locale): Readonly<Texts> {
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

export function translate<K extends MessageKey>(locale: Locale, key: K, ...[params = {}]: ParamsFor<K>): string {
  const template = catalog[locale][key] ?? catalog[DEFAULT_LOCALE][key] ?? key;
  const values: MessageParams = params;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** `translate` for one language: the `t` of the templates. */
export type Translator = <K extends MessageKey>(key: K, ...params: ParamsFor<K>) => string;
export function translator(locale: Locale): Translator {
  return (key, ...params) => translate(locale, key, ...params);
}
