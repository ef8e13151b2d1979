import type { Services } from '../../../../services.js';

export interface Institution {
  clientId: string;
  name: string;
  /** Kapı's own applications (the account pages): nothing to withdraw, not an institution. */
  firstParty: boolean;
}

/** Names of institutions by client id, in one query; a removed institution keeps its id as name. */
export async function institutionsById(services: Services, clientIds: string[]): Promise<Map<string, Institution>> {
  const out = new Map<string, Institution>();
  if (!clientIds.length) return out;
  const rows = (await services.db('clients').whereIn('client_id', clientIds).select('client_id', 'metadata')) as {
    client_id: string;
    metadata: Record<string, unknown>;
  }[];
  for (const row of rows) {
    out.set(row.client_id, { clientId: row.client_id, name: String(row.metadata.client_name ?? row.client_id), firstParty: row.metadata.first_party === true });
  }
  for (const id of clientIds) if (!out.has(id)) out.set(id, { clientId: id, name: id, firstParty: false });
  return out;
}
