// A tiny HTTP load balancer for multi-instance tests, standing where a real one would: the public
// issuer URL is its address; each request goes to the next instance in turn (no sticky sessions) or to
// the one the test pins; the Host header is passed through unchanged, so every instance sees the one
// issuer. Each answer says which instance served it (x-served-by), and the test can read the log.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  /** the public address, to use as ISSUER for every instance */
  url: string;
  /** the instances' ports, in order; set once they listen */
  targets: number[];
  /** an instance index to send everything to, or undefined for round-robin */
  pin: number | undefined;
  /** which instance served each request */
  served: { method: string; path: string; instance: number }[];
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true });
  const balancer: Balancer = {
    url: '',
    targets: [],
    pin: undefined,
    served: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
  const server = http.createServer((req, res) => {
    const instance = balancer.pin ?? next++ % balancer.targets.length;
    balancer.served.push({ method: req.method ?? 'GET', path: req.url ?? '/', instance });
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: balancer.targets[instance],
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-served-by': String(instance) });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  balancer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return balancer;
}
