import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { makeUser } from "../../../../tests/support/intents";
import { handleRest } from "@/server/api/rest";
import { appRouter } from "@/server/api/root";
import type { Actor } from "@/server/core/auth/actor";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import { SnapshotCache } from "@/server/core/snapshot";
import { setDeps, type Deps } from "@/server/deps";
import { createContext } from "@/server/trpc/context";
import { ScopeGuard, sessionOwnerKey } from "./access";
import type { ContextEvent } from "./schema";

/**
 * Client and session scopes belong to one client: another API key gets 404 reading and 403 writing,
 * and history, summary, list and the live stream show it nothing, until an admin shares the scope.
 * Shared scopes (global, repo:) and dashboard users are unaffected. Through REST, as GPT calls it.
 */
let deps: Deps;
let a: { key: string; clientId: string };
let b: { key: string; clientId: string };
let admin: Extract<Actor, { type: "user" }>;

async function rest(method: string, path: string, key: string, payload?: Record<string, unknown>) {
  const url = new URL(`http://test.local/ai${path}`);
  const inQuery = method === "GET" || method === "DELETE";
  if (inQuery) for (const [k, v] of Object.entries(payload ?? {})) url.searchParams.set(k, String(v));
  const body = inQuery || payload === undefined ? undefined : JSON.stringify(payload);
  const res = await handleRest(new Request(url, { method, headers: { "x-api-key": key, ...(body ? { "content-type": "application/json" } : {}) }, body }));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}
const trpc = (actor: Actor, signal?: AbortSignal) => appRouter.createCaller(createContext({ deps, requestId: randomUUID(), surface: "trpc", ip: null, actor }), { signal });
const id = () => randomUUID().slice(0, 8);

beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
  a = await makeKey(deps, ["context:read", "context:write"]);
  b = await makeKey(deps, ["context:read", "context:write"]);
  admin = await makeUser(deps, "admin");
});
afterAll(async () => {
  await deps.events.close();
  await closeDeps(deps);
});

describe("context scopes owned by a client", () => {
  it("client:<id> is that client's: another key gets 404 reading (get, list, history) and 403 writing (put, delete)", async () => {
    const scope = `client:${a.clientId}`;
    expect((await rest("PUT", "/context", a.key, { scope, key: "plan", value: { step: 1 } })).status).toBe(200);
    expect((await rest("GET", "/context", a.key, { scope, key: "plan" })).status).toBe(200);

    expect((await rest("PUT", "/context", b.key, { scope, key: "plan", value: "hijacked" })).status).toBe(403);
    expect((await rest("DELETE", "/context", b.key, { scope, key: "plan" })).status).toBe(403);
    const read = await rest("GET", "/context", b.key, { scope, key: "plan" });
    expect(read.status).toBe(404);
    expect(JSON.stringify(read.body)).not.toContain("step");
    expect((await rest("GET", "/context/list", b.key, { scope })).status).toBe(404);
    expect((await rest("GET", "/context/history", b.key, { scope, key: "plan" })).status).toBe(404);
    expect((await rest("GET", "/context", a.key, { scope, key: "plan" })).body).toMatchObject({ value: { step: 1 }, version: 1 });
  });

  it("session:<id> belongs to the client that wrote it first", async () => {
    const scope = `session:owned-${id()}`;
    expect((await rest("PUT", "/context", a.key, { scope, key: "k", value: 1 })).status).toBe(200);
    expect((await rest("PUT", "/context", b.key, { scope, key: "k", value: 2 })).status).toBe(403);
    expect((await rest("GET", "/context", b.key, { scope, key: "k" })).status).toBe(404);
    expect((await rest("GET", "/context/history", b.key, { scope, key: "k" })).status).toBe(404);
    expect((await rest("PUT", "/context", a.key, { scope, key: "k", value: 3 })).status).toBe(200);
    expect((await rest("GET", "/context", a.key, { scope, key: "k" })).body).toMatchObject({ value: 3, version: 2 });
  });

  it("global and repo: scopes stay shared; dashboard users see every scope", async () => {
    const repo = `repo:acme/shared-${id()}`;
    expect((await rest("PUT", "/context", a.key, { scope: repo, key: "k", value: "from a" })).status).toBe(200);
    expect((await rest("PUT", "/context", b.key, { scope: repo, key: "k", value: "from b" })).status).toBe(200);
    expect((await rest("GET", "/context", a.key, { scope: repo, key: "k" })).body).toMatchObject({ value: "from b" });
    const viewer = await makeUser(deps, "viewer");
    expect(await trpc(viewer).context.get({ scope: `client:${a.clientId}`, key: "plan" })).toMatchObject({ value: { step: 1 } });
  });

  it("an admin's grant shares a scope (read, then write), audited; revoking it hides the scope again", async () => {
    const scope = `client:${a.clientId}`;
    const grant = (access: "read" | "write") => trpc(admin).context.grant({ scope, clientId: b.clientId, access });
    await grant("read");
    expect((await rest("GET", "/context", b.key, { scope, key: "plan" })).status).toBe(200);
    expect((await rest("PUT", "/context", b.key, { scope, key: "plan", value: "still no" })).status).toBe(403);
    await grant("write");
    expect((await rest("PUT", "/context", b.key, { scope, key: "plan", value: { step: 2 } })).status).toBe(200);
    expect((await trpc(admin).context.grants({ scope })).items).toEqual([expect.objectContaining({ scope, clientId: b.clientId, access: "write", grantedBy: `user:${admin.id}` })]);
    expect(await trpc(admin).context.revokeGrant({ scope, clientId: b.clientId })).toEqual({ revoked: true });
    expect((await rest("GET", "/context", b.key, { scope, key: "plan" })).status).toBe(404);
    const audited = await deps.db.auditEvent.findMany({ where: { target: scope, action: { in: ["context.grant", "context.ungrant"] } }, orderBy: { seq: "asc" } });
    expect(audited.map((e) => e.action)).toEqual(["context.grant", "context.grant", "context.ungrant"]);
    expect(
      await trpc(await authenticateApiKey(deps.db, b.key, null))
        .context.grant({ scope, clientId: b.clientId, access: "read" })
        .catch((e: { code: string }) => e.code),
    ).toBe("FORBIDDEN");
  });

  it("the summary shows a key only the scopes and last writes it may read; a user sees them all", async () => {
    const secret = `session:secret-${id()}`;
    expect((await rest("PUT", "/context", a.key, { scope: secret, key: "s", value: "a's secret" })).status).toBe(200);
    const seenByB = (await rest("GET", "/context/summary", b.key)).body as { scopes: { scope: string }[]; lastWrites: { scope: string }[] };
    const own = (s: string) => s === `client:${a.clientId}` || s === secret;
    expect(seenByB.scopes.filter((s) => own(s.scope))).toEqual([]);
    expect(seenByB.lastWrites.filter((w) => own(w.scope))).toEqual([]);
    expect(JSON.stringify(seenByB)).not.toContain("a's secret");
    const seenByA = (await rest("GET", "/context/summary", a.key)).body as { scopes: { scope: string }[]; lastWrites: { scope: string }[] };
    expect(seenByA.scopes.map((s) => s.scope)).toContain(secret);
    expect(seenByA.lastWrites[0]).toMatchObject({ scope: secret, key: "s" });
    expect((await trpc(admin).context.summary({})).lastWrites[0]).toMatchObject({ scope: secret });
  });

  it("the summary's scopes are the first the key may read: other clients' scopes do not take their places", async () => {
    const run = id();
    // another key of b's client, allowed the burst of writes below
    const busy = await makeKey(deps, ["context:write"], { clientId: b.clientId, rateLimits: { write: 1_000 } });
    const actorB = await authenticateApiKey(deps.db, busy.key, null);
    // more of b's scopes than the summary lists, all named before a's
    for (let i = 0; i < 210; i += 30)
      await Promise.all(Array.from({ length: Math.min(30, 210 - i) }, (_, j) => trpc(actorB).context.put({ scope: `session:0-${run}-${String(i + j).padStart(3, "0")}`, key: "k", value: i + j })));
    const mine = `session:1-${run}`;
    expect((await rest("PUT", "/context", a.key, { scope: mine, key: "s", value: "a's" })).status).toBe(200);
    const seenByA = (await rest("GET", "/context/summary", a.key)).body as { scopes: { scope: string }[] };
    expect(seenByA.scopes.map((s) => s.scope)).toContain(mine);
    expect(seenByA.scopes.some((s) => s.scope.startsWith(`session:0-${run}`))).toBe(false);
  });

  it("the live stream: 404 on another client's scope; on a session not yet owned, only what the watcher may read", async () => {
    const actorA = await authenticateApiKey(deps.db, a.key, null);
    await expect(trpc(actorA).context.watch({ scope: `client:${b.clientId}` })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const scope = `session:race-${id()}`;
    // Each change is checked when it reaches the watcher, against access as it is then. A write answers
    // before its notification arrives, so the grant waits until the watcher has hidden both writes:
    // checked after the grant, a's view of them would be right (a may read the scope by then) and this test wrong.
    const can = ScopeGuard.prototype.can;
    let hidden = 0;
    const checks = vi.spyOn(ScopeGuard.prototype, "can").mockImplementation(async function (this: ScopeGuard, s, access) {
      const allowed = await can.call(this, s, access);
      if (s === scope && !allowed) hidden++;
      return allowed;
    });
    const abort = new AbortController();
    try {
      const stream = (await trpc(actorA, abort.signal).context.watch({ scope })) as AsyncIterable<ContextEvent>;
      const iterator = stream[Symbol.asyncIterator]();
      const first = iterator.next();
      expect((await rest("PUT", "/context", b.key, { scope, key: "hidden-1", value: "b only" })).status).toBe(200);
      expect((await rest("PUT", "/context", b.key, { scope, key: "hidden-2", value: "b only" })).status).toBe(200);
      await vi.waitFor(() => expect(hidden).toBe(2));
      await trpc(admin).context.grant({ scope, clientId: a.clientId, access: "read" });
      expect((await rest("PUT", "/context", b.key, { scope, key: "shared", value: "now a may see" })).status).toBe(200);
      expect(((await first).value as ContextEvent).key).toBe("shared");
    } finally {
      abort.abort();
      checks.mockRestore();
    }
  });

  it("watchers checking the same change share one owner read; the next change is read afresh, so a new owner's writes stay hidden", async () => {
    const actorA = await authenticateApiKey(deps.db, a.key, null);
    const scope = `session:shared-${id()}`;
    expect((await rest("PUT", "/context", a.key, { scope, key: "k", value: 1 })).status).toBe(200); // a owns it
    const watchers = await Promise.all([1, 2, 3].map(() => new ScopeGuard(deps, actorA).assertWatch(scope, "none")));
    const reads = vi.spyOn(deps.kv, "get");
    const ownerReads = () => reads.mock.calls.filter(([key]) => key === sessionOwnerKey(scope)).length;
    try {
      expect(await Promise.all(watchers.map((w) => w({ seq: 1, at: "2026-12-06T00:00:01.000Z" })))).toEqual([true, true, true]);
      expect(ownerReads()).toBe(1);
      // the session changed hands (it expired and b took it): the next change is hidden from a's watchers
      await deps.kv.set(sessionOwnerKey(scope), b.clientId, { ttlMs: 60_000 });
      expect(await Promise.all(watchers.map((w) => w({ seq: 2, at: "2026-12-06T00:00:02.000Z" })))).toEqual([false, false, false]);
      expect(ownerReads()).toBe(2);
    } finally {
      reads.mockRestore();
    }
  });
});

/**
 * The context summary is a snapshot shared by the callers of one view for a short while; each change
 * it shows is visible at the next read all the same, because the change forgets the snapshot: a put,
 * a delete, and a grant or its revocation (which change what a client may see). The snapshots' clock
 * is stopped here, so nothing depends on how fast the machine is; the snapshot's age is in `asOf`.
 */
interface Summary {
  scopes: { scope: string; entries: number }[];
  lastWrites: { scope: string; key: string; operation: string }[];
  asOf: string;
}
const summary = async (key: string) => (await rest("GET", "/context/summary", key)).body as unknown as Summary;
const countOf = (s: Summary, scope: string) => s.scopes.find((x) => x.scope === scope)?.entries ?? 0;

describe("the context summary's snapshot", () => {
  let running: SnapshotCache;
  beforeAll(() => {
    running = deps.snapshots;
    deps.snapshots = new SnapshotCache(512, () => 1_000);
  });
  afterAll(() => {
    deps.snapshots = running;
  });

  it("is shared by the callers of one view while nothing changes, and says when it was read", async () => {
    const first = await summary(a.key);
    const second = await summary(a.key);
    expect(Number.isNaN(Date.parse(first.asOf))).toBe(false);
    expect(second.asOf).toBe(first.asOf);
    expect(second).toEqual(first);
  });

  it("shows a put and a delete at the next read", async () => {
    const scope = `repo:bench/snap-${id()}`;
    const before = await summary(a.key);
    expect(countOf(before, scope)).toBe(0);

    expect((await rest("PUT", "/context", a.key, { scope, key: "one", value: 1 })).status).toBe(200);
    const afterPut = await summary(a.key);
    expect(countOf(afterPut, scope)).toBe(1);
    expect(afterPut.lastWrites[0]).toMatchObject({ scope, key: "one", operation: "put" });

    expect((await rest("PUT", "/context", a.key, { scope, key: "two", value: 2 })).status).toBe(200);
    expect(countOf(await summary(a.key), scope)).toBe(2);

    expect((await rest("DELETE", "/context", a.key, { scope, key: "one" })).status).toBe(200);
    const afterDelete = await summary(a.key);
    expect(countOf(afterDelete, scope)).toBe(1);
    expect(afterDelete.lastWrites[0]).toMatchObject({ scope, key: "one", operation: "delete" });
  });

  it("a write by another client forgets every view's snapshot", async () => {
    const scope = `repo:bench/other-${id()}`;
    await summary(a.key); // a's view is kept now
    expect((await rest("PUT", "/context", b.key, { scope, key: "k", value: "from b" })).status).toBe(200);
    expect(countOf(await summary(a.key), scope)).toBe(1);
  });

  it("a grant shows the scope to the client at its next read; revoking it hides the scope again", async () => {
    const scope = `client:${b.clientId}`;
    expect((await rest("PUT", "/context", b.key, { scope, key: "private", value: "b's" })).status).toBe(200);
    expect(countOf(await summary(a.key), scope)).toBe(0); // a's view kept, without b's scope

    await trpc(admin).context.grant({ scope, clientId: a.clientId, access: "read" });
    expect(countOf(await summary(a.key), scope)).toBe(1);

    await trpc(admin).context.revokeGrant({ scope, clientId: a.clientId });
    const hidden = await summary(a.key);
    expect(countOf(hidden, scope)).toBe(0);
    expect(hidden.lastWrites.filter((w) => w.scope === scope)).toEqual([]);
  });

  it("views are kept apart: a client's snapshot is never served to another client or to a user", async () => {
    const scope = `client:${a.clientId}`;
    expect((await rest("PUT", "/context", a.key, { scope, key: "mine", value: "a's" })).status).toBe(200);
    expect(countOf(await summary(a.key), scope)).toBeGreaterThan(0);
    expect(countOf(await summary(b.key), scope)).toBe(0);
    expect((await trpc(admin).context.summary({})).scopes.map((s) => s.scope)).toContain(scope);
  });
});
