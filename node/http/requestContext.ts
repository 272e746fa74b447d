// Per-request plumbing: a request id (taken from X-Request-Id when sane), a
// logger carrying it, one JSON access-log line and the latency histogram.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import type { Logger } from './logger';
import type { HttpMetrics } from './metrics';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
// Polled by probes and scrapers every few seconds: logged at debug only.
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

export function requestContext(log: Logger, metrics: HttpMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID_RE.test(given) ? given : randomUUID();
    const requestLog = log.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', requestLog);
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      // The route pattern, not the concrete path, keeps the label set small.
      const route = c.req.routePath && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
      const status = c.res.status;
      try {
        c.res.headers.set('x-request-id', requestId);
      } catch {
        // a response with immutable headers (a proxied fetch) keeps its own
      }
      metrics.requestDuration.observe({ method: c.req.method, route, status: String(status) }, seconds);
      const fields = { method: c.req.method, path: c.req.path, status, ms: Math.round(seconds * 1000 * 10) / 10 };
      if (status >= 500) requestLog.warn('request', fields);
      else if (QUIET_PATHS.has(c.req.path)) requestLog.debug('request', fields);
      else requestLog.info('request', fields);
    }
  };
}
