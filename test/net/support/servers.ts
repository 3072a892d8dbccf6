import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as a test server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  userAgent: string | undefined;
}

export interface LocalServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  origin: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void | Promise<void>;

/** A node:http server on 127.0.0.1, port chosen by the OS; `n` counts requests from 1. */
export async function startServer(handler: Handler): Promise<LocalServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", userAgent: req.headers["user-agent"] });
    void handler(req, res, requests.length);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Serve `body` with a Content-Length, optionally in slow chunks so concurrent clients overlap. */
export function sendBytes(res: http.ServerResponse, body: Uint8Array, opts: { chunks?: number; delayMs?: number } = {}): void {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(body.length) });
  const chunks = opts.chunks ?? 1;
  const size = Math.ceil(body.length / chunks);
  let i = 0;
  const next = () => {
    if (i >= body.length) return void res.end();
    res.write(body.subarray(i, i + size));
    i += size;
    setTimeout(next, opts.delayMs ?? 0);
  };
  next();
}

/** A forward proxy for plain-http targets that counts the requests it relays. */
export async function startCountingProxy(): Promise<LocalServer> {
  return startServer((req, res) => {
    const target = new URL(req.url ?? "");
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
}
