import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operatorServices } from '../../src/operators/index.js';
import { OfficeRefusal } from '../../src/registrar/office-admin.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Attempt: two operators (or a double-clicked form, or two `kapi registrar office add` runs) add the same
// office code at the same moment. Property: exactly one is added, with one audit record; every other
// gets the "already exists" refusal the form shows (never a 500 from the database's unique key).

describe('attack: the same office added in parallel', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('one add wins; the others are refused as office_exists, and the trail records one', async () => {
    const { offices } = operatorServices(t.kapi.services);
    const actor = { label: 'cli:race', via: 'cli' as const };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        offices.addOffice(actor, { code: 'RACE-1', name: 'Yarış Şubesi', kind: 'ptt' }).then(
          () => 'added',
          (error: unknown) => (error instanceof OfficeRefusal ? error.code : `unexpected: ${String(error)}`),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'added')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'added')).toEqual(Array(7).fill('office_exists'));
    const db = t.kapi.services.db;
    expect(await db('registrar_offices').where({ code: 'RACE-1' }).select('code')).toHaveLength(1);
    const trail = await db('operator_audit').where({ action: 'office.add', target: 'RACE-1' }).select('target');
    expect(trail).toHaveLength(1);
  });
});
