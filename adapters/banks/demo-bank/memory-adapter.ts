import type { Adapter, AdapterPayload } from 'oidc-provider';

// Storage of one demo bank (oidc-provider's own memory adapter is global to the process, and the
// tests run two demo banks beside Kapı in one process). Expired entries are dropped when read.
// The bank's clients live here too, not in oidc-provider's static `clients`: static clients are
// copied with structuredClone, whose objects fail oidc-provider's plain-object check of `jwks` when
// the provider runs inside another realm (jest's VM modules). Copies here are made with JSON.

interface Entry {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function demoBankAdapter(clients: readonly AdapterPayload[] = []): new (name: string) => Adapter {
  const store = new Map<string, Entry>();
  for (const client of clients) store.set(`Client:${String(client.client_id)}`, { payload: copy(client), expiresAt: undefined });
  const read = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  return class DemoBankAdapter implements Adapter {
    constructor(readonly name: string) {}

    #key(id: string): string {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      store.set(this.#key(id), { payload: copy(payload), expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.uid)
        store.set(`uid:${this.name}:${payload.uid}`, { payload: { id } as AdapterPayload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.userCode)
        store.set(`userCode:${payload.userCode}`, { payload: { id } as AdapterPayload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const found = read(this.#key(id));
      return found ? copy(found) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const ref = read(`uid:${this.name}:${uid}`);
      return ref ? this.find(String(ref.id)) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const ref = read(`userCode:${userCode}`);
      return ref ? this.find(String(ref.id)) : undefined;
    }

    async consume(id: string): Promise<void> {
      const entry = store.get(this.#key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  };
}
