import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { handleContextStream } from "@/server/api/context-stream";
import { handleMcp } from "@/server/api/mcp";
import { handleRest } from "@/server/api/rest";

/**
 * The app's /ai/* and /mcp handlers on a real HTTP port (node:http), for clients that must go over the
 * network (the CLI, a stream reader). Uses the process's deps (setDeps). Every request is reported to
 * `onRequest`; `dropStreams` cuts the sockets of open
 * context streams, as a network failure would, leaving other clients' connections alone.
 */
export interface AppServer {
  url: string;
  port: number;
  dropStreams(): void;
  close(): Promise<void>;
}

function route(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname;
  if (path === "/ai/context/stream") return handleContextStream(req);
  if (path.startsWith("/ai/") || path === "/ai") return handleRest(req);
  if (path === "/mcp") return handleMcp(req);
  return Promise.resolve(new Response("not found", { status: 404 }));
}

export async function startAppServer(opts: { port?: number; onRequest?: (method: string, path: string) => void } = {}): Promise<AppServer> {
  const sockets = new Set<Socket>();
  const streams = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    opts.onRequest?.(req.method ?? "GET", path);
    if (path === "/ai/context/stream") {
      streams.add(req.socket);
      res.on("close", () => streams.delete(req.socket));
    }
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const hasBody = req.method !== "GET" && req.method !== "HEAD" && chunks.length > 0;
        const response = await route(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined, signal: abort.signal }));
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (!response.body) return void res.end();
        res.flushHeaders();
        try {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            if (res.destroyed) break;
            res.write(chunk);
          }
        } catch {
          // the client went away
        }
        res.end();
      })().catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(err.message);
      });
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dropStreams: () => streams.forEach((s) => s.destroy()),
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
