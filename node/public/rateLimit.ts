// A token bucket per client IP for the public routes: anyone may scan a UDI,
// nobody may walk the serial space of a product through this node.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/env';
import { problemResponse } from '../http/errors';
import { ProblemError } from '../http/problem';

export interface RateLimitOptions {
  /** Requests a client may make at once (default 60). */
  capacity?: number;
  /** Requests a client regains per second (default 2). */
  refillPerSecond?: number;
  /** Clients remembered at most; the least recently seen are forgotten first (default 10,000). */
  maxClients?: number;
}

export function rateLimit(options: RateLimitOptions = {}): MiddlewareHandler<AppEnv> {
  const capacity = options.capacity ?? 60;
  const refill = options.refillPerSecond ?? 2;
  const maxClients = options.maxClients ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const client = clientAddress(c);
    const now = Date.now();
    const bucket = buckets.get(client) ?? { tokens: capacity, at: now };
    buckets.delete(client);
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * refill);
    bucket.at = now;
    buckets.set(client, bucket);
    if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string);
    if (bucket.tokens < 1) {
      const retryAfter = Math.ceil((1 - bucket.tokens) / refill);
      const res = problemResponse(
        c,
        new ProblemError(429, 'rate-limited', 'Too many requests', `too many requests from ${client}; retry after ${retryAfter} s`, { retryAfter }),
      );
      res.headers.set('retry-after', String(retryAfter));
      return res;
    }
    bucket.tokens -= 1;
    await next();
  };
}

/** The peer's IP on a real socket; one shared bucket for in-process requests (tests). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local';
  }
}
