import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { writeAdminLink, type AdminLink } from "@/server/adapters/db/admin-link";
import type { Deps } from "@/server/deps";
import { handleAdminCli } from "./admin";

/**
 * The admin link's own HTTP listener, bound to 127.0.0.1 on a port of its own: only a process on
 * this machine can connect, and the handler sees the socket's remote address (which a Next.js route
 * cannot). Its URL and token go to `<dataDir>/admin.json` for the CLI.
 */
export async function startAdminListener(deps: Deps): Promise<{ server: Server; link: AdminLink }> {
  const server = createServer((req, res) => {
    void handleAdminCli(toRequest(req), req.socket.remoteAddress).then(
      async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  server.unref(); // never keeps the process alive on its own
  const link = writeAdminLink(deps.env.dataDir, (server.address() as AddressInfo).port, Number(process.env.PORT ?? 3000));
  return { server, link };
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://127.0.0.1${req.url ?? "/"}`, {
    method: req.method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
}
