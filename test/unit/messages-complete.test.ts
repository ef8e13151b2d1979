import { describe, expect, it } from '@jest/globals';
import '../../src/app.js';
import { messagesOf } from '../../src/i18n/index.js';

// Every page in both languages (issue 20 point 6): a message registered in one language only would be
// shown in Turkish on an English page (translate falls back to Turkish). Loading the composition root
// registers every module's messages.

describe('hosted pages: messages', () => {
  it('every message exists in Turkish and in English, with the same placeholders', () => {
    const tr = messagesOf('tr');
    const en = messagesOf('en');
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(en).filter((k) => !(k in tr))).toEqual([]);
    expect(Object.keys(tr).filter((k) => !(k in en))).toEqual([]);
    for (const key of Object.keys(tr)) expect([key, names(tr[key]!)]).toEqual([key, names(en[key]!)]);
    expect(Object.keys(tr).length).toBeGreaterThan(500);
  });
});
