// The web pages (web/dist, built by scripts/buildWeb.ts) served by the node:
// /verify/… (the public verification page, whatever Digital Link path follows),
// /console/… and /auditor/…, each its index.html; /assets/* the hashed bundles,
// cached for a year (kept in memory once read).
// A node whose pages were never built answers 503 saying how to build them.
import fs from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env';
import { repoRoot } from '../paths';

export const WEB_DIST = path.join(repoRoot, 'web', 'dist');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The pages' Content-Security-Policy: scripts only from this node; connections to
 * any origin (the chain's read-only RPC and other companies' nodes are elsewhere);
 * the camera stream and decoded images as blob:/data:.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  'connect-src *',
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const PAGES = ['verify', 'console', 'auditor'] as const;

export function webRoutes(dist: string = WEB_DIST): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Assets have content-hashed names: kept once read. A page's index.html is read on each
  // request (it is small), so a rebuild (npm run build:web) is served without a restart.
  const assets = new Map<string, Uint8Array>();
  const readFile = (file: string): Uint8Array | null => (fs.existsSync(file) ? fs.readFileSync(file) : null);
  const readAsset = (file: string): Uint8Array | null => {
    const hit = assets.get(file);
    if (hit) return hit;
    const body = readFile(file);
    if (body) assets.set(file, body);
    return body;
  };
  const notBuilt = (c: Context<AppEnv>) =>
    c.text('The web pages are not built on this node: run `npm run build:web` (npm start and npm test build them).', 503);

  for (const page of PAGES) {
    const handler = (c: Context<AppEnv>) => {
      const html = readFile(path.join(dist, page, 'index.html'));
      if (!html) return notBuilt(c);
      return c.body(html as Uint8Array<ArrayBuffer>, 200, {
        'content-type': TYPES['.html'],
        'cache-control': 'no-cache',
        'content-security-policy': PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'permissions-policy': 'camera=(self)',
      });
    };
    app.get(`/${page}`, (c) => c.redirect(`/${page}/`, 301));
    app.get(`/${page}/`, handler);
    app.get(`/${page}/*`, handler);
  }
  app.get('/assets/:file', (c) => {
    const name = c.req.param('file');
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) return c.notFound();
    const body = readAsset(path.join(dist, 'assets', name));
    if (!body) return c.notFound();
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
  return app;
}
