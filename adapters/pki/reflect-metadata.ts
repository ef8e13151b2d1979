// @peculiar/x509 resolves its algorithm providers through tsyringe, which refuses to load unless a
// Reflect metadata API exists (the package expects the application to install `reflect-metadata`).
// Kapı does not depend on that package, so this installs the small part tsyringe and tslib's decorator
// helpers use — defineMetadata, getMetadata, getOwnMetadata, hasMetadata, metadata — plus what the real
// package needs to keep it as its fallback provider when it loads later (getOwnMetadataKeys,
// deleteMetadata), and only when no polyfill is present already. Import it (through ./x509.js) before @peculiar/x509.

type Key = unknown;
type Target = object;
type Property = string | symbol | undefined;

interface ReflectMetadata {
  defineMetadata(key: Key, value: unknown, target: Target, property?: Property): void;
  getOwnMetadata(key: Key, target: Target, property?: Property): unknown;
  getMetadata(key: Key, target: Target, property?: Property): unknown;
  hasOwnMetadata(key: Key, target: Target, property?: Property): boolean;
  hasMetadata(key: Key, target: Target, property?: Property): boolean;
  metadata(key: Key, value: unknown): (target: Target, property?: Property) => void;
  getOwnMetadataKeys(target: Target, property?: Property): Key[];
  deleteMetadata(key: Key, target: Target, property?: Property): boolean;
}

const reflect = Reflect as typeof Reflect & Partial<ReflectMetadata>;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<Target, Map<Property, Map<Key, unknown>>>();

  const table = (target: Target, property: Property, create: boolean): Map<Key, unknown> | undefined => {
    let byProperty = store.get(target);
    if (!byProperty) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    let entries = byProperty.get(property);
    if (!entries && create) {
      entries = new Map();
      byProperty.set(property, entries);
    }
    return entries;
  };

  /** Own metadata first, then up the prototype chain, as reflect-metadata does. */
  const lookup = (key: Key, target: Target, property: Property): { found: boolean; value?: unknown } => {
    for (let at: Target | null = target; at; at = Object.getPrototypeOf(at) as Target | null) {
      const entries = table(at, property, false);
      if (entries?.has(key)) return { found: true, value: entries.get(key) };
    }
    return { found: false };
  };

  const api: ReflectMetadata = {
    defineMetadata: (key, value, target, property) => void table(target, property, true)!.set(key, value),
    getOwnMetadata: (key, target, property) => table(target, property, false)?.get(key),
    getMetadata: (key, target, property) => lookup(key, target, property).value,
    hasOwnMetadata: (key, target, property) => table(target, property, false)?.has(key) ?? false,
    hasMetadata: (key, target, property) => lookup(key, target, property).found,
    metadata: (key, value) => (target, property) => api.defineMetadata(key, value, target, property),
    // The real reflect-metadata, loaded after this (another copy of @peculiar/x509 requires it: the one
    // under @simplewebauthn/server), keeps this API as its fallback provider and calls these two.
    getOwnMetadataKeys: (target, property) => [...(table(target, property, false)?.keys() ?? [])],
    deleteMetadata: (key, target, property) => table(target, property, false)?.delete(key) ?? false,
  };
  Object.assign(reflect, api);
}

export {};
