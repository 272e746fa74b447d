// A database that cannot be reached is a retryable 503 problem naming the database,
// with Retry-After, never a bare 500: the errors here are the real ones of the
// postgres driver (a refused connection, a server shutting down).
import { Hono } from 'hono';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../node/db/unavailable';
import { onError, toProblem } from '../../node/http/errors';
import type { AppEnv } from '../../node/http/env';
import { freePort } from '../support';

async function refusedConnectionError(): Promise<unknown> {
  // Nothing listens on a port the OS just handed out and took back.
  const sql = postgres(`postgres://postgres@127.0.0.1:${await freePort()}/none`, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
    throw new Error('the query should have failed');
  } catch (error) {
    return error;
  } finally {
    await sql.end({ timeout: 0 });
  }
}

describe('database unavailable', () => {
  it('maps a refused connection to a 503 database-unavailable problem with Retry-After', async () => {
    const error = await refusedConnectionError();
    expect(isDatabaseUnavailable(error)).toBe(true);
    const app = new Hono<AppEnv>();
    app.get('/write', () => {
      throw error;
    });
    app.onError(onError);
    const res = await app.request('/write');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { type: string; status: number; detail: string };
    expect(body).toMatchObject({ type: 'https://medtrace.dev/problems/database-unavailable', status: 503, retryAfter: 2 });
    expect(body.detail).toMatch(/database is unavailable/);
  });

  it('treats the server shutting down, starting up or cutting the session as unavailable', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '53300', '25P03']) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { name: 'PostgresError', code })), code).toBe(true);
    }
    for (const code of ['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNRESET']) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), code).toBe(true);
    }
  });

  it('leaves every other failure alone: a constraint is still a 409, a protocol violation or a bug still a 500', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { name: 'PostgresError', code: '08P01' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { name: 'PostgresError', code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('fetch failed'))).toBe(false);
    expect(toProblem(Object.assign(new Error('x'), { name: 'PostgresError', code: '23505', constraint_name: 'lots_pkey' }))?.status).toBe(409);
    expect(toProblem(new Error('boom'))).toBeNull();
  });
});
