import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A tiny HTTP server for the fakes of outside APIs. Every fake can be switched to misbehave the way
 * real services do: answer 503 ("down"), hang until the client gives up ("hang"), answer 429 with
 * Retry-After ("rate_limited"), or stop listening altogether (connection refused).
 */
export type Mode = "ok" | "down" | "hang" | "rate_limited";

export interface FakeServer {
  url: string;
  port: number;
  mode: Mode;
  /** Requests seen, as "METHOD /path". */
  requests: string[];
  /** Stops listening (clients get connection refused); `restart` listens again on the same port. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, url: URL) => unknown;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startFake(handler: Handler, opts: { port?: number } = {}): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let server: Server;
  const fake: FakeServer = {
    url: "",
    port: 0,
    mode: "ok",
    requests: [],
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    restart: async () => listen(fake.port),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://fake");
        fake.requests.push(`${req.method} ${url.pathname}`);
        if (fake.mode === "hang") return; // never answers; the socket is destroyed on stop/close
        if (fake.mode === "down") {
          res.writeHead(503, { "content-type": "text/html" });
          return res.end("<html><body><h1>503 Service Unavailable</h1></body></html>");
        }
        if (fake.mode === "rate_limited") return sendJson(res, 429, { message: "Too Many Requests" }, { "retry-after": "30" });
        readBody(req)
          .then(async (body) => void (await handler(req, res, body, url)))
          .catch((err: Error) => sendJson(res, 500, { message: err.message }));
      });
      server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        fake.port = (server.address() as AddressInfo).port;
        fake.url = `http://127.0.0.1:${fake.port}`;
        resolve();
      });
    });
  await listen(opts.port ?? 0);
  return fake;
}

/** The bearer token of a request, or null. */
export function bearerOf(req: IncomingMessage): string | null {
  const h = req.headers.authorization ?? "";
  const m = /^(?:Bearer|token) (.+)$/i.exec(h);
  return m ? m[1]!.trim() : null;
}
