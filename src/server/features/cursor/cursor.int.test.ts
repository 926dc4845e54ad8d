import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleRest } from "@/server/api/rest";
import { setDeps, type Deps } from "@/server/deps";
import { recordKey } from "@/server/features/context/store";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { watchAnnouncements } from "../../../../tests/support/journal";
import { MAX_DIFF_BYTES } from "./schema";

/** IDE sessions over REST: ownership, last write wins with conflicts, heartbeats, redaction, who sees diff text. */

let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
});
afterAll(() => closeDeps(deps));

function call(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  return handleRest(
    new Request(`http://localhost/ai${path}`, {
      method,
      headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

const SECRET = `sk-proj-${"a1B2c3D4".repeat(4)}`;
const DIFF = [
  "diff --git a/src/app.ts b/src/app.ts",
  "--- a/src/app.ts",
  "+++ b/src/app.ts",
  "@@ -10,6 +10,7 @@ export function start(port: number) {",
  "   const server = listen(port);",
  `+  const token = "${SECRET}";`,
  "   return server;",
  " }",
  " ",
  " export class Router {",
  "-  routes = [];",
  "+  routes: Route[] = [];",
  "",
].join("\n");

function session(sessionId: string, over: Record<string, unknown> = {}) {
  return {
    sessionId,
    repo: "acme/web",
    branch: "feature/x",
    head: "0123456789abcdef0123456789abcdef01234567",
    activeFile: "src/app.ts",
    selection: { startLine: 11, endLine: 12 },
    changedFiles: [{ path: "src/app.ts", status: "modified", additions: 2, deletions: 1 }],
    diff: DIFF,
    ...over,
  };
}

async function putOk(key: string, body: unknown) {
  const res = await call("PUT", "/cursor/session", key, body);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as { session: Record<string, unknown> & { version: number; diff: Record<string, unknown> | null }; conflict: boolean; changed: boolean };
}

const auditOf = (sessionId: string) => deps.db.auditEvent.findMany({ where: { target: `session:${sessionId}/cursor`, action: "context.put" }, orderBy: { seq: "asc" } });

describe("IDE sessions", () => {
  it("stores a push with files, totals and the symbols it touches; redacts secrets; audits once per distinct state", async () => {
    const writer = await makeKey(deps, ["cursor:write", "context:read"]);
    const id = `s-${randomUUID().slice(0, 8)}`;
    const first = await putOk(writer.key, session(id));
    expect(first).toMatchObject({ conflict: false, changed: true });
    expect(first.session).toMatchObject({ sessionId: id, repo: "acme/web", branch: "feature/x", activeFile: "src/app.ts", owner: writer.clientId, totals: { files: 1, additions: 2, deletions: 1 } });
    expect(first.session.changedFiles).toEqual([{ path: "src/app.ts", status: "modified", additions: 2, deletions: 1, symbols: ["start", "Router"] }]);
    expect(first.session.diff).toMatchObject({ redactions: 1 });
    expect(first.session.diff).not.toHaveProperty("text");

    // a heartbeat: stored (TTL refreshed, new version) but no new audit event
    const beat = await putOk(writer.key, { ...session(id), expectedVersion: first.session.version });
    expect(beat).toMatchObject({ changed: false, conflict: false });
    expect(beat.session.version).toBe(first.session.version + 1);
    const moved = await putOk(writer.key, { ...session(id), activeFile: "src/other.ts", expectedVersion: beat.session.version });
    expect(moved.changed).toBe(true);
    const rows = await auditOf(id);
    expect(rows).toHaveLength(2);
    const details = JSON.stringify(rows.map((r) => r.detail));
    expect(details).not.toContain(SECRET);
    expect(details).not.toContain("const token");

    // the context entry never holds diff text either
    const entry = await call("GET", `/context?scope=session:${id}&key=cursor`, writer.key);
    const entryText = await entry.text();
    expect(entry.status).toBe(200);
    expect(entryText).not.toContain("const token");

    // nor can the generic context API write or delete it around the owner check
    const contextWriter = await makeKey(deps, ["context:write"], { clientId: writer.clientId });
    expect((await call("PUT", "/context", contextWriter.key, { scope: `session:${id}`, key: "cursor", value: { forged: true } })).status).toBe(403);
    expect((await call("DELETE", `/context?scope=session:${id}&key=cursor`, contextWriter.key)).status).toBe(403);
    expect((await call("PUT", "/context", contextWriter.key, { scope: `session:${id}`, key: "notes", value: "free" })).status).toBe(200);
  });

  it("a heartbeat is journaled nowhere (no database write) and keeps the write id of the state it refreshes", async () => {
    const writer = await makeKey(deps, ["cursor:write"]);
    const id = `s-${randomUUID().slice(0, 8)}`;
    const first = await putOk(writer.key, session(id));
    const record = async () => JSON.parse((await deps.kv.getVersioned(recordKey(`session:${id}`, "cursor")))!.value) as { writeId?: string; expiresAt: string };
    const stored = await record();
    expect(stored.writeId).toEqual(expect.any(String));
    const announce = watchAnnouncements(deps, new Error("database down"));
    try {
      const beat = await putOk(writer.key, session(id));
      expect(beat).toMatchObject({ changed: false, conflict: false });
      expect(beat.session.version).toBe(first.session.version + 1);
      expect(announce.count()).toBe(0);
      const after = await record();
      expect(after.writeId).toBe(stored.writeId);
      expect(Date.parse(after.expiresAt)).toBeGreaterThanOrEqual(Date.parse(stored.expiresAt));
      // a new state is a change again: journaled first, so with the database down it is refused
      expect((await call("PUT", "/cursor/session", writer.key, session(id, { activeFile: "src/next.ts" }))).status).toBe(500);
    } finally {
      announce.restore();
    }
    // a stale heartbeat is a change: it is flagged, audited and streamed
    const stale = await putOk(writer.key, { ...session(id), expectedVersion: first.session.version });
    expect(stale).toMatchObject({ changed: true, conflict: true });
    expect(await auditOf(id)).toHaveLength(2);
  });

  it("two keys of the owning client: last write wins, the stale one is flagged as a conflict and audited", async () => {
    const a = await makeKey(deps, ["cursor:write"]);
    const b = await makeKey(deps, ["cursor:write"], { clientId: a.clientId });
    const id = `s-${randomUUID().slice(0, 8)}`;
    const fromA = await putOk(a.key, session(id, { activeFile: "a.ts" }));
    const fromB = await putOk(b.key, session(id, { activeFile: "b.ts", expectedVersion: fromA.session.version }));
    expect(fromB.conflict).toBe(false);
    // A still believes its version is current
    const again = await putOk(a.key, session(id, { activeFile: "a2.ts", expectedVersion: fromA.session.version }));
    expect(again.conflict).toBe(true);
    expect(again.session.activeFile).toBe("a2.ts");
    const rows = await auditOf(id);
    const last = rows[rows.length - 1]!.detail as { conflict: boolean; conflictWith: { overwrittenVersion: number; overwrittenBy: { id: string } } };
    expect(last.conflict).toBe(true);
    expect(last.conflictWith.overwrittenVersion).toBe(fromB.session.version);
    expect(last.conflictWith.overwrittenBy.id).toBe(b.clientId);
  });

  it("another client cannot overwrite a live session (403, audited as denied, nothing changed)", async () => {
    const owner = await makeKey(deps, ["cursor:write", "context:read"]);
    const other = await makeKey(deps, ["cursor:write"]);
    const id = `s-${randomUUID().slice(0, 8)}`;
    await putOk(owner.key, session(id));
    const res = await call("PUT", "/cursor/session", other.key, session(id, { activeFile: "hijack.ts" }));
    expect(res.status).toBe(403);
    const denied = await deps.db.auditEvent.findFirst({ where: { clientId: other.clientId, outcome: "denied" } });
    expect(denied?.status).toBe(403);
    const read = await call("GET", `/cursor/session?sessionId=${id}`, owner.key);
    expect(((await read.json()) as { activeFile: string }).activeFile).toBe("src/app.ts");
  });

  it("another client's key reads files and symbols but no diff text, unless raw code is allowed", async () => {
    const writer = await makeKey(deps, ["cursor:write"]);
    const reader = await makeKey(deps, ["context:read"]);
    const id = `s-${randomUUID().slice(0, 8)}`;
    const repo = `acme/web-${id}`;
    await putOk(writer.key, session(id, { repo }));
    const denied = (await (await call("GET", `/cursor/session?sessionId=${id}`, reader.key)).json()) as { diff: Record<string, unknown>; changedFiles: { symbols: string[] }[] };
    expect(denied.diff).not.toHaveProperty("text");
    expect(denied.changedFiles[0]!.symbols).toEqual(["start", "Router"]);
    const previous = deps.env;
    deps.env = { ...previous, AI_RAW_CODE: "allow" };
    try {
      const allowed = (await (await call("GET", `/cursor/session?sessionId=${id}`, reader.key)).json()) as { diff: { text: string } };
      expect(allowed.diff.text).toContain("routes: Route[] = [];");
      expect(allowed.diff.text).toContain("[redacted]");
      expect(allowed.diff.text).not.toContain(SECRET);
    } finally {
      deps.env = previous;
    }
    const list = (await (await call("GET", `/cursor/sessions?repo=${repo}&limit=10`, reader.key)).json()) as { items: { sessionId: string; repo: string }[] };
    expect(list.items.map((s) => [s.sessionId, s.repo])).toEqual([[id, repo]]);
  });

  it("refuses bad input and oversize diffs with 4xx, and keys without the scope with 403", async () => {
    const writer = await makeKey(deps, ["cursor:write"]);
    const reader = await makeKey(deps, ["context:read"]);
    const id = `s-${randomUUID().slice(0, 8)}`;
    expect((await call("PUT", "/cursor/session", writer.key, session(id, { selection: { startLine: 5, endLine: 2 } }))).status).toBe(400);
    expect((await call("PUT", "/cursor/session", writer.key, session("bad id!"))).status).toBe(400);
    expect((await call("PUT", "/cursor/session", writer.key, session(id, { diff: "x".repeat(MAX_DIFF_BYTES + 1) }))).status).toBe(413);
    expect((await call("PUT", "/cursor/session", reader.key, session(id))).status).toBe(403);
    expect((await call("GET", `/cursor/session?sessionId=${id}`, writer.key)).status).toBe(403);
    expect((await call("GET", `/cursor/session?sessionId=${id}`, reader.key)).status).toBe(404);
  });

  it("answers 304 to a poll whose If-None-Match names the current state of an entry or a list", async () => {
    const writer = await makeKey(deps, ["context:read", "context:write"]);
    const scope = `client:${writer.clientId}`;
    await call("PUT", "/context", writer.key, { scope, key: "k", value: { n: 1 } });
    for (const path of [`/context?scope=${scope}&key=k`, `/context/list?scope=${scope}`]) {
      const first = await call("GET", path, writer.key);
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^W\/"/);
      const again = await call("GET", path, writer.key, undefined, { "if-none-match": etag! });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
    }
    await call("PUT", "/context", writer.key, { scope, key: "k", value: { n: 2 } });
    const first = await call("GET", `/context?scope=${scope}&key=k`, writer.key);
    const changed = await call("GET", `/context?scope=${scope}&key=k`, writer.key, undefined, { "if-none-match": 'W/"stale"' });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).toBe(first.headers.get("etag"));
  });
  it("a heartbeat of a session this instance wrote sends its refresh without reading the record; one another writer changed meanwhile is read and not overwritten", async () => {
    const writer = await makeKey(deps, ["cursor:write"]);
    const id = `s-${randomUUID().slice(0, 8)}`;
    const key = recordKey(`session:${id}`, "cursor");
    const first = await putOk(writer.key, session(id));
    const reads: string[] = [];
    const getVersioned = deps.kv.getVersioned;
    deps.kv.getVersioned = (k: string) => (reads.push(k), getVersioned.call(deps.kv, k));
    try {
      const beat = await putOk(writer.key, session(id));
      expect(beat).toMatchObject({ changed: false, conflict: false });
      expect(beat.session.version).toBe(first.session.version + 1);
      expect(reads).not.toContain(key);

      // another instance's write of the same client: the remembered record is stale, so the heartbeat's compare-and-set refuses it
      const other = JSON.parse((await getVersioned.call(deps.kv, key))!.value) as { value: Record<string, unknown> };
      const moved = { ...other, value: { ...other.value, activeFile: "src/elsewhere.ts", state: "another" } };
      const written = await deps.kv.setVersioned(key, JSON.stringify(moved), { ttlMs: 60_000 });
      const again = await putOk(writer.key, session(id));
      expect(reads).toContain(key);
      expect(again).toMatchObject({ changed: true, conflict: false });
      expect(again.session).toMatchObject({ activeFile: "src/app.ts", version: written.version + 1 });
    } finally {
      deps.kv.getVersioned = getVersioned;
    }
  });

  it("a heartbeat after the owner record lapsed under the live session (CONTEXT_MAX_TTL_SECONDS shorter) and another client took it is refused, nothing refreshed", async () => {
    const maxTtl = deps.env.CONTEXT_MAX_TTL_SECONDS;
    deps.env.CONTEXT_MAX_TTL_SECONDS = 2;
    try {
      const writer = await makeKey(deps, ["cursor:write"]);
      const other = await makeKey(deps, ["context:write"]);
      const id = `s-${randomUUID().slice(0, 8)}`;
      await putOk(writer.key, session(id));
      const beat = await putOk(writer.key, session(id));
      await new Promise((r) => setTimeout(r, 2_100)); // the owner record expires; the session (its own TTL) lives on
      expect((await call("PUT", "/context", other.key, { scope: `session:${id}`, key: "notes", value: "mine now" })).status).toBe(200);
      expect((await call("PUT", "/cursor/session", writer.key, session(id))).status).toBe(403);
      const record = await deps.kv.getVersioned(recordKey(`session:${id}`, "cursor"));
      expect(record?.version).toBe(beat.session.version);
      expect((JSON.parse(record!.value) as { updatedAt: string }).updatedAt).toBe(beat.session.updatedAt);
    } finally {
      deps.env.CONTEXT_MAX_TTL_SECONDS = maxTtl;
    }
  });
});
