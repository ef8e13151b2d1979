import type { z } from 'zod';
import type { MessageKey } from '../../i18n/index.js';
import { RegistrarRefusal } from '../../registrar/refusal.js';

// A request the schemas refuse, as a refusal the clerk can act on: which field, what is wrong with it,
// in her language (the refusal's message key). Never zod's own English text. Shared by the registrar
// API and `kapi registrar` (which names its options instead of the JSON fields).

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[step];
  }
  return value;
}

const inDocument = (path: readonly PropertyKey[]) => path.includes('documents') || path.includes('document');

/** The first problem of a refused request (an unknown document type first: it has its own answer). */
export function invalidRequest(error: z.ZodError, input: unknown): RegistrarRefusal {
  const issue = error.issues.find((i) => i.path.at(-1) === 'type' && inDocument(i.path)) ?? error.issues[0];
  if (!issue) return new RegistrarRefusal('invalid_request', { field: 'body' });
  const path = issue.path;
  const field = path.map(String).join('.') || 'body';
  const last = path.at(-1);
  const value = valueAt(input, path);
  const refusal = (key: MessageKey, params: Record<string, string | number> = {}) =>
    new RegistrarRefusal('invalid_request', { field, ...params }, undefined, key);

  if (issue.code === 'unrecognized_keys') {
    const prefix = path.length ? `${field}.` : '';
    return new RegistrarRefusal('invalid_request', { field: issue.keys.map((k) => `${prefix}${k}`).join(', ') }, undefined, 'registrar.invalid.unknown_field');
  }
  if (value === undefined && issue.code === 'invalid_type') return refusal('registrar.invalid.missing');
  if (last === 'national_id') return new RegistrarRefusal('invalid_identity_number', { field });
  if (last === 'type' && inDocument(path)) return new RegistrarRefusal('document_unknown', { field, type: String(value).slice(0, 40) });
  if (last === 'number' && inDocument(path)) return refusal('registrar.invalid.document_number');
  if (last === 'date') return refusal('registrar.invalid.date');
  if (last === 'office') return refusal('registrar.invalid.office');
  if (issue.code === 'invalid_value' && 'values' in issue) return refusal('registrar.invalid.choice', { choices: issue.values.map(String).join(', ') });
  if (last === 'limit') return refusal('registrar.invalid.number', { min: 1, max: 200 });
  if (issue.code === 'too_big' && issue.origin === 'array') return refusal('registrar.invalid.too_many', { max: Number(issue.maximum) });
  if (issue.code === 'too_big' || issue.code === 'too_small') return refusal('registrar.invalid.length');
  if (issue.code === 'invalid_type') return refusal('registrar.invalid.type');
  return new RegistrarRefusal('invalid_request', { field });
}
