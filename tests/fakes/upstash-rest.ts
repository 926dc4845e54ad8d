/**
 * A protocol fake of the Upstash REST API as @upstash/redis speaks it, fronting a real Redis:
 *   POST /            body ["SET","k","v"]            → {"result": ...} | 400 {"error": ...}
 *   POST /pipeline    body [["SET",...],["GET",...]]  → [{"result"}|{"error"}, ...]
 *   POST /multi-exec  same, run as MULTI/EXEC        → same; 400 {"error"} when the transaction aborts
 * Auth is `Authorization: Bearer <token>` (401 otherwise). With `Upstash-Encoding: base64` (the client's
 * default) every string in a result is base64 of the raw bytes, as the real service does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

type Command = [string, ...unknown[]];
type Reply = { result: unknown } | { error: string };

export async function startUpstashFake(cfg: { redisUrl: string; token: string }): Promise<{ url: string; close(): Promise<void> }> {
  const redis = new Redis(cfg.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", () => {});

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: message(err) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return send(res, 405, { error: "Method not allowed" });
    if (req.headers.authorization !== `Bearer ${cfg.token}`) return send(res, 401, { error: "Unauthorized" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const encode = (v: unknown) => encodeResult(v, base64);

    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { error: "ERR failed to parse request body as JSON" });
    }
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "");

    if (path === "") {
      if (!isCommand(body)) return send(res, 400, { error: "ERR expected a command array" });
      const reply = await run(body);
      return send(res, "error" in reply ? 400 : 200, "error" in reply ? reply : { result: encode(reply.result) });
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
        return send(res, 400, { error: "ERR expected an array of command arrays" });
      }
      const replies = path === "/pipeline" ? await runSequentially(body) : await runTransaction(body);
      if (!Array.isArray(replies)) return send(res, 400, replies);
      return send(
        res,
        200,
        replies.map((r) => ("error" in r ? r : { result: encode(r.result) })),
      );
    }
    return send(res, 404, { error: `Not found: ${path}` });
  }

  async function run([name, ...args]: Command): Promise<Reply> {
    try {
      return { result: await redis.callBuffer(name, ...args.map(toArg)) };
    } catch (err) {
      return { error: message(err) };
    }
  }

  async function runSequentially(commands: Command[]): Promise<Reply[]> {
    const replies: Reply[] = [];
    for (const command of commands) replies.push(await run(command));
    return replies;
  }

  async function runTransaction(commands: Command[]): Promise<Reply[] | { error: string }> {
    const multi = redis.multi();
    for (const [name, ...args] of commands) multi.callBuffer(name, ...args.map(toArg));
    try {
      const results = await multi.exec();
      if (!results) return { error: "ERR transaction aborted" };
      return results.map(([err, result]) => (err ? { error: message(err) } : { result }));
    } catch (err) {
      return { error: message(err) };
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      // The client keeps sockets alive; drop them so close() does not wait for their idle timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function isCommand(v: unknown): v is Command {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === "string";
}

/** The client sends numbers and booleans as JSON scalars and anything else pre-stringified. */
function toArg(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

/** Redis replies arrive as Buffers (binary-safe); integers, nulls and nested arrays pass through. */
function encodeResult(v: unknown, base64: boolean): unknown {
  if (Buffer.isBuffer(v)) return base64 ? v.toString("base64") : v.toString("utf8");
  if (Array.isArray(v)) return v.map((x) => encodeResult(x, base64));
  if (v instanceof Error) return v.message;
  return v;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}
