import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Middleware } from 'koa';
import { PROJECT_ROOT } from './render.js';

// The few static files of the hosted pages, read once and served with long caching.
const FILES: Record<string, { file: string; type: string }> = {
  '/static/kapi.css': { file: 'src/web/static/kapi.css', type: 'text/css; charset=utf-8' },
  '/static/poll.js': { file: 'src/web/static/poll.js', type: 'text/javascript; charset=utf-8' },
  '/static/favicon.svg': { file: 'src/web/static/favicon.svg', type: 'image/svg+xml' },
  // Browsers ask for /favicon.ico before (or without) reading the page's icon link.
  '/favicon.ico': { file: 'src/web/static/favicon.svg', type: 'image/svg+xml' },
};

export function staticFiles(): Middleware {
  const cache = new Map<string, Buffer>();
  return async (ctx, next) => {
    const entry = FILES[ctx.path];
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
