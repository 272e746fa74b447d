import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeClient, isMedtraceError, NodeHttpError } from '../../sdk';
import vectors from '../vectors/bundle-v1.json';

// A plain HTTP server speaking the node's audit contract, so the client is
// exercised over real HTTP without starting a whole node.
let server: Server;
let baseUrl: string;
const seen: { url?: string; auth?: string; body?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url, auth: req.headers.authorization, body });
      if (req.url?.startsWith('/audit/v1/events/3')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'anchored', bundle: vectors.bundle }));
      } else if (req.url === '/api/v1/products') {
        res.writeHead(201, { 'content-type': 'application/json' }).end(body);
      } else {
        res
          .writeHead(409, { 'content-type': 'application/problem+json' })
          .end(JSON.stringify({ type: 'https://medtrace.dev/problems/not-anchored', title: 'Not anchored yet', status: 409, detail: 'seq 9 is not anchored', field: 'seq' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createNodeClient', () => {
  it('fetches an event bundle with the token and the unit encoded', async () => {
    const client = createNodeClient({ baseUrl, token: 'tok' });
    const uri = 'https://id.gs1.org/01/09506000134352/21/SN-0005';
    const res = await client.eventBundle(3, { unit: uri });
    expect(res).toEqual({ status: 'anchored', bundle: vectors.bundle });
    expect(seen.at(-1)).toMatchObject({ url: `/audit/v1/events/3?unit=${encodeURIComponent(uri)}`, auth: 'Bearer tok' });
  });

  it('sends JSON bodies', async () => {
    const client = createNodeClient({ baseUrl });
    expect(await client.request('POST', '/api/v1/products', { gtin: '09506000134352' })).toEqual({ gtin: '09506000134352' });
    expect(seen.at(-1)?.auth).toBeUndefined();
  });

  it('turns a problem+json answer into HTTP_ERROR with the problem', async () => {
    const client = createNodeClient({ baseUrl });
    try {
      await client.eventBundle(9);
      expect.unreachable();
    } catch (e) {
      expect(isMedtraceError(e, 'HTTP_ERROR')).toBe(true);
      expect(e).toBeInstanceOf(NodeHttpError);
      expect((e as NodeHttpError).status).toBe(409);
      expect((e as NodeHttpError).problem?.type).toBe('https://medtrace.dev/problems/not-anchored');
      expect((e as NodeHttpError).field).toBe('seq');
    }
  });
});
