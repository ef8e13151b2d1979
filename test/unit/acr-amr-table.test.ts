import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { METHOD_TRAITS } from '../../interactions/index.js';
import { acrAmrMarkdown, acrAmrRows, TABLE_END, TABLE_START, withTable } from '../../src/engine/acr-amr-table.js';

// Issue 26 point 5: README's method → acr → amr table is the one generated from the method modules'
// traits, so a module that changes what it proves changes the README in the same commit.

describe('the method → acr → amr table for integrators', () => {
  it('README.md holds exactly the table generated from the method modules (run `npm run docs:acr-amr` after changing a module)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(TABLE_START);
    expect(withTable(readme, acrAmrMarkdown(METHOD_TRAITS.all))).toBe(readme);
  });

  it("has every first-stage method alone and followed by every second stage, with the engine's levels", () => {
    const rows = acrAmrRows(METHOD_TRAITS.all);
    const firsts = METHOD_TRAITS.all.filter((t) => t.stage === 'first');
    const seconds = METHOD_TRAITS.all.filter((t) => t.stage === 'second');
    expect(rows).toHaveLength(firsts.length * (1 + seconds.length));
    const row = (...methods: string[]) => rows.find((r) => r.methods.join('+') === methods.join('+'));
    expect(row('password')).toMatchObject({ acr: 'low', amr: ['pwd'] });
    expect(row('password', 'sms')).toMatchObject({ acr: 'substantial', amr: ['pwd', 'sms', 'otp'] });
    expect(row('e-signature')).toMatchObject({ acr: 'high' });
    expect(row('banking', 'totp')?.notes.join(' ')).toContain('at most `substantial`');
  });

  it('refuses a README whose markers are missing or repeated instead of writing the table somewhere else', () => {
    expect(() => withTable('no table here', 'x')).toThrow(/markers/);
    expect(() => withTable(`${TABLE_START}${TABLE_END}${TABLE_START}${TABLE_END}`, 'x')).toThrow(/markers/);
  });
});
