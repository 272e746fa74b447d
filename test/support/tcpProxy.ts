// A TCP proxy for fault tests: put it between a node and a service (the chain's
// JSON-RPC port) and cut() it to make the service unreachable: open connections
// are destroyed and new ones refused, as when the service's host goes down;
// restore() listens again on the same port.
import net from 'node:net';

export interface TcpProxy {
  /** The proxy's loopback port. */
  port: number;
  /** `http://127.0.0.1:<port>` (what to hand a client instead of the service's URL). */
  url: string;
  /** True while cut. */
  readonly isCut: boolean;
  /** Connections accepted and forwarded so far. */
  readonly connections: number;
  /** Refuses connections from now on and destroys the open ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

export interface TcpProxyOptions {
  /** The service behind the proxy. */
  target: { host: string; port: number };
  /** The proxy's port (default: one the OS picks). */
  port?: number;
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let connections = 0;
  let server: net.Server | null = null;
  let port = options.port ?? 0;

  const forward = (client: net.Socket) => {
    connections++;
    const upstream = net.connect(options.target.port, options.target.host);
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = net.createServer(forward);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        const address = next.address();
        port = typeof address === 'object' && address ? address.port : port;
        server = next;
        resolve();
      });
    });

  const close = async () => {
    const current = server;
    server = null;
    for (const socket of open) socket.destroy();
    open.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get isCut() {
      return server === null;
    },
    get connections() {
      return connections;
    },
    cut: close,
    async restore() {
      if (server) return;
      // The port was ours a moment ago; another process could take it in between (accepted in tests).
      for (let attempt = 0; ; attempt++) {
        try {
          await listen();
          return;
        } catch (error) {
          if (attempt >= 50 || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    stop: close,
  };
}
