import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { createDeps, type Deps } from "@/server/deps";
import { closeDeps } from "./deps";
import { scratchPostgres } from "./scratch-db";

/** Real peers for the notification tests: an HTTP receiver (Slack, webhook) and an SMTP server. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer; default 200. */
  respond: (req: Received) => { status: number; headers?: Record<string, string> } | Promise<{ status: number; headers?: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: "", received: [], respond: () => ({ status: 200 }), close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: Received = { path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      receiver.received.push(r);
      void Promise.resolve(receiver.respond(r)).then((a) => {
        res.writeHead(a.status, { "content-type": "text/plain", ...a.headers });
        res.end(a.status < 300 ? "ok" : "nope");
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections());
  return receiver;
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

export async function startSmtp(): Promise<{ url: string; port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username }),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Deps on a database of this test file's own (the drain takes every event in its database, and
 * routes are one global table), with the given channel configuration.
 */
export async function notifyDeps(env: Record<string, string>): Promise<{ deps: Deps; url: string | null; drop: () => Promise<void> }> {
  const scratch = await scratchPostgres("test_notif");
  const deps = await createDeps({
    env: parseEnv({ NODE_ENV: "test", ORCHESTRATOR_URL: "http://dash.test", ...env }),
    database: scratch ? { url: scratch.url } : { memory: true },
    kv: createKeyValueStore({}),
  });
  return {
    deps,
    url: scratch?.url ?? null,
    drop: async () => {
      await Promise.all(Object.values(deps.notify).map((c) => c?.close?.()));
      await closeDeps(deps);
      await scratch?.drop();
    },
  };
}
