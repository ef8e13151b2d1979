import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Router from '@koa/router';
import { packageFile } from '../runtime/package-root.js';

// Kapı's OpenAPI 3.1 document, served at /openapi.json. It is assembled from docs/openapi/: the base
// (kapi.base.json: info, servers, security schemes, the shared Error schema) and one `*.paths.json`
// per API (tags, paths, component schemas). A new API adds its own paths file and, where its request
// schemas are zod schemas, hands their JSON Schema in (`generated`), so the document describes exactly
// what the API checks. `{issuer}` in the files is replaced with the configured issuer. Every local
// `$ref` must resolve, or the build fails at start (and in the tests), not in an integrator's tool.

const DIRECTORY = pathToFileURL(`${packageFile('docs/openapi')}/`);

type Json = Record<string, unknown>;

interface PathsFile {
  tags?: Json[];
  paths?: Json;
  components?: { schemas?: Json; [key: string]: unknown };
  /** Schemas this file references but the server supplies (generated from zod). */
  'x-generated-schemas'?: string[];
}

function read(name: string): Json {
  return JSON.parse(readFileSync(new URL(name, DIRECTORY), 'utf8')) as Json;
}

function substitute(value: unknown, issuer: string): unknown {
  if (typeof value === 'string') return value.replaceAll('{issuer}', issuer);
  if (Array.isArray(value)) return value.map((v) => substitute(v, issuer));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, issuer)]));
  return value;
}

function refs(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refs(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.add(v);
      else refs(v, found);
    }
  }
  return found;
}

/** Resolves a local JSON pointer (#/a/b) in the document, or undefined. */
function resolvePointer(doc: Json, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!at || typeof at !== 'object' || !(key in at)) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

export function buildOpenApiDocument(
  issuer: string,
  generated: Json = {},
  files: string[] = readdirSync(DIRECTORY)
    .filter((f) => f.endsWith('.paths.json'))
    .sort(),
): Json {
  const base = read('kapi.base.json');
  const components = (base.components ?? {}) as { schemas: Json; [key: string]: unknown };
  const paths: Json = {};
  const tags: Json[] = [...((base.tags as Json[]) ?? [])];
  for (const file of files) {
    const part = read(file) as PathsFile;
    for (const [path, item] of Object.entries(part.paths ?? {})) {
      if (path in paths) throw new Error(`OpenAPI: ${path} is described twice (${file})`);
      paths[path] = item;
    }
    tags.push(...(part.tags ?? []));
    for (const [name, schema] of Object.entries(part.components?.schemas ?? {})) {
      if (name in components.schemas) throw new Error(`OpenAPI: schema ${name} is defined twice (${file})`);
      components.schemas[name] = schema;
    }
    for (const name of part['x-generated-schemas'] ?? []) {
      if (!(name in generated)) throw new Error(`OpenAPI: ${file} expects the server to supply schema ${name}`);
    }
  }
  for (const [name, schema] of Object.entries(generated)) components.schemas[name] = schema;
  const doc = substitute({ ...base, tags, paths, components }, issuer) as Json;
  for (const ref of refs(doc)) {
    if (resolvePointer(doc, ref) === undefined) throw new Error(`OpenAPI: unresolved $ref ${ref}`);
  }
  return doc;
}

/** GET /openapi.json: built once at start (the files do not change under a running server). */
export function openApiRouter(issuer: string, generated: Json = {}): Router {
  const body = JSON.stringify(buildOpenApiDocument(issuer, generated));
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
