import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Middleware } from 'koa';
import { PROJECT_ROOT } from './render.js';

// The few static files of the hosted pages (and the method modules'), read once and served with long caching.
const FILES: Record<string, { file: string; type: string }> = {
  '/static/kapi.css': { file: 'src/web/static/kapi.css', type: 'text/css; charset=utf-8' },
  '/static/poll.js': { file: 'src/web/static/poll.js', type: 'text/javascript; charset=utf-8' },
  '/static/favicon.svg': { file: 'src/web/static/favicon.svg', type: 'image/svg+xml' },
  // Browsers ask for /favicon.ico before (or without) reading the page's icon link.
  '/favicon.ico': { file: 'src/web/static/favicon.svg', type: 'image/svg+xml' },
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The method modules' static files (`staticFiles` of src/engine/module.ts): `interactions/<id>/static/<name>`
 * at `/static/<id>/<name>`. A name is a plain file name of a known type: nothing outside the folder.
 */
export function moduleStaticFiles(modules: readonly { id: string; staticFiles?: readonly string[] }[]): Record<string, { file: string; type: string }> {
  const files: Record<string, { file: string; type: string }> = {};
  for (const module of modules) {
    for (const name of module.staticFiles ?? []) {
      const type = TYPES[path.extname(name)];
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || !type)
        throw new Error(`module ${module.id}: static file ${name} is not a plain file name of a known type`);
      files[`/static/${module.id}/${name}`] = { file: `interactions/${module.id}/static/${name}`, type };
    }
  }
  return files;
}

export function staticFiles(extra: Record<string, { file: string; type: string }> = {}): Middleware {
  const cache = new Map<string, Buffer>();
  const files = { ...extra, ...FILES };
  return async (ctx, next) => {
    const entry = Object.hasOwn(files, ctx.path) ? files[ctx.path] : undefined;
    if (!entry || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    let body = cache.get(ctx.path);
    if (!body) {
      body = await readFile(path.join(PROJECT_ROOT, entry.file));
      cache.set(ctx.path, body);
    }
    ctx.type = entry.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    // An SVG is a document: it gets a policy of its own that lets it do nothing but draw.
    if (entry.type === 'image/svg+xml') ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = body;
  };
}
