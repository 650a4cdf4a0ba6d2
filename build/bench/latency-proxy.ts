/**
 * A proxy that holds every request `latencyMs` before passing it on to the target: a target
 * across a WAN, for benches whose work is waiting on the target.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';

export async function startLatencyProxy(
  targetUrl: string,
  latencyMs: number,
): Promise<{ url: string; server: Server }> {
  const target = new URL(targetUrl);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(Buffer.concat(body));
      }, latencyMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}${target.pathname}`, server };
}
