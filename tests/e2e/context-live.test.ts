import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "./support/server";

/**
 * Live updates across instances: two app processes on the same Postgres and Redis, a signed-in
 * dashboard user subscribed to a scope on instance A (tRPC over SSE, the dashboard's own endpoint),
 * and a GPT-style client writing through instance B's REST. The event must reach A within a second.
 */
const run = promisify(execFile);
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const DIST = process.env.E2E_DIST_DIR ?? ".next-e2e";
const env = { DATABASE_URL, REDIS_URL, NEXTAUTH_SECRET: `e2e-${randomUUID()}` };

type SseEvent = { event: string | null; data: string };

/** Reads a text/event-stream response as events, for as long as the caller keeps reading. */
async function* sseEvents(res: Response): AsyncGenerator<SseEvent> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? null;
      const data = lines
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (event || data) yield { event, data };
    }
  }
}

/** Signs in through next-auth's credentials flow and returns the session cookie. */
async function signIn(server: AppServer, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: server.url, json: "true" }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in failed (${res.status}): ${await res.text()}`);
  return session.split(";")[0]!;
}

function watch(server: AppServer, scope: string, cookie?: string, signal?: AbortSignal) {
  const input = encodeURIComponent(JSON.stringify({ scope }));
  return fetch(`${server.url}/api/trpc/context.watch?input=${input}`, { headers: { accept: "text/event-stream", ...(cookie ? { cookie } : {}) }, signal });
}

describe("shared context: live updates across two instances", () => {
  let a: AppServer;
  let b: AppServer;
  let apiKey: string;
  let cookie: string;
  const scope = `session:live-${randomUUID().slice(0, 8)}`;
  const put = (key: string, value: unknown) =>
    fetch(`${b.url}/ai/context`, { method: "PUT", headers: { "x-api-key": apiKey, "content-type": "application/json" }, body: JSON.stringify({ scope, key, value }) });

  beforeAll(async () => {
    // Two `next dev` cannot share a build folder.
    [a, b] = await Promise.all([startApp({ env, distDir: `${DIST}-live-a` }), startApp({ env, distDir: `${DIST}-live-b` })]);
    const cli = (...args: string[]) => run(process.execPath, ["bin/orchestrator.mjs", ...args], { env: { ...process.env, ...env } });
    const client = `e2e-live-${randomUUID().slice(0, 8)}`;
    const email = `${client}@test.local`;
    const password = randomUUID();
    await cli("users", "create", "--email", email, "--role", "viewer", "--password", password);
    apiKey = (await cli("keys", "create", "--client", client, "--scopes", "context:read,context:write", "--owner", email)).stdout.trim().split("\n").pop()!;
    cookie = await signIn(a, email, password);
    // Compile the routes first (next dev builds each on its first request), so the timing below is the app's.
    expect((await put("warm-up", 0)).status).toBe(200);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("a put and a delete made through instance B's REST reach a subscriber on instance A within a second", async () => {
    const abort = new AbortController();
    try {
      const res = await watch(a, scope, cookie, abort.signal);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
      const events = sseEvents(res);
      // The subscription is listening once the stream says connected.
      expect((await events.next()).value).toMatchObject({ event: "connected" });

      const started = Date.now();
      const written = put("deploy/state", { state: "rolling", by: "gpt" });
      const { value } = await events.next();
      const elapsed = Date.now() - started;
      expect((await written).status).toBe(200);
      expect(value!.event).toBeNull();
      expect(JSON.parse(value!.data)).toMatchObject({ type: "put", scope, key: "deploy/state", entry: { value: { state: "rolling", by: "gpt" }, version: 1, updatedBy: { type: "api_key" } } });
      expect(elapsed).toBeLessThan(1_000);

      const delStarted = Date.now();
      const deleted = await fetch(`${b.url}/ai/context?scope=${encodeURIComponent(scope)}&key=deploy/state`, { method: "DELETE", headers: { "x-api-key": apiKey } });
      expect(deleted.status).toBe(200);
      const del = (await events.next()).value!;
      expect(Date.now() - delStarted).toBeLessThan(1_000);
      expect(JSON.parse(del.data)).toMatchObject({ type: "delete", scope, key: "deploy/state" });
    } finally {
      abort.abort();
    }
  });

  it("a read through instance A answers a write made through instance B, though A keeps a copy of the entry (its near cache, kept coherent by Redis)", async () => {
    const key = "near/cache";
    const get = async () => {
      const res = await fetch(`${a.url}/ai/context?scope=${encodeURIComponent(scope)}&key=${key}`, { headers: { "x-api-key": apiKey } });
      expect(res.status).toBe(200);
      return (await res.json()) as { version: number; value: unknown };
    };
    expect((await put(key, { n: 1 })).status).toBe(200);
    await get(); // compiles A's route, and A keeps the entry
    const keptFrom = Date.now();
    expect(await get()).toMatchObject({ version: 1 });
    expect((await put(key, { n: 2 })).status).toBe(200);
    let seen = await get();
    while (seen.version !== 2 && Date.now() - keptFrom < 900) seen = await get();
    expect(seen).toMatchObject({ version: 2, value: { n: 2 } });
    // sooner than the copy's 1-s age limit: Redis's invalidation, not the copy growing old, made A read again
    expect(Date.now() - keptFrom).toBeLessThan(900);
  });

  it("a signed-out subscriber gets an UNAUTHORIZED error event and nothing else", async () => {
    const res = await watch(a, scope);
    const events = sseEvents(res);
    const seen: SseEvent[] = [];
    for await (const e of events) {
      seen.push(e);
      if (e.event === "serialized-error") break;
    }
    const error = seen.find((e) => e.event === "serialized-error")!;
    expect(JSON.parse(error.data)).toMatchObject({ code: -32001, data: { appCode: "UNAUTHORIZED" } });
  });
});
