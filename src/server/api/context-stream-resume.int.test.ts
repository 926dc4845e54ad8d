import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps, type Deps } from "@/server/deps";
import type { ContextEvent } from "@/server/features/context/schema";
import { readSse, type SseEvent } from "../../cli/cursor/sse";
import { startAppServer, type AppServer } from "../../../tests/support/app-server";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { pollUntil, type Check } from "../../../tests/support/until";

/**
 * Resuming a stream of several scopes from its event id, over a real port: the short id of the current
 * form, an id of the earlier form (scope names), and an id made for another list of scopes.
 */

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

const until = <T>(what: string, check: Check<T>, ms = 15_000) => pollUntil(what, check, ms, 25);

/** A stream read in the background: its events so far, and a way to close it. */
async function open(key: string, scopes: string[], lastEventId?: string) {
  const stop = new AbortController();
  const query = new URLSearchParams(scopes.map((s) => ["scope", s])).toString();
  const res = await fetch(`${app.url}/ai/context/stream?${query}`, { headers: { "x-api-key": key, ...(lastEventId ? { "last-event-id": lastEventId } : {}) }, signal: stop.signal });
  expect(res.status).toBe(200);
  const events: SseEvent[] = [];
  const reading = (async () => {
    try {
      for await (const e of readSse(res.body!)) events.push(e);
    } catch {
      // closed
    }
  })();
  await until("ready", () => events.some((e) => e.event === "ready"));
  return {
    events,
    puts: () => events.filter((e) => e.event === "put").map((e) => JSON.parse(e.data) as ContextEvent),
    close: async () => {
      stop.abort();
      await reading;
    },
  };
}

describe("resuming GET /ai/context/stream with Last-Event-ID", () => {
  it("resumes each of several scopes after where its short id left it, with nothing missed and nothing twice; earlier-form ids still resume", async () => {
    const reader = await makeKey(deps, ["context:read"], { rateLimits });
    const writer = await makeKey(deps, ["context:write"], { rateLimits });
    const tag = randomUUID().slice(0, 8);
    const [a, b, c] = ["a", "b", "c"].map((n) => `repo:resume/${tag}-${n}`) as [string, string, string];
    const put = async (scope: string, value: string) => {
      const r = await fetch(`${app.url}/ai/context`, {
        method: "PUT",
        headers: { "x-api-key": writer.key, "content-type": "application/json" },
        body: JSON.stringify({ scope, key: "k", value: { value } }),
      });
      expect(r.status).toBe(200);
    };
    const said = (events: ContextEvent[]) => events.map((e) => `${e.scope.slice(-1)}:${(e.entry!.value as { value: string }).value}`);

    const first = await open(reader.key, [a, b, c]);
    await put(a, "a1");
    await put(b, "b1");
    await put(a, "a2");
    await until("three changes", () => first.puts().length === 3);
    const id = first.events.at(-1)!.id!;
    expect(id.length).toBeLessThan(30);
    expect(id).not.toContain("resume");
    const seqs = new Map(first.puts().map((e) => [e.scope, e.seq!]));
    await first.close();

    // written while nobody listens
    await put(b, "b2");
    await put(c, "c1");
    await put(a, "a3");
    await put(b, "b3");

    // in another order of the same scopes: the same list
    const second = await open(reader.key, [c, a, b], id);
    await until("the four missed changes", () => second.puts().length >= 4);
    await put(c, "c2");
    await until("the live change after them", () => second.puts().length >= 5);
    await sleep(200);
    const resumed = said(second.puts());
    expect(resumed.toSorted()).toEqual(["a:a3", "b:b2", "b:b3", "c:c1", "c:c2"]);
    // each scope in its own order
    expect(resumed.filter((s) => s.startsWith("b"))).toEqual(["b:b2", "b:b3"]);
    expect(second.events.some((e) => e.event === "reset")).toBe(false);
    await second.close();

    // an id of the earlier form (scope=seq, by name) resumes after the positions it names
    const third = await open(reader.key, [a, b, c], `${a}=${seqs.get(a)},${b}=${seqs.get(b)},${c}=0`);
    await until("everything after the first three", () => third.puts().length >= 5);
    await sleep(200);
    expect(said(third.puts()).toSorted()).toEqual(["a:a3", "b:b2", "b:b3", "c:c1", "c:c2"]);
    await third.close();
  });

  it("an id made for another list of scopes resets every scope (the client reads them again) and follows from the heads", async () => {
    const reader = await makeKey(deps, ["context:read"], { rateLimits });
    const writer = await makeKey(deps, ["context:write"], { rateLimits });
    const tag = randomUUID().slice(0, 8);
    const [a, b] = ["a", "b"].map((n) => `repo:resume/${tag}-${n}`) as [string, string];
    const put = (scope: string, value: string) =>
      fetch(`${app.url}/ai/context`, { method: "PUT", headers: { "x-api-key": writer.key, "content-type": "application/json" }, body: JSON.stringify({ scope, key: "k", value: { value } }) });
    const first = await open(reader.key, [a]);
    await put(a, "a1");
    await until("a change", () => first.puts().length === 1);
    const id = first.events.at(-1)!.id!;
    await first.close();
    await put(a, "a2");

    const other = await open(reader.key, [a, b], id);
    await until("two resets", () => other.events.filter((e) => e.event === "reset").length === 2);
    expect(
      other.events
        .filter((e) => e.event === "reset")
        .map((e) => (JSON.parse(e.data) as { scope: string }).scope)
        .toSorted(),
    ).toEqual([a, b]);
    // the missed change is not replayed (its position was unknown); what comes next is
    await put(b, "b1");
    await until("the live change", () => other.puts().length === 1);
    expect((other.puts()[0]!.entry!.value as { value: string }).value).toBe("b1");
    await other.close();
  });
});
