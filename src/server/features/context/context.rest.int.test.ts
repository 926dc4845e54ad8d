import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { handleRest } from "@/server/api/rest";
import { setDeps, type Deps } from "@/server/deps";
import type { Entry } from "./schema";

/** /ai/context as GPT sees it: every status each operation can answer. */
let deps: Deps;
let writer: string;
let reader: string;
// A repo scope: shared by every key holding the context scopes (writer and reader are two clients)
const scope = `repo:test/rest-${randomUUID().slice(0, 8)}`;

async function rest(method: string, path: string, opts: { key?: string; body?: unknown; query?: Record<string, string> } = {}) {
  const url = new URL(`http://test.local/ai${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = opts.key ? { "x-api-key": opts.key } : {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await handleRest(new Request(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }));
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Record<string, any> };
}

const put = (body: Record<string, unknown>, key = writer) => rest("PUT", "/context", { key, body: { scope, ...body } });
const get = (k: string, key = reader) => rest("GET", "/context", { key, query: { scope, key: k } });

describe("REST /ai/context", () => {
  beforeAll(async () => {
    deps = await testDeps({ CONTEXT_MAX_TTL_SECONDS: "3600" });
    setDeps(deps);
    writer = (await makeKey(deps, ["context:read", "context:write"])).key;
    reader = (await makeKey(deps, ["context:read"])).key;
  });
  afterAll(async () => {
    await deps.events.close();
    await closeDeps(deps);
  });

  it("200: put creates version 1, get reads it back, a second put is version 2", async () => {
    const first = await put({ key: "deploy/status", value: { state: "green", checks: [1, 2] } });
    expect(first.status).toBe(200);
    const entry = first.body.entry as Entry;
    expect(first.body.conflict).toBe(false);
    expect(entry).toMatchObject({ scope, key: "deploy/status", value: { state: "green", checks: [1, 2] }, version: 1, updatedBy: { type: "api_key" } });
    const ttl = Date.parse(entry.expiresAt) - Date.parse(entry.updatedAt);
    expect(ttl).toBe(900_000);

    const read = await get("deploy/status");
    expect(read.status).toBe(200);
    expect(read.body).toEqual(entry);

    const second = await put({ key: "deploy/status", value: null, ttlSeconds: 60 });
    expect(second.body.entry).toMatchObject({ value: null, version: 2 });
  });

  it("200: list pages a scope in key order with a prefix filter", async () => {
    for (const k of ["list/b", "list/a", "list/c", "other"]) expect((await put({ key: k, value: k })).status).toBe(200);
    const page1 = await rest("GET", "/context/list", { key: reader, query: { scope, prefix: "list/", limit: "2" } });
    expect(page1.status).toBe(200);
    expect((page1.body.items as Entry[]).map((e) => e.key)).toEqual(["list/a", "list/b"]);
    expect(page1.body.nextCursor).toBe("list/b");
    const page2 = await rest("GET", "/context/list", { key: reader, query: { scope, prefix: "list/", limit: "2", cursor: "list/b" } });
    expect((page2.body.items as Entry[]).map((e) => e.key)).toEqual(["list/c"]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it("200: delete answers deleted true, then false; the entry is gone", async () => {
    await put({ key: "to-delete", value: 1 });
    const del = await rest("DELETE", "/context", { key: writer, query: { scope, key: "to-delete" } });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deleted: true });
    expect((await rest("DELETE", "/context", { key: writer, query: { scope, key: "to-delete" } })).body).toEqual({ deleted: false });
    expect((await get("to-delete")).status).toBe(404);
  });

  it("400: a malformed scope, key, TTL or ifMatch without expectedVersion", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ scope: "repo:no-slash", key: "k", value: 1 }, /scope must be/],
      [{ scope: "tenant:x", key: "k", value: 1 }, /scope must be/],
      [{ key: "has space", value: 1 }, /key must be/],
      [{ key: "k".repeat(201), value: 1 }, /at most 200/],
      [{ key: "k" }, /value is required/],
      [{ key: "k", value: 1, ttlSeconds: 0 }, /ttlSeconds/],
      [{ key: "k", value: 1, ttlSeconds: 3601 }, /over the maximum of 3600/],
      [{ key: "k", value: 1, ifMatch: true }, /ifMatch needs expectedVersion/],
    ];
    for (const [body, message] of cases) {
      const res = await rest("PUT", "/context", { key: writer, body: { scope, ...body } });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe("BAD_REQUEST");
      expect(res.body.error.message).toMatch(message);
    }
    expect((await rest("GET", "/context", { key: reader, query: { scope: "global", key: "a b" } })).status).toBe(400);
    expect((await rest("GET", "/context/list", { key: reader, query: { scope: "session:" } })).status).toBe(400);
  });

  it("401 without a key, 403 for a key without the scope", async () => {
    expect((await rest("GET", "/context", { query: { scope, key: "k" } })).status).toBe(401);
    const denied = await put({ key: "k", value: 1 }, reader);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/context:write/);
    const auditOnly = (await makeKey(deps, ["audit:read"])).key;
    expect((await get("deploy/status", auditOnly)).status).toBe(403);
    expect((await rest("DELETE", "/context", { key: reader, query: { scope, key: "k" } })).status).toBe(403);
  });

  it("404 for a missing key", async () => {
    const res = await get("never/written");
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/never\/written/) });
  });

  it("409 for a stale expectedVersion with ifMatch; nothing changes", async () => {
    await put({ key: "guarded", value: "v1" });
    await put({ key: "guarded", value: "v2" });
    const res = await put({ key: "guarded", value: "mine", expectedVersion: 1, ifMatch: true });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "CONFLICT", details: { expectedVersion: 1, currentVersion: 2 } });
    expect((await get("guarded")).body).toMatchObject({ value: "v2", version: 2 });
    const ok = await put({ key: "guarded", value: "mine", expectedVersion: 2, ifMatch: true });
    expect(ok.body).toMatchObject({ conflict: false, entry: { value: "mine", version: 3 } });
  });

  it('ifMatch "false" (a string) is false: the stale write wins, flagged as a conflict; "maybe" is a 400', async () => {
    const own = `${scope}-bool`; // its own scope: the summary test counts this one's entries
    await put({ scope: own, key: "textbool", value: "v1" });
    await put({ scope: own, key: "textbool", value: "v2" });
    const res = await put({ scope: own, key: "textbool", value: "mine", expectedVersion: 1, ifMatch: "false" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ conflict: true, entry: { value: "mine", version: 3 } });
    expect((await put({ scope: own, key: "textbool", value: "again", expectedVersion: 1, ifMatch: "TRUE" })).status).toBe(409);
    expect((await put({ scope: own, key: "textbool", value: "again", expectedVersion: 1, ifMatch: "maybe" })).status).toBe(400);
  });

  it("413 for a value over 64 KB, with a clear message", async () => {
    const res = await put({ key: "big", value: { blob: "x".repeat(70_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(res.body.error.message).toMatch(/at most 65536 bytes \(64 KB\)/);
    expect((await get("big")).status).toBe(404);
    expect((await put({ key: "just-fits", value: "y".repeat(65_534) })).status).toBe(200);
  });

  it("429 past a key's read limit, with Retry-After", async () => {
    const limited = (await makeKey(deps, ["context:read"], { rateLimits: { read: 2 } })).key;
    expect((await get("deploy/status", limited)).status).toBe(200);
    expect((await get("deploy/status", limited)).status).toBe(200);
    const res = await get("deploy/status", limited);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("expires an entry after ttlSeconds: get 404, gone from the list", async () => {
    await put({ key: "short-lived", value: "tick", ttlSeconds: 1 });
    expect((await get("short-lived")).status).toBe(200);
    await sleep(1_300);
    expect((await get("short-lived")).status).toBe(404);
    const list = await rest("GET", "/context/list", { key: reader, query: { scope, prefix: "short" } });
    expect(list.body.items).toEqual([]);
  });

  it("200: history lists the writes newest first, from the audit log", async () => {
    await put({ key: "hist", value: { a: 1, password: "hunter2" } });
    await put({ key: "hist", value: { a: 2 }, expectedVersion: 1 });
    await rest("DELETE", "/context", { key: writer, query: { scope, key: "hist" } });
    const res = await rest("GET", "/context/history", { key: reader, query: { scope, key: "hist", limit: "10" } });
    expect(res.status).toBe(200);
    const items = res.body.items as { operation: string; version: number; conflict: boolean; value: unknown; actor: { type: string } }[];
    expect(items.map((i) => [i.operation, i.version])).toEqual([
      ["delete", 2],
      ["put", 2],
      ["put", 1],
    ]);
    expect(items[2]!.value).toEqual({ a: 1, password: "[redacted]" });
    expect(items.every((i) => i.actor.type === "api_key" && i.conflict === false)).toBe(true);
  });

  it("200: summary counts the scope's live entries", async () => {
    const res = await rest("GET", "/context/summary", { key: reader });
    expect(res.status).toBe(200);
    const mine = (res.body.scopes as { scope: string; entries: number }[]).find((s) => s.scope === scope);
    // deploy/status, list/a, list/b, list/c, other, guarded, just-fits
    expect(mine).toEqual({ scope, entries: 7 });
    expect((res.body.lastWrites as unknown[]).length).toBeGreaterThan(0);
  });
});
