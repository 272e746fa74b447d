// Loopback ports for the processes the CLI starts: the preferred one when it is
// free (stable URLs for people), else one the OS picks.
import net from 'node:net';

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** `preferred` if nothing listens on it, else a free port chosen by the OS. */
export async function pickPort(preferred: number): Promise<number> {
  if (preferred !== 0 && (await listenOn(preferred)) !== undefined) return preferred;
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
