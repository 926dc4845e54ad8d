import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps, type Deps } from "@/server/deps";
import type { ContextEvent } from "@/server/features/context/schema";
import { startAppServer, type AppServer } from "../../../tests/support/app-server";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { TempGitRepo } from "../../../tests/support/git-repo";
import { listen } from "./listen";
import { RULES_FILE } from "./rules-file";
import { readSse } from "./sse";
import { pollUntil, type Check } from "../../../tests/support/until";

/** The live context stream and `cursor listen`, over a real port, with another client writing. */

let deps: Deps;
let app: AppServer;
const rateLimits = { read: 100_000, write: 100_000 };

beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
  app = await startAppServer();
});
afterAll(async () => {
  await app.close();
  await closeDeps(deps);
});

const until = <T>(what: string, check: Check<T>, ms = 20_000) => pollUntil(what, check, ms, 50);

const put = (key: string, body: unknown) =>
  fetch(`${app.url}/ai/context`, { method: "PUT", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => {
    if (!r.ok) throw new Error(`PUT ${r.status}: ${await r.text()}`);
  });

describe("GET /ai/context/stream", () => {
  it("resumes after a dropped connection with nothing missed: 500 writes, connections cut mid-burst", async () => {
    const reader = await makeKey(deps, ["context:read"], { rateLimits });
    const writer = await makeKey(deps, ["context:write"], { rateLimits });
    const scope = `repo:stream/${randomUUID().slice(0, 8)}`;
    const received: ContextEvent[] = [];
    let lastEventId: string | null = null;
    let connections = 0;
    const stop = new AbortController();

    const follow = (async () => {
      while (!stop.signal.aborted) {
        try {
          const res: Response = await fetch(`${app.url}/ai/context/stream?scope=${encodeURIComponent(scope)}`, {
            headers: { "x-api-key": reader.key, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
            signal: stop.signal,
          });
          expect(res.status).toBe(200);
          connections++;
          for await (const e of readSse(res.body!)) {
            if (e.id !== null) lastEventId = e.id;
            if (e.event === "put") received.push(JSON.parse(e.data) as ContextEvent);
          }
        } catch {
          // cut: reconnect with the last id
        }
      }
    })();

    await until("the first connection", () => lastEventId !== null);
    const writes = (async () => {
      for (let i = 0; i < 500; i++) {
        await put(writer.key, { scope, key: `k${i % 20}`, value: { i } });
      }
    })();
    let cuts = 0;
    while (received.length < 500 && cuts < 3) {
      await until("more events", () => received.length >= 100 * (cuts + 1) || received.length >= 500);
      app.dropStreams();
      cuts++;
    }
    await writes;
    await until("all 500 events", () => received.length >= 500, 30_000);
    await sleep(300);
    stop.abort();
    await follow;

    expect(cuts).toBeGreaterThan(0);
    expect(connections).toBeGreaterThan(1);
    expect(received.map((e) => (e.entry!.value as { i: number }).i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(received.map((e) => e.seq)).toEqual(received.map((_, i) => received[0]!.seq! + i));
  });

  it("refuses a missing key (401), a key without context:read (403), a bad scope (400) and streams over the per-key limit (429)", async () => {
    const stream = (key: string | null, scope = "global") => fetch(`${app.url}/ai/context/stream?scope=${encodeURIComponent(scope)}`, { headers: key ? { "x-api-key": key } : {} });
    expect((await stream(null)).status).toBe(401);
    expect((await stream((await makeKey(deps, ["audit:read"])).key)).status).toBe(403);
    const reader = await makeKey(deps, ["context:read"], { rateLimits });
    expect((await stream(reader.key, "nope")).status).toBe(400);
    // another client's scope answers as if it did not exist
    expect((await stream(reader.key, "client:someone-else")).status).toBe(404);
    const open: Response[] = [];
    for (let i = 0; i < deps.env.CONTEXT_STREAM_MAX_PER_KEY; i++) open.push(await stream(reader.key));
    expect(open.every((r) => r.status === 200)).toBe(true);
    const over = await stream(reader.key);
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toBeTruthy();
    await Promise.all(open.map((r) => r.body!.cancel()));
    // slots are given back when streams close
    await until("a free slot", async () => {
      const again = await stream(reader.key);
      await again.body?.cancel();
      return again.status === 200;
    });
  });
});

describe("cursor listen", () => {
  it("rewrites the Cursor rule file when another client changes the shared context", async () => {
    const r = new TempGitRepo();
    r.git("remote", "add", "origin", "https://github.com/acme/listen-demo.git");
    const listener = await makeKey(deps, ["context:read"], { rateLimits });
    const other = await makeKey(deps, ["context:write", "cursor:write"], { rateLimits });
    const stop = new AbortController();
    const rewrites: number[] = [];
    const lines: string[] = [];
    const file = path.join(r.dir, RULES_FILE);
    const running = listen({ server: { url: app.url, key: listener.key }, dir: r.dir, log: (l) => lines.push(l), onRewrite: () => rewrites.push(Date.now()) }, stop.signal);
    try {
      await until("listening", () => lines.some((l) => l.startsWith("following")));
      await put(other.key, { scope: "repo:acme/listen-demo", key: "plan", value: { next: "ship the listener" } });
      await until("the rule file with the change", () => {
        try {
          return readFileSync(file, "utf8").includes("ship the listener");
        } catch {
          return false;
        }
      });
      const text = readFileSync(file, "utf8");
      expect(text.startsWith("---\n")).toBe(true);
      expect(text).toContain("alwaysApply: true");
      expect(text).toContain("### repo:acme/listen-demo");
      expect(text).toContain("## Today's suggestions");
      expect(lines.some((l) => l.includes("put repo:acme/listen-demo plan v"))).toBe(true);
      const before = rewrites.length;
      await put(other.key, { scope: "repo:acme/listen-demo", key: "plan", value: { next: "second thoughts" } });
      await until("a second rewrite", () => rewrites.length > before && readFileSync(file, "utf8").includes("second thoughts"));
    } finally {
      stop.abort();
      await running.catch(() => {});
      r.cleanup();
    }
  });
});
