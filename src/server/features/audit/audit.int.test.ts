import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "@/server/api/root";
import { handleRest } from "@/server/api/rest";
import type { AuditEventInput } from "@/server/core/audit/log";
import { systemActor } from "@/server/core/auth/actor";
import { createUser } from "@/server/core/auth/users";
import { setDeps, type Deps } from "@/server/deps";
import { createContext } from "@/server/trpc/context";
import { closeDeps, makeKey, scratchDeps, testDeps } from "../../../../tests/support/deps";
import { searchAuditEvents } from "./search";
import { listAuditEvents, recentAuditEvents } from "./service";
import { auditListInput } from "./schema";

const list = (deps: Deps, input: Record<string, unknown>) => listAuditEvents(deps, auditListInput.parse(input));

function event(actorId: string, extra: Partial<AuditEventInput> = {}): AuditEventInput {
  return { actorType: "system", actorId, action: "context.put", resourceType: "system", outcome: "success", status: 200, requestId: randomUUID(), surface: "rest", ...extra };
}

describe("audit full-text search", () => {
  let deps: Deps;
  const actor = `search-${randomUUID().slice(0, 8)}`;
  const token = `zq${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const seqs: number[] = [];

  beforeAll(async () => {
    deps = await testDeps();
    setDeps(deps);
    const events: AuditEventInput[] = [
      event(actor, { target: `global/${token}-notes`, detail: { note: "Deploy window moved to Friday" } }),
      event(actor, { action: "keys.create", target: "client:gpt", input: { clientId: token, scopes: ["audit:read"] } }),
      event(actor, { action: "context.delete", target: `repo:acme/web/${token}`, outcome: "denied", status: 403 }),
      event(actor, { detail: { message: `stale version for ${token}`, versions: [3, 4] }, outcome: "failure", status: 409 }),
      event(actor, { action: "status.get", detail: { note: "unrelated noise" } }),
    ];
    for (const e of events) seqs.push((await deps.audit.record(e)).seq);
  });
  afterAll(() => closeDeps(deps));

  it("finds events by words in the target, input and detail values, newest first", async () => {
    const page = await list(deps, { actorId: actor, q: token });
    expect(page.items.map((e) => e.seq)).toEqual([seqs[3], seqs[2], seqs[1], seqs[0]]);
    expect(page.nextCursor).toBeNull();
    expect((await list(deps, { actorId: actor, q: "friday" })).items.map((e) => e.seq)).toEqual([seqs[0]]);
  });

  it("matches prefixes, parts of dotted identifiers, phrases, or and exclusion", async () => {
    const seqsOf = async (q: string) => (await list(deps, { actorId: actor, q })).items.map((e) => e.seq);
    expect(await seqsOf(token.slice(0, 8))).toHaveLength(4);
    expect(await seqsOf("keys")).toEqual([seqs[1]]);
    expect(await seqsOf("context.delete")).toEqual([seqs[2]]);
    expect(await seqsOf(`"window moved"`)).toEqual([seqs[0]]);
    expect(await seqsOf(`"moved window"`)).toEqual([]);
    expect(await seqsOf("friday or unrelated")).toEqual([seqs[4], seqs[0]]);
    expect(await seqsOf(`${token} -stale -keys`)).toEqual([seqs[2], seqs[0]]);
    expect(await seqsOf(actor)).toHaveLength(5);
  });

  it("keeps the other filters and the cursor semantics of the plain listing", async () => {
    expect((await list(deps, { actorId: actor, q: token, outcome: "denied" })).items.map((e) => e.seq)).toEqual([seqs[2]]);
    expect((await list(deps, { actorId: actor, q: token, action: "context." })).items.map((e) => e.seq)).toEqual([seqs[3], seqs[2], seqs[0]]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await list(deps, { actorId: actor, q: token, since: future })).items).toEqual([]);
    expect((await list(deps, { actorId: actor, q: token, until: future })).items).toHaveLength(4);
    expect((await list(deps, { actorId: `${actor}-other`, q: token })).items).toEqual([]);

    const pages: number[][] = [];
    let cursor: number | null | undefined;
    do {
      const page = await list(deps, { actorId: actor, q: actor, limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    const plain: number[][] = [];
    cursor = undefined;
    do {
      const page = await list(deps, { actorId: actor, limit: 2, ...(cursor ? { cursor } : {}) });
      plain.push(page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(plain);
    expect(pages.flat()).toEqual([...seqs].reverse());
  });

  it("finds the same page among the newest events as from the index, and falls back to the index when they hold fewer", async () => {
    const input = (extra: Record<string, unknown>) => ({ ...auditListInput.parse({ actorId: actor, ...extra }), q: String(extra.q) });
    const seqsOf = async (extra: Record<string, unknown>, take: number, window: number) => (await searchAuditEvents(deps, input(extra), take, window)).map((e) => e.seq);
    for (const extra of [{ q: token }, { q: token, cursor: seqs[3] }, { q: "friday" }, { q: token, outcome: "denied" }]) {
      const fromIndex = await seqsOf(extra, 3, 0); // no window: the index alone
      expect(await seqsOf(extra, 3, 2), JSON.stringify(extra)).toEqual(fromIndex); // a window too small for a page: the index
      expect(await seqsOf(extra, 3, 1_000), JSON.stringify(extra)).toEqual(fromIndex); // a window that holds the page
    }
    expect(await seqsOf({ q: token }, 2, 1_000)).toEqual([seqs[3], seqs[2]]);
    expect(await seqsOf({ q: "friday" }, 2, 2)).toEqual([seqs[0]]); // older than the window: found by the index
  });

  it("returns nothing for a query without words, and ignores a blank one", async () => {
    expect((await list(deps, { actorId: actor, q: "!!! ..." })).items).toEqual([]);
    expect((await list(deps, { actorId: actor, q: "   " })).items).toHaveLength(5);
  });

  it("answers from the GIN expression index", async () => {
    const plan = await deps.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      return tx.$queryRawUnsafe<Record<string, string>[]>(
        `EXPLAIN SELECT "seq" FROM "audit_event" WHERE "audit_event_search_document"("action", "target", "actor_id", "client_id", "request_id", "input", "detail") @@ 'friday:*'::tsquery`,
      );
    });
    expect(plan.map((r) => Object.values(r)[0]).join("\n")).toContain("audit_event_search_idx");
  });

  it("is GET /ai/audit?q= on REST, with 400 for a query over 200 characters", async () => {
    const { key } = await makeKey(deps, ["audit:read"]);
    const get = (qs: string) => handleRest(new Request(`http://local/ai/audit?${qs}`, { headers: { "x-api-key": key } }));
    const ok = await get(`actorId=${actor}&q=${encodeURIComponent(`"window moved"`)}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { items: { seq: number }[] }).items.map((e) => e.seq)).toEqual([seqs[0]]);
    expect((await get(`q=${"x".repeat(201)}`)).status).toBe(400);
  });
});

describe("audit actors", () => {
  let deps: Deps;
  beforeAll(async () => {
    deps = await testDeps();
  });
  afterAll(() => closeDeps(deps));

  it("names user actors by email, and an actor filter may use the email", async () => {
    const email = `audit-${randomUUID().slice(0, 8)}@example.com`;
    const user = await createUser(deps.audit, { actor: systemActor("test"), requestId: randomUUID(), surface: "system" }, { email, role: "viewer", password: "correct-horse-battery" });
    const { seq } = await deps.audit.record(event(user.id, { actorType: "user" }));
    const page = await list(deps, { actorId: email.toUpperCase() });
    expect(page.items.map((e) => [e.seq, e.actorId, e.actorName])).toEqual([[seq, user.id, email]]);
    expect((await list(deps, { actorId: "nobody@example.com" })).items).toEqual([]);
    const other = await list(deps, { actorType: "system", limit: 1 });
    expect(other.items[0]?.actorName).toBeNull();
  });
});

describe("recent audit events and activity", () => {
  let deps: Deps;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ deps, drop } = await scratchDeps());
  });
  afterAll(() => drop());

  it("reads the newest events, newest first", async () => {
    const actor = `recent-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 3; i++) await deps.audit.record(event(actor, { target: `t${i}` }));
    expect((await recentAuditEvents(deps, 2)).items.map((e) => e.target)).toEqual(["t2", "t1"]);
  });

  it("counts requests and errors per minute over the last hour", async () => {
    const before = await caller(deps).status.activity({});
    const actor = `activity-${randomUUID().slice(0, 8)}`;
    await deps.audit.record(event(actor));
    await deps.audit.record(event(actor, { outcome: "failure", status: 500 }));
    await deps.audit.record(event(actor, { outcome: "denied", status: 403, surface: "mcp" }));
    await deps.audit.record(event(actor, { surface: "system" }));
    await deps.audit.record(event(actor, { at: new Date(Date.now() - 2 * 3_600_000) }));
    // the activity is a snapshot shared for up to 2 s; a new one is computed once that is forgotten
    deps.snapshots.invalidate("status:");
    const after = await caller(deps).status.activity({});
    expect(after.requests - before.requests).toBe(3);
    expect(after.errors - before.errors).toBe(2);
    expect(after.denied - before.denied).toBe(1);
    expect(after.perMinute).toHaveLength(60);
    expect(after.perMinute.reduce((n, m) => n + m.requests, 0)).toBe(after.requests);
    expect(after.errorRate).toBeCloseTo(after.errors / after.requests);
  });

  it("audit.recent needs audit:read", async () => {
    const { key } = await makeKey(deps, ["metrics:read"]);
    const denied = await fetchRest(deps, "/ai/audit/recent?limit=5", key);
    expect(denied.status).toBe(403);
    const { key: reader } = await makeKey(deps, ["audit:read"]);
    const ok = await fetchRest(deps, "/ai/audit/recent?limit=51", reader);
    expect(ok.status).toBe(400);
  });
});

function caller(deps: Deps) {
  return appRouter.createCaller(createContext({ deps, requestId: randomUUID(), surface: "trpc", ip: null, actor: { type: "system", id: "test" } }));
}

function fetchRest(deps: Deps, path: string, key: string) {
  setDeps(deps);
  return handleRest(new Request(`http://local${path}`, { headers: { "x-api-key": key } }));
}
