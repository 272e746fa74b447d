// A TCP proxy for fault tests: put it between a node and a service (the chain's
// JSON-RPC port) and cut() it to make the service unreachable: open connections
// are destroyed and new ones refused, as when the service's host goes down;
// restore() listens again on the same port. blackhole() is the other way a
// network fails: connections are accepted and what is sent is swallowed, with no
// answer and no error, as when a firewall drops packets; restore() ends it.
import net from 'node:net';

export interface TcpProxy {
  /** The proxy's loopback port. */
  port: number;
  /** `http://127.0.0.1:<port>` (what to hand a client instead of the service's URL). */
  url: string;
  /** Refuses connections from now on and destroys the open ones. */
  cut(): Promise<void>;
  /** Swallows everything from now on, on open connections and new ones: no answer, no error. */
  blackhole(): void;
  /** Accepts and forwards connections again, on the same port (ending a cut or a blackhole). */
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
  // Each forwarded client's connection to the service (blackhole() drops the latter).
  const pairs = new Map<net.Socket, net.Socket>();
  let server: net.Server | null = null;
  let port = options.port ?? 0;

  let swallowing = false;
  // Connections held open and silent while swallowing.
  const held = new Set<net.Socket>();
  const hold = (client: net.Socket) => {
    held.add(client);
    client.on('data', () => undefined).on('error', () => undefined).on('close', () => held.delete(client));
  };

  const forward = (client: net.Socket) => {
    if (swallowing) return hold(client);
    const upstream = net.connect(options.target.port, options.target.host);
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      pairs.delete(client);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.set(client, upstream);
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
    swallowing = false;
    for (const socket of [...open, ...held]) socket.destroy();
    open.clear();
    held.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut: close,
    blackhole() {
      swallowing = true;
      // Open connections go silent: the service side is dropped, the client side stays open.
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.removeAllListeners('close').removeAllListeners('error');
        open.delete(client);
        pairs.delete(client);
        upstream.removeAllListeners('close').removeAllListeners('error').on('error', () => undefined);
        upstream.destroy();
        open.delete(upstream);
        hold(client);
      }
    },
    async restore() {
      if (swallowing) {
        swallowing = false;
        // What a client was waiting on is gone, as after a real partition heals.
        for (const socket of held) socket.destroy();
        held.clear();
      }
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
